#!/usr/bin/env python3
"""Python baseline for `maskdb import masks`: the same work, written as a scientist would.

For every row of a manifest (TSV: path, fold, run, lambda1, lambda2; paths relative to the
manifest's folder) it reads the file, hashes it (sha256), decodes it with nibabel,
validates it (3D or trailing singleton dimensions, no NaN, values in [0, 1] +- 1e-3),
computes the per-region mean of p = 1 - m (keep masks) over AAL2 with each region's
voxel count, and stores the compressed file bytes, the mask record and its densities in
SQLite (one transaction, SQLite's default rollback journal, as maskdb uses).

Two variants compute the densities:

  numpy    per-region sums and counts with `np.bincount` over the atlas's labels: one
           vectorized pass per mask, the fast code a numpy user writes (about 10 masks/s
           on real-size masks, as the project's performance issue states). The atlas is
           loaded once and resampled (nearest) only if a mask's grid differs from it.
  nilearn  `NiftiLabelsMasker(labels_img=atlas, strategy="mean")`, fitted once and
           `transform`ed per mask; voxel counts come from the atlas.

Usage:
  python3 Benchmarks/baseline.py --manifest M.tsv --db OUT.sqlite --variant numpy|nilearn \
      [--atlas Atlases/atlas-AAL2_dseg.nii.gz --labels Atlases/atlas-AAL2_dseg.tsv] [--repeat K]

The time is wall-clock (time.perf_counter) around the whole import: opening the database,
loading the atlas, every row, the commit. Interpreter start and library imports are not
timed. With --repeat K the import runs K times, each into a fresh database at --db (the
previous run's file is deleted first; the last run's database is kept), and the median is
reported. peak_rss_mb is the process's peak resident set size (over all runs).

It refuses to overwrite an existing --db. A bad row aborts the import (nothing is
committed) with a message naming the manifest line and file, and exit status 1.
"""

import argparse
import csv
import hashlib
import math
import os
import resource
import sqlite3
import statistics
import sys
import time
import warnings
from pathlib import Path

import nibabel as nib
import numpy as np
from nilearn.image import resample_to_img
from nilearn.maskers import NiftiLabelsMasker

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ATLAS = REPO / "Atlases" / "atlas-AAL2_dseg.nii.gz"
DEFAULT_LABELS = REPO / "Atlases" / "atlas-AAL2_dseg.tsv"
RANGE_TOLERANCE = 1e-3
COLUMNS = ("path", "fold", "run", "lambda1", "lambda2")

SCHEMA = """
CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    bytes  BLOB NOT NULL
);
CREATE TABLE masks (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL REFERENCES blobs(sha256),
    fold        INTEGER NOT NULL,
    run         INTEGER NOT NULL,
    lambda1     REAL NOT NULL,
    lambda2     REAL NOT NULL,
    source_path TEXT NOT NULL
);
CREATE TABLE mask_densities (
    mask_id INTEGER NOT NULL REFERENCES masks(id),
    label   INTEGER NOT NULL,
    density REAL,
    voxels  INTEGER NOT NULL,
    PRIMARY KEY (mask_id, label)
) WITHOUT ROWID;
"""


class BadInput(Exception):
    """A problem with the manifest, a row or a file; the message says where."""


def read_manifest(path):
    """The manifest's rows as (line number, path, fold, run, lambda1, lambda2)."""
    try:
        with open(path, newline="") as f:
            reader = csv.DictReader(f, delimiter="\t")
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise BadInput(f"{path}: manifest lacks column(s) {', '.join(missing)}")
            rows = []
            for record in reader:
                line = reader.line_num
                where = f"{path} line {line}"
                try:
                    source = (record["path"] or "").strip()
                    if not source:
                        raise ValueError("empty path")
                    fold, run = int(record["fold"]), int(record["run"])
                    if fold < 0 or run < 0:
                        raise ValueError("fold and run must be >= 0")
                    lambda1, lambda2 = float(record["lambda1"]), float(record["lambda2"])
                    if not (math.isfinite(lambda1) and math.isfinite(lambda2)):
                        raise ValueError("lambda1 and lambda2 must be finite")
                except (TypeError, ValueError) as error:
                    raise BadInput(f"{where}: {error}") from None
                rows.append((line, source, fold, run, lambda1, lambda2))
    except OSError as error:
        raise BadInput(f"cannot read manifest {path}: {error.strerror}") from None
    if not rows:
        raise BadInput(f"{path}: manifest has no rows")
    return rows


