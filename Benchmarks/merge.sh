#!/usr/bin/env bash
# merge (issue 17): N real-size masks split over JOBS job databases (each imported on its own,
# as a cluster job would), merged into one with `maskdb merge`, then compared table by table
# with a single import of the same files; merging again must add nothing. Prints the times.
# Usage: bash Benchmarks/merge.sh [JOBS=20] [MASKS_PER_JOB=5]
# Needs: swift, python3.
set -euo pipefail
jobs=${1:-20}
per=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$root"
swift build -c release --static-swift-stdlib >/dev/null
maskdb=$root/.build/release/maskdb
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
# The real-size masks of maskdb-bench (its own timings are not used here).
.build/release/maskdb-bench --masks $((jobs * per)) --runs 1 --query-masks 1 --keep "$work" >/dev/null 2>&1
manifest=$work/real/masks.tsv
header=$(head -1 "$manifest")
for job in $(seq "$jobs"); do
    { echo "$header"; tail -n +2 "$manifest" | sed -n "$(((job - 1) * per + 1)),$((job * per))p"; } >"$work/real/job-$job.tsv"
    "$maskdb" import masks "$work/real/job-$job.tsv" --db "$work/job-$job.sqlite" >/dev/null
done
"$maskdb" import masks "$manifest" --db "$work/single.sqlite" >/dev/null
timed() { /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" && awk '{printf "%s s, peak %d MB", $1, $2 / 1024}' "$work/time"; }
echo "merge of $jobs job databases ($per masks each) into a new one: $(timed "$maskdb" merge "$work"/job-*.sqlite --into "$work/lab.sqlite")"
grep -c "^  masks  *$per merged: $per added" "$work/out" | xargs -I{} echo "  sources whose $per masks were all added: {} of $jobs"
echo "merged again: $(timed "$maskdb" merge "$work"/job-*.sqlite --into "$work/lab.sqlite")"
grep -c "^  masks  *$per merged: 0 added, $per already recorded, 0 rejected" "$work/out" | xargs -I{} echo "  sources with every mask already recorded: {} of $jobs"
"$maskdb" verify --db "$work/lab.sqlite"
python3 - "$work/single.sqlite" "$work/lab.sqlite" <<'PY'
import sqlite3, sys
# Every table's content, ids, imports and times aside: records by what they are.
queries = {
    "masks": """SELECT s.sha256, s.study, s.fold, s.run, s.model, s.lambda1, s.lambda2, s.beta1, s.beta2, s.subjects,
                s.semantics, s.method, s.subject, s.params, s.annotations, s.atlas, s.source, m.dim_x, m.dim_y, m.dim_z, m.affine, m.grid_sha256, m.grid_source
                FROM mask_settings s JOIN masks m ON m.id = s.id""",
    "mask_densities": """SELECT m.nifti_sha256, a.name, d.label, d.density, d.voxels FROM mask_densities d
                JOIN masks m ON m.id = d.mask_id JOIN atlases a ON a.id = d.atlas_id""",
    "density_vectors": """SELECT m.nifti_sha256, a.name, hex(v.densities), hex(v.voxels) FROM density_vectors v
                JOIN masks m ON m.id = v.mask_id JOIN atlases a ON a.id = v.atlas_id""",
    "blobs": "SELECT sha256, size, length(bytes) FROM blobs",
    "models": "SELECT s.name, m.fold, m.run, m.name, m.architecture, m.weights_sha256, m.params FROM models m JOIN studies s ON s.id = m.study_id",
    "model_metrics": "SELECT m.fold, m.run, m.name, x.dataset, x.metric, x.value FROM model_metrics x JOIN models m ON m.id = x.model_id",
    "atlases": "SELECT name, image_sha256, labels_sha256 FROM atlases",
    "atlas_regions": "SELECT a.name, r.label, r.name FROM atlas_regions r JOIN atlases a ON a.id = r.atlas_id",
}
single, lab = (sqlite3.connect(path) for path in sys.argv[1:])
for table, sql in queries.items():
    a, b = sorted(single.execute(sql).fetchall(), key=repr), sorted(lab.execute(sql).fetchall(), key=repr)
    print(f"  {table}: {len(a)} rows in the single import, {len(b)} merged, {'equal' if a == b else 'DIFFERENT'}")
    if a != b: sys.exit(1)
PY
