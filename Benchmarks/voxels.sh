#!/usr/bin/env bash
# Voxel measures (issue 16 part 3): N real-size masks (121 x 145 x 121 float32 .nii.gz on the
# AAL2 grid, maskdb-bench's) imported into a fresh database, then `VoxelMaps.load` (each stored
# file checked and decoded once) and every pair's Dice, Jaccard and Pearson, timed in process
# (`maskdb-bench --voxels`: the measures are a library's until a command asks for them);
# medians of RUNS. Then every pair's values (and 4 attribution maps') against nibabel + numpy
# (`Scripts/voxel_crosscheck.py --check`). Goal: load + the 300 pairs' Dice of 25 masks under 3 s.
# Usage: bash Benchmarks/voxels.sh [MASKS=25] [RUNS=5]
# Needs: swift; python3 with nibabel and numpy for the cross-check (skipped without them).
set -euo pipefail
masks=${1:-25}
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
swift build -c release --static-swift-stdlib >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
.build/release/maskdb-bench --voxels "$masks" --runs "$runs" --keep "$work"
if python3 -c "import nibabel, numpy" 2>/dev/null; then
    python3 Scripts/voxel_crosscheck.py --check "$work/voxel-pairs.tsv" | tail -1
else
    echo "cross-check skipped: python3 has no nibabel or numpy (python3 -m pip install -r Scripts/requirements.txt)"
fi