def read_labels(path):
    """The atlas's region labels (roi_value column), background 0 left out, ascending."""
    with open(path, newline="") as f:
        labels = sorted(int(r["roi_value"]) for r in csv.DictReader(f, delimiter="\t"))
    return [label for label in labels if label != 0]


class AtlasOnGrids:
    """The atlas's label array on each grid met, resampled (nearest) once per grid."""

    def __init__(self, atlas_img, labels):
        self.img = atlas_img
        self.labels = labels
        self.grids = [(atlas_img.shape[:3], atlas_img.affine,
                       np.asarray(atlas_img.dataobj).astype(np.int32))]

    def on_grid_of(self, img):
        shape = img.shape[:3]
        for known_shape, affine, data in self.grids:
            if known_shape == shape and np.allclose(affine, img.affine, atol=1e-5):
                return data
        target = nib.Nifti1Image(np.zeros(shape, dtype=np.uint8), img.affine)
        resampled = resample_to_img(self.img, target, interpolation="nearest")
        data = np.asarray(resampled.dataobj).astype(np.int32)
        self.grids.append((shape, img.affine, data))
        return data


def densities_numpy(p, atlas_data, labels):
    """Per label, the mean of p over the label's voxels: sums and counts in one bincount pass."""
    flat = atlas_data.ravel()
    size = max(labels) + 1
    sums = np.bincount(flat, weights=p.ravel(), minlength=size)
    counts = np.bincount(flat, minlength=size)
    return [(label, float(sums[label] / counts[label]) if counts[label] else None, int(counts[label]))
            for label in labels]


class NilearnDensities:
    """NiftiLabelsMasker(strategy="mean") fitted once; voxel counts from the atlas."""

    def __init__(self, atlas_img, labels):
        self.labels = labels
        self.masker = NiftiLabelsMasker(labels_img=atlas_img, strategy="mean")
        self.masker.fit()
        self.counts = {}

    def __call__(self, p, affine, atlas_data):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 3D-input deprecation notices, one per call
            signals = np.ravel(self.masker.transform(nib.Nifti1Image(p, affine)))
        ids = self.masker.region_ids_
        means = {int(ids[i]): float(signals[i]) for i in range(len(signals))}
        key = id(atlas_data)
        if key not in self.counts:
            values, counts = np.unique(atlas_data, return_counts=True)
            self.counts[key] = dict(zip(values.tolist(), counts.tolist()))
        counts = self.counts[key]
        return [(label, means.get(label) if counts.get(label, 0) else None, counts.get(label, 0))
                for label in self.labels]


