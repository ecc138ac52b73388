#!/usr/bin/env bash
# measure vs import (issue 16): N real-size masks imported into a fresh database, then their
# densities computed over a second atlas from the stored bytes (`maskdb measure --atlas`),
# each timed as a separate process; prints the medians and the ratio.
# The second atlas is AAL2's regions merged into four (front/back x left/right) on a 3 mm grid
# (61 x 73 x 61), so every mask's grid differs from it and it is resampled, as users' atlases are.
# Usage: bash Benchmarks/measure.sh [MASKS=500] [RUNS=3]
# Needs: swift, python3 with numpy (Benchmarks/requirements.txt).
set -euo pipefail
masks=${1:-500}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
swift build -c release --static-swift-stdlib >/dev/null
maskdb=.build/release/maskdb
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
# The real-size masks of maskdb-bench (its own timings are not used here).
.build/release/maskdb-bench --masks "$masks" --runs 1 --query-masks 1 --keep "$work" >/dev/null 2>&1
python3 - "$root/Atlases/atlas-AAL2_dseg.nii.gz" "$root/Atlases/atlas-AAL2_dseg.tsv" "$work" <<'PY'
import gzip, struct, sys
import numpy as np
image, table, work = sys.argv[1:]
data = gzip.open(image).read()
offset = int(struct.unpack_from("<f", data, 108)[0])
header = bytearray(data[:348])
labels = np.frombuffer(data[offset:], dtype=np.int16).reshape((121, 145, 121), order="F")
merged = np.zeros(labels.max() + 1, dtype=np.int16)
for line in open(table).read().splitlines()[1:]:
    value, name = line.split("\t")[:2]
    if int(value):
        merged[int(value)] = (1 if name.endswith("_L") else 2) + (0 if int(value) < 5000 else 2)
coarse = merged[labels][::2, ::2, ::2]
struct.pack_into("<8h", header, 40, 3, *coarse.shape, 1, 1, 1, 1)
pixdim = list(struct.unpack_from("<8f", header, 76))
pixdim[1:4] = [2 * p for p in pixdim[1:4]]
struct.pack_into("<8f", header, 76, *pixdim)
struct.pack_into("<f", header, 108, 352.0)
for row in range(3):
    srow = list(struct.unpack_from("<4f", header, 280 + 16 * row))
    struct.pack_into("<4f", header, 280 + 16 * row, *[2 * v for v in srow[:3]], srow[3])
open(f"{work}/coarse.nii", "wb").write(bytes(header) + bytes(4) + coarse.tobytes(order="F"))
open(f"{work}/coarse.tsv", "w").write("roi_value\troi_name\n0\tBackground\n1\tFront_L\n2\tFront_R\n3\tBack_L\n4\tBack_R\n")
PY
# Seconds and peak memory (MB) of one command, from GNU time's -f "%e %M".
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null && awk '{printf "%s %d\n", $1, $2 / 1024}' "$work/time"; }
: >"$work/import.txt"
: >"$work/measure.txt"
for run in $(seq "$runs"); do
    rm -f "$work/study.sqlite" "$work/measured.sqlite"
    timed "$maskdb" import masks "$work/real/masks.tsv" --db "$work/study.sqlite" >>"$work/import.txt"
    cp "$work/study.sqlite" "$work/measured.sqlite"
    "$maskdb" atlas add coarse "$work/coarse.nii" "$work/coarse.tsv" --db "$work/measured.sqlite" >/dev/null
    sync
    timed "$maskdb" measure --atlas coarse --db "$work/measured.sqlite" >>"$work/measure.txt"
    "$maskdb" verify --db "$work/measured.sqlite" >/dev/null
done
python3 - "$work" "$masks" <<'PY'
import statistics, sys
work, masks = sys.argv[1], int(sys.argv[2])
def read(name):
    rows = [line.split() for line in open(f"{work}/{name}.txt")]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows), [float(r[0]) for r in rows]
(imp, imp_mb, imps), (mea, mea_mb, meas) = read("import"), read("measure")
print(f"import masks ({masks} real-size): median {imp:.2f} s ({masks / imp:.1f} masks/s), peak {imp_mb} MB; runs {imps}")
print(f"measure --atlas coarse ({masks} stored): median {mea:.2f} s ({masks / mea:.1f} masks/s), peak {mea_mb} MB; runs {meas}")
print(f"measure / import: {mea / imp:.2f}x (target: at most 1.3x)")
PY
