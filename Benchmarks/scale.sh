#!/usr/bin/env bash
# Queries at scale (issue 14): each query's wall time and peak memory on small-mask studies of
# two layouts, at each size given: 'growing' (5 folds x 5 runs x 4 λ1, a replicate annotation:
# pairing groups grow with the study) and 'small' (settings repeated with a setting.replicate:
# groups stay small). Peak memory is the child's VmHWM, what /usr/bin/time -v calls
# "Maximum resident set size". Goal: every query and the report under ~1 s and 500 MB at 50,000.
# Usage: bash Benchmarks/scale.sh [SIZES="5000 50000"] [RUNS=1]
set -euo pipefail
sizes=${1:-"5000 50000"}
runs=${2:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
swift build -c release --product maskdb >/dev/null
swift build -c release --product maskdb-bench >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for layout in growing small; do
    for size in $sizes; do
        echo
        echo "== $layout, $size masks"
        .build/release/maskdb-bench --masks 0 --runs "$runs" --query-masks "$size" --layout "$layout" \
            --keep "$work/$layout-$size" --format md 2>/dev/null
        rm -rf "$work/$layout-$size"
    done
done
