#!/usr/bin/env bash
# Times every query command and the full report on a study of N masks (default 5,000).
# The masks are small (12 x 10 x 9 voxels of 15 mm over AAL2's box): queries read only the
# stored density vectors, so mask size does not matter here (import speed is measured apart).
# Needs: a release build (swift build -c release), python3 with nibabel and numpy, hyperfine
# (apt-get install hyperfine) for medians; without hyperfine, one timed run per command.
set -euo pipefail
masks=${1:-5000}
root=$(cd "$(dirname "$0")/.." && pwd)
maskdb="$root/.build/release/maskdb"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -x "$maskdb" ] || { echo "build first: swift build -c release" >&2; exit 1; }

python3 - "$work" "$masks" <<'PY'
import sys, numpy as np, nibabel as nib
work, count = sys.argv[1], int(sys.argv[2])
affine = np.array([[15, 0, 0, -90], [0, 15, 0, -126], [0, 0, 15, -72], [0, 0, 0, 1.0]])
rng = np.random.default_rng(0)
rows = ["path\tfold\trun\tlambda1\tlambda2"]
settings = [(f, r, l1, l2) for f in range(5) for r in range(10)
            for l1 in (0.1, 0.01, 0.001, 0.0001, 0.00001) for l2 in (0.1, 0.01, 0.001, 0.0001)]
for i in range(count):
    f, r, l1, l2 = settings[i % len(settings)]
    nib.save(nib.Nifti1Image(rng.random((12, 10, 9)).astype(np.float32), affine), f"{work}/{i}.nii.gz")
    rows.append(f"{i}.nii.gz\t{f}\t{r}\t{l1}\t{l2 * (1 + (i // len(settings)) * 1e-3)}")
open(f"{work}/masks.tsv", "w").write("\n".join(rows) + "\n")
PY

db="$work/study.sqlite"
"$maskdb" import masks "$work/masks.tsv" --db "$db"
commands=(
    "similarity --by lambda1"
    "similarity --by run"
    "robustness"
    "top-rois --merge-hemispheres"
    "grid"
    "masks --format csv"
    "report --out $work/report"
)
if command -v hyperfine >/dev/null; then
    args=()
    for c in "${commands[@]}"; do args+=("$maskdb $c --db $db"); done
    hyperfine --warmup 1 --runs 5 --style basic "${args[@]}"
else
    for c in "${commands[@]}"; do
        start=$(date +%s.%N)
        $maskdb $c --db "$db" >/dev/null
        echo "$c: $(echo "$(date +%s.%N) - $start" | bc) s"
    done
fi
