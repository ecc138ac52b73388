#!/usr/bin/env python3
"""Voxel Dice, Jaccard and Pearson of two NIfTI files, with nibabel and numpy.

The reference for maskdb's voxel measures (Sources/Study/VoxelMaps.swift), computed
independently on the same definitions:

* values: a mask's perturbation amount p (``1 - m`` for ``keep``, ``m`` for
  ``perturb``), from nibabel's ``get_fdata()`` (float64, scaled), clipped into
  [0, 1]; an attribution map's ``|a|``;
* domain: the voxels the atlas labels (non-zero) on the file's grid, the atlas
  resampled nearest-neighbour as maskdb and nilearn do (``--atlas``), or every
  voxel of the grid (``--domain grid``);
* sets: a mask's voxels with ``p >= t``; an attribution map's top q % by ``|a|``:
  ``k = ceil(q * N / 100)`` of the N domain voxels, ``c`` the k-th largest ``|a|``,
  the voxels with ``|a| >= c`` and ``|a| > 0`` (ties at the cut all in);
* Dice ``2|A & B| / (|A| + |B|)`` (none when both are empty), Jaccard
  ``|A & B| / |A | B|``, Pearson of the two value maps over the domain (none when
  either is constant); files on different grids have none.

Usage:
    python3 Scripts/voxel_crosscheck.py A.nii.gz B.nii.gz \\
        [--semantics keep|perturb|attribution] [--semantics-b ...] \\
        [--threshold 0.5] [--top-percent 5] [--atlas ATLAS.nii.gz | --domain grid]

Prints one JSON object: dice, jaccard, pearson (null when undefined), the set
sizes and the domain's voxel count. ``--atlas`` defaults to the repository's
AAL2 (Atlases/atlas-AAL2_dseg.nii.gz).

    python3 Scripts/voxel_crosscheck.py --check PAIRS.tsv [--tolerance 1e-6] [options]

checks maskdb's values instead: a TSV with columns a, b (the two files), semantics_a,
semantics_b, dice, jaccard, pearson (empty: none), as ``maskdb-bench --voxels N
--keep DIR`` writes to DIR/voxel-pairs.tsv. Dice and Jaccard must be equal (both are
ratios of the same whole numbers), Pearson within the tolerance (maskdb keeps
Float32 unit vectors); prints PASS/FAIL per pair and exits 1 on any FAIL.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import nibabel as nib

REPO_DIR = Path(__file__).resolve().parent.parent
AAL2 = REPO_DIR / "Atlases" / "atlas-AAL2_dseg.nii.gz"


def resampled_labels(atlas_img, shape, affine) -> np.ndarray:
    """The atlas's labels on (shape, affine), nearest neighbour: the source voxel
    c = inv(atlas affine) @ affine @ ijk, outside (0) when c < 0 or c > n - 1 on an axis,
    else the label at floor(c + 0.5); identical grids are not resampled."""
    labels = np.asarray(atlas_img.dataobj)
    if labels.ndim > 3:
        labels = labels.reshape(labels.shape[:3])
    if tuple(shape) == labels.shape and np.allclose(affine, atlas_img.affine, atol=1e-4):
        return labels
    t = np.linalg.inv(atlas_img.affine) @ affine
    ijk = np.indices(shape, dtype=np.float64).reshape(3, -1)
    inside = np.ones(ijk.shape[1], dtype=bool)
    idx = []
    for d in range(3):
        c = t[d, 3] + t[d, 0] * ijk[0] + t[d, 1] * ijk[1] + t[d, 2] * ijk[2]
        c = np.round(c * 1e6) / 1e6
        n = labels.shape[d]
        inside &= (c >= 0) & (c <= n - 1)
        idx.append(np.clip(np.floor(c + 0.5), 0, n - 1).astype(np.int64))
    out = np.zeros(ijk.shape[1], dtype=labels.dtype)
    out[inside] = labels[idx[0][inside], idx[1][inside], idx[2][inside]]
    return out.reshape(shape)


def grid(img):
    data = np.asarray(img.get_fdata(dtype=np.float64))
    while data.ndim > 3 and data.shape[-1] == 1:
        data = data[..., 0]
    if data.ndim != 3:
        sys.exit(f"{img.get_filename()}: not one 3D volume (shape {data.shape})")
    return data, img.affine


def values(data: np.ndarray, semantics: str) -> np.ndarray:
    if semantics == "attribution":
        return np.abs(data)
    p = 1 - data if semantics == "keep" else data
    return np.clip(p, 0, 1)


def voxel_set(v: np.ndarray, semantics: str, threshold: float, top_percent: float) -> np.ndarray:
    if semantics != "attribution":
        return v >= threshold
    n = v.size
    k = min(n, math.ceil(top_percent * n / 100))
    if k == 0:
        return np.zeros(n, dtype=bool)
    cut = np.sort(v)[::-1][k - 1]
    return (v >= cut) & (v > 0)


def measures(path_a, path_b, sem_a, sem_b, args, atlas_img=None, cache=None) -> dict:
    """The three measures of two files (None where undefined), with set sizes."""
    cache = {} if cache is None else cache

    def load(path):
        if path not in cache:
            cache[path] = grid(nib.load(path))
        return cache[path]

    (da, aa), (db, ab) = load(path_a), load(path_b)
    result = {"dice": None, "jaccard": None, "pearson": None}
    if da.shape != db.shape or not np.allclose(aa, ab, atol=1e-4):
        result["note"] = "different grids: no voxel measure"
        return result
    if args.domain == "atlas":
        inside = resampled_labels(atlas_img or nib.load(args.atlas), da.shape, aa) != 0
    else:
        inside = np.ones(da.shape, dtype=bool)
    va = values(da[inside], sem_a)
    vb = values(db[inside], sem_b)
    sa = voxel_set(va, sem_a, args.threshold, args.top_percent)
    sb = voxel_set(vb, sem_b, args.threshold, args.top_percent)
    both, sizes, either = int(np.sum(sa & sb)), int(sa.sum() + sb.sum()), int(np.sum(sa | sb))
    if sizes > 0:
        result["dice"] = 2 * both / sizes
        result["jaccard"] = both / either
    if va.size > 1 and np.ptp(va) > 0 and np.ptp(vb) > 0:
        result["pearson"] = float(np.corrcoef(va, vb)[0, 1])
    result.update(set_a=int(sa.sum()), set_b=int(sb.sum()), domain_voxels=int(va.size))
    return result


def check(args) -> int:
    import csv

    atlas_img = nib.load(args.atlas) if args.domain == "atlas" else None
    cache: dict = {}
    failed = passed = 0
    worst = 0.0
    with open(args.check, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            want = measures(row["a"], row["b"], row["semantics_a"], row["semantics_b"], args, atlas_img, cache)
            problems = []
            for name in ("dice", "jaccard", "pearson"):
                got = float(row[name]) if row[name] != "" else None
                ref = want[name]
                if (got is None) != (ref is None):
                    problems.append(f"{name} {got} vs numpy {ref}")
                elif got is not None:
                    error = abs(got - ref)
                    if name == "pearson":
                        worst = max(worst, error)
                    if error > (args.tolerance if name == "pearson" else 0):
                        problems.append(f"{name} {got} vs numpy {ref} (|diff| {error:.3g})")
            pair = " ".join("/".join(Path(row[k]).parts[-2:]) for k in ("a", "b"))
            if problems:
                failed += 1
                print(f"FAIL {pair}: " + "; ".join(problems))
            else:
                passed += 1
                print(f"PASS {pair}: dice {want['dice']} jaccard {want['jaccard']} pearson {want['pearson']}")
    print(f"{passed} passed, {failed} failed; largest Pearson difference {worst:.3g}")
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("a", nargs="?")
    parser.add_argument("b", nargs="?")
    parser.add_argument("--check", metavar="PAIRS_TSV", help="check maskdb's values of these pairs")
    parser.add_argument("--tolerance", type=float, default=1e-6, help="for Pearson (--check)")
    parser.add_argument("--semantics", default="keep", choices=["keep", "perturb", "attribution"], help="of A (and of B unless --semantics-b)")
    parser.add_argument("--semantics-b", choices=["keep", "perturb", "attribution"])
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--top-percent", type=float, default=5.0)
    parser.add_argument("--domain", choices=["atlas", "grid"], default="atlas")
    parser.add_argument("--atlas", default=str(AAL2))
    args = parser.parse_args()
    if args.check:
        sys.exit(check(args))
    if not (args.a and args.b):
        parser.error("give two files, or --check PAIRS_TSV")
    print(json.dumps(measures(args.a, args.b, args.semantics, args.semantics_b or args.semantics, args)))


if __name__ == "__main__":
    main()
