#!/usr/bin/env bash
# The whole benchmark, side by side in one run: maskdb (import, decompression floor, queries)
# and the Python baseline (numpy and nilearn) on the same real-size masks; prints the ratios.
# Usage: bash Benchmarks/run.sh [MASKS=28] [RUNS=9]
# Needs: swift, python3 with Benchmarks/requirements.txt, libdeflate-tools (for the floor; it
# brings libdeflate0, which maskdb opens to inflate: without it zlib does, and bench says so).
set -euo pipefail
masks=${1:-28}
runs=${2:-9}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
python3 -c "import nibabel, nilearn, numpy" 2>/dev/null \
    || { echo "run.sh: the baseline needs nibabel, nilearn and numpy: python3 -m pip install -r Benchmarks/requirements.txt" >&2; exit 1; }
command -v libdeflate-gunzip >/dev/null || echo "run.sh: libdeflate-gunzip not found (apt-get install libdeflate-tools): no floor ratio" >&2
# The Swift runtime linked in, as every measured binary has been (it starts faster).
swift build -c release --static-swift-stdlib --product maskdb >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
.build/release/maskdb-bench --masks "$masks" --runs "$runs" --keep "$work" | tee "$work/bench.txt"
for variant in numpy nilearn; do
    python3 Benchmarks/baseline.py --manifest "$work/real/masks.tsv" --db "$work/baseline-$variant.sqlite" \
        --variant "$variant" --repeat "$runs" | tee "$work/$variant.txt"
done
python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
bench = open(f"{work}/bench.txt").read()
def seconds(step):
    line = next((l for l in bench.splitlines() if l.startswith(step)), None)
    return float(line.split()[-4]) if line else None  # step ... median_s masks_per_s peak_rss_mb file_mb_per_s
ours = seconds("import masks (--jobs")
single = seconds("import masks (--jobs 1)")
floor = seconds("libdeflate-gunzip")
for variant in ("numpy", "nilearn"):
    theirs = float(re.search(r"seconds=([0-9.]+)", open(f"{work}/{variant}.txt").read()).group(1))
    print(f"import vs Python {variant}: {theirs / ours:.1f}x faster ({theirs:.2f} s vs {ours:.2f} s)")
if floor:
    print(f"import on 1 core vs libdeflate-gunzip on 1 core: {single / floor:.2f}x the floor ({single:.2f} s vs {floor:.2f} s)")
PY