def load_mask(path):
    """The file's bytes, its sha256 and its values as a validated 3D float32 array."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot read it: {error.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        img = nib.load(path)
        m = img.get_fdata(dtype=np.float32)
    except Exception as error:  # nibabel raises many kinds on a damaged file
        raise BadInput(f"not a readable NIfTI image: {error}") from None
    if m.ndim > 3:
        if any(n != 1 for n in m.shape[3:]):
            raise BadInput(f"several volumes (shape {m.shape}); a mask is 3D")
        m = m.reshape(m.shape[:3])
    elif m.ndim < 3:
        m = m.reshape(m.shape + (1,) * (3 - m.ndim))
    nan = int(np.isnan(m).sum())
    if nan:
        raise BadInput(f"{nan} NaN voxel(s)")
    low, high = float(m.min()), float(m.max())
    if low < -RANGE_TOLERANCE or high > 1 + RANGE_TOLERANCE:
        outside = int(((m < -RANGE_TOLERANCE) | (m > 1 + RANGE_TOLERANCE)).sum())
        raise BadInput(f"{outside} voxel(s) outside [0, 1] +- {RANGE_TOLERANCE:g} (from {low:g} to {high:g})")
    return data, digest, img, m


def import_masks(manifest, db_path, variant, atlas_path, labels_path):
    """One whole import into a new database; returns the number of masks."""
    rows = read_manifest(manifest)
    folder = Path(manifest).resolve().parent
    db = sqlite3.connect(db_path, isolation_level=None)
    try:
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(SCHEMA)
        atlas_img = nib.load(atlas_path)
        labels = read_labels(labels_path)
        atlas = AtlasOnGrids(atlas_img, labels)
        nilearn_densities = NilearnDensities(atlas_img, labels) if variant == "nilearn" else None
        db.execute("BEGIN")
        for line, source, fold, run, lambda1, lambda2 in rows:
            path = folder / source
            try:
                data, digest, img, m = load_mask(path)
                atlas_data = atlas.on_grid_of(img)
                if not (atlas_data != 0).any():
                    raise BadInput("no voxel overlaps the atlas")
                p = 1.0 - m  # keep masks: the perturbation is 1 - m
                if nilearn_densities is None:
                    densities = densities_numpy(p, atlas_data, labels)
                else:
                    densities = nilearn_densities(p, img.affine, atlas_data)
            except BadInput as error:
                raise BadInput(f"{manifest} line {line}: {path}: {error}") from None
            db.execute("INSERT OR IGNORE INTO blobs (sha256, size, bytes) VALUES (?, ?, ?)",
                       (digest, len(data), data))
            mask_id = db.execute(
                "INSERT INTO masks (sha256, fold, run, lambda1, lambda2, source_path) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (digest, fold, run, lambda1, lambda2, str(path))).lastrowid
            db.executemany(
                "INSERT INTO mask_densities (mask_id, label, density, voxels) VALUES (?, ?, ?, ?)",
                [(mask_id, label, density, voxels) for label, density, voxels in densities])
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()
    return len(rows)


def remove_database(path):
    for suffix in ("", "-journal"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--manifest", required=True, help="TSV: path, fold, run, lambda1, lambda2")
    parser.add_argument("--db", required=True, help="SQLite database to create (must not exist)")
    parser.add_argument("--variant", required=True, choices=("numpy", "nilearn"))
    parser.add_argument("--atlas", default=str(DEFAULT_ATLAS))
    parser.add_argument("--labels", default=str(DEFAULT_LABELS))
    parser.add_argument("--repeat", type=int, default=1, help="runs into fresh databases; the median is reported")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if os.path.exists(args.db):
        sys.exit(f"baseline.py: {args.db} exists; give a new path (it is not overwritten)")

    seconds = []
    masks = 0
    for index in range(args.repeat):
        if index:
            remove_database(args.db)
        start = time.perf_counter()
        try:
            masks = import_masks(args.manifest, args.db, args.variant, args.atlas, args.labels)
        except BadInput as error:
            remove_database(args.db)
            sys.exit(f"baseline.py: {error}")
        seconds.append(time.perf_counter() - start)
        if args.repeat > 1:
            print(f"run {index + 1}/{args.repeat}: {seconds[-1]:.2f} s", file=sys.stderr)

    median = statistics.median(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    line = (f"variant={args.variant} masks={masks} seconds={median:.2f} "
            f"masks_per_second={masks / median:.2f} peak_rss_mb={peak_mb:.0f}")
    if args.repeat > 1:
        line += f" repeat={args.repeat} runs={','.join(f'{s:.2f}' for s in seconds)}"
    print(line)


if __name__ == "__main__":
    main()
