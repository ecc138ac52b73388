#!/usr/bin/env python3
"""Cross-check the maskdb binary against nibabel and nilearn.

Generates a deterministic corpus of NIfTI files in a work directory, runs
maskdb on each file and compares its output with independent references:

* ``maskdb inspect FILE --format json`` against nibabel (header fields, affine,
  data type, byte order and NaN-aware statistics of the scaled voxel values);
* ``maskdb densities FILE --format csv [--semantics keep|perturb]`` against
  nilearn's ``NiftiLabelsMasker(strategy="mean")`` on the AAL2 atlas (labels
  resampled nearest-neighbour onto the mask grid) and against a numpy mean per
  label on the same resampled atlas;
* two ClinicaDL 1.6.1 MAPS (runs 0 and 1: 2 splits x 2 selection metrics x 2
  interpretations, mean and individual maps, written as ClinicaDL writes them:
  float32, identity affine, shape (1, X, Y, Z)) imported by ``maskdb import
  clinicadl``, against numpy and nilearn on the same arrays placed on the CAPS
  grid: every map's densities, ``similarity --by run``, ``robustness``,
  ``robustness --metric`` (Pearson, Spearman, stability, top-k Jaccard against scipy and
  numpy pair by pair), ``top-rois`` and the report's tables;
* error behaviour on broken or invalid inputs (exit status 1, empty stdout,
  exactly one stderr line ``maskdb: error: ...`` naming the file, < 1 s).

Every check prints ``PASS name`` or ``FAIL name: detail``; the last line is
``N passed, M failed`` and the exit status is 1 if any check failed.
Checks named ``ref:...`` test the reference side only (nibabel/nilearn
agreeing with themselves and with the documented resampling rule); they do
not run maskdb.

Usage:
    python3 Scripts/crosscheck.py --maskdb .build/debug/maskdb
    python3 Scripts/crosscheck.py --generate-only      # no binary needed
Options: --workdir DIR (kept afterwards), --keep (keep the temporary
workdir), --atlas/--labels (AAL2 NIfTI and TSV), --only SUBSTRING.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import inspect as pyinspect
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

warnings.filterwarnings("ignore")
import logging  # noqa: E402

logging.getLogger("nibabel").setLevel(logging.ERROR)

import nibabel as nib  # noqa: E402
from scipy import stats as scipy_stats  # noqa: E402

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_DIR = SCRIPT_DIR.parent
ATLAS_NAME = "atlas-AAL2_dseg.nii.gz"
LABELS_NAME = "atlas-AAL2_dseg.tsv"
# The atlas lives in <repo>/Atlases; before it is copied there it sits in the
# shared folder next to the repository.
ATLAS_DIRS = [REPO_DIR / "Atlases", REPO_DIR.parent / "shared" / "atlases"]

DEFAULT_TIMEOUT = 120.0  # seconds for ordinary maskdb runs
ERROR_TIME_LIMIT = 1.0  # seconds allowed for maskdb to reject a bad file
AFFINE_TOL = 1e-4
STAT_REL_TOL = 1e-5
DENSITY_TOL = 1e-5

# datatype name used by maskdb -> numpy dtype (native/little endian)
DTYPES = {
    "uint8": np.uint8,
    "int8": np.int8,
    "int16": np.int16,
    "uint16": np.uint16,
    "int32": np.int32,
    "uint32": np.uint32,
    "int64": np.int64,
    "uint64": np.uint64,
    "float32": np.float32,
    "float64": np.float64,
}


# --------------------------------------------------------------------------
# Reporting and running maskdb
# --------------------------------------------------------------------------


class Results:
    """Collects PASS/FAIL lines and prints them as they come."""

    def __init__(self, only: str | None = None):
        self.passed = 0
        self.failed = 0
        self.only = only

    def wanted(self, name: str) -> bool:
        return self.only is None or self.only in name

    def record(self, name: str, problems: list[str]) -> None:
        if problems:
            self.failed += 1
            detail = "; ".join(problems)
            print(f"FAIL {name}: {detail}", flush=True)
        else:
            self.passed += 1
            print(f"PASS {name}", flush=True)

    def run(self, name: str, func, *args, **kwargs) -> None:
        """Run one check function returning a list of problems."""
        if not self.wanted(name):
            return
        try:
            problems = func(*args, **kwargs)
        except Exception as exc:  # a crashing check is a failing check
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            problems = [f"check raised {type(exc).__name__}: {exc} (at {frame.name}, line {frame.lineno})"]
        self.record(name, problems)


@dataclass
class Run:
    rc: int | None  # None: timed out or could not start
    stdout: str
    stderr: str
    elapsed: float
    note: str = ""

    def describe(self) -> str:
        err = self.stderr.strip().replace("\n", "\\n")
        if len(err) > 300:
            err = err[:300] + "..."
        return f"exit={self.rc} {self.note}stderr={err!r}"


def run_maskdb(maskdb: str, args: list[str], timeout: float = DEFAULT_TIMEOUT) -> Run:
    """Run the maskdb binary with args; never raises."""
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [maskdb, *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")
        err = (exc.stderr or b"").decode("utf-8", "replace")
        return Run(None, out, err, time.monotonic() - start, f"(timed out after {timeout:g}s) ")
    except OSError as exc:
        return Run(None, "", "", time.monotonic() - start, f"(could not start: {exc}) ")
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
        time.monotonic() - start,
    )


def close(got, expected, rel=STAT_REL_TOL, abs_tol=1e-9) -> bool:
    try:
        return math.isclose(float(got), float(expected), rel_tol=rel, abs_tol=abs_tol)
    except (TypeError, ValueError):
        return False


def fmt(x) -> str:
    if isinstance(x, float):
        return f"{x:.9g}"
    return repr(x)


# --------------------------------------------------------------------------
# Writing NIfTI files
# --------------------------------------------------------------------------


def save(img, path: Path) -> Path:
    nib.save(img, str(path))
    return path


def gzip_bytes(raw: bytes) -> bytes:
    # mtime=0 keeps the corpus byte-for-byte reproducible
    return gzip.compress(raw, compresslevel=6, mtime=0)


def nii_bytes(img) -> bytes:
    """Serialise an image as single-file .nii bytes."""
    tmp = tempfile.NamedTemporaryFile(suffix=".nii", delete=False)
    tmp.close()
    try:
        nib.save(img, tmp.name)
        return Path(tmp.name).read_bytes()
    finally:
        os.unlink(tmp.name)


def make_image(data, affine, klass=nib.Nifti1Image, dtype=None):
    if dtype is None:
        dtype = data.dtype
    return klass(data, affine, dtype=np.dtype(dtype).newbyteorder("="))


def big_endian(img, klass=nib.Nifti1Image):
    """Return a copy of img whose header (and hence file) is big-endian."""
    data = np.asanyarray(img.dataobj)
    hdr = img.header.as_byteswapped(">")
    return klass(data.astype(data.dtype.newbyteorder(">")), None, hdr)


def small_affine() -> np.ndarray:
    aff = np.diag([2.0, 2.5, 3.0, 1.0])
    aff[:3, 3] = [-7.0, 12.5, -30.25]
    return aff


def sample_values(rng: np.random.Generator, dtype_name: str, shape) -> np.ndarray:
    """Deterministic test data covering the interesting range of a dtype."""
    dt = np.dtype(DTYPES[dtype_name])
    n = int(np.prod(shape))
    if dt.kind == "f":
        vals = rng.normal(0.0, 100.0, n).astype(dt)
        vals[3] = 1e-3
        vals[4] = -123456.75
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        if dt.itemsize <= 4:
            vals = rng.integers(info.min, info.max, n, endpoint=True, dtype=np.int64)
            vals[0], vals[1] = info.min, info.max
        else:
            # 64-bit: keep the sum well-conditioned in float64 but use values
            # that need all 8 bytes (and, for uint64, the top bit).
            vals = rng.integers(-(2**40) if dt.kind == "i" else 0, 2**40, n, dtype=np.int64)
            vals = vals.astype(dt)
            if dt.kind == "i":
                vals[0] = -(2**62)
            else:
                vals[0] = np.uint64(2**63 + 12345)
        vals = vals.astype(dt)
    else:
        raise ValueError(dtype_name)
    return vals.reshape(shape)


# --------------------------------------------------------------------------
# inspect: corpus and checks
# --------------------------------------------------------------------------


@dataclass
class InspectCase:
    name: str
    path: Path
    notes: list[str] = field(default_factory=list)  # corpus sanity problems


def build_inspect_corpus(workdir: Path) -> list[InspectCase]:
    out = workdir / "inspect"
    out.mkdir(parents=True, exist_ok=True)
    cases: list[InspectCase] = []
    shape = (7, 6, 5)
    aff = small_affine()

    def add(name, path, notes=None):
        cases.append(InspectCase(name, Path(path), notes or []))

    # 1. every datatype, .nii and .nii.gz, native (little) endian
    for i, dname in enumerate(DTYPES):
        rng = np.random.default_rng(1000 + i)
        data = sample_values(rng, dname, shape)
        img = make_image(data, aff)
        for ext in ("nii", "nii.gz"):
            add(f"le-{dname}.{ext}", save(img, out / f"le_{dname}.{ext}"))

    # 2. big-endian NIfTI-1 (FSL style)
    for i, dname in enumerate(["float32", "int16", "uint16", "int32", "float64", "uint8", "int64"]):
        rng = np.random.default_rng(2000 + i)
        img = big_endian(make_image(sample_values(rng, dname, shape), aff))
        for ext in ("nii", "nii.gz"):
            p = save(img, out / f"be_{dname}.{ext}")
            add(f"be-{dname}.{ext}", p, check_sizeof_hdr(p, 348, ">"))

    # 3. NIfTI-2, little and big endian
    for i, dname in enumerate(["float32", "int16", "uint8", "float64"]):
        rng = np.random.default_rng(3000 + i)
        img = make_image(sample_values(rng, dname, shape), aff, klass=nib.Nifti2Image)
        for ext in ("nii", "nii.gz"):
            p = save(img, out / f"n2_le_{dname}.{ext}")
            add(f"nifti2-le-{dname}.{ext}", p, check_sizeof_hdr(p, 540, "<"))
        img_be = big_endian(img, klass=nib.Nifti2Image)
        for ext in ("nii", "nii.gz"):
            p = save(img_be, out / f"n2_be_{dname}.{ext}")
            add(f"nifti2-be-{dname}.{ext}", p, check_sizeof_hdr(p, 540, ">"))

    # 4. scaled integers (scl_slope / scl_inter)
    scaled = [
        ("int16", 0.01, -3.0, np.int16),
        ("uint8", 1.0 / 255.0, 0.0, np.uint8),
        ("uint8-inter", 0.5, 10.0, np.uint8),
    ]
    for i, (label, slope, inter, dt) in enumerate(scaled):
        rng = np.random.default_rng(4000 + i)
        info = np.iinfo(dt)
        raw = rng.integers(info.min, info.max, int(np.prod(shape)), endpoint=True).astype(dt)
        raw[0], raw[1] = info.min, info.max
        raw = raw.reshape(shape)
        img = make_image(raw, aff)
        img.header.set_slope_inter(slope, inter)
        for ext in ("nii", "nii.gz"):
            p = save(img, out / f"scaled_{label}.{ext}")
            add(f"scaled-{label}.{ext}", p, check_scaling(p, raw, slope, inter))
        img_be = big_endian(make_image(raw, aff))
        img_be.header.set_slope_inter(slope, inter)
        p = save(img_be, out / f"scaled_be_{label}.nii.gz")
        add(f"scaled-be-{label}.nii.gz", p, check_scaling(p, raw, slope, inter) + check_sizeof_hdr(p, 348, ">"))

    # 5. qform only: 30 degrees about z, negative determinant (qfac -1)
    th = np.deg2rad(30.0)
    rot = np.array([[np.cos(th), -np.sin(th), 0.0], [np.sin(th), np.cos(th), 0.0], [0.0, 0.0, 1.0]])
    qaff = np.eye(4)
    qaff[:3, :3] = rot @ np.diag([2.0, 2.0, -2.5])
    qaff[:3, 3] = [10.0, -20.0, 30.0]
    data = sample_values(np.random.default_rng(5000), "float32", shape)
    img = nib.Nifti1Image(data, None)
    img.header.set_qform(qaff, code=1)
    img.header.set_sform(None, code=0)
    p = save(img, out / "qform_only.nii")
    add("qform-only-rot30-qfac-1.nii", p, check_codes(p, sform=0, qform=1, qfac=-1.0, affine=qaff))

    # 6. pixdim only (both codes 0): nibabel falls back to its Analyze-style
    #    base affine (x flipped, centred on the middle voxel)
    img = nib.Nifti1Image(data, None)
    img.header.set_zooms((2.0, 2.5, 3.0))
    img.header.set_qform(None, code=0)
    img.header.set_sform(None, code=0)
    p = save(img, out / "pixdim_only.nii")
    add("pixdim-only.nii", p, check_codes(p, sform=0, qform=0))

    # 7. 4D files
    data4 = sample_values(np.random.default_rng(6000), "float32", (7, 6, 5, 3))
    add("4d-7x6x5x3.nii.gz", save(make_image(data4, aff), out / "4d.nii.gz"))
    data41 = data4[..., :1].copy()
    p = save(make_image(data41, aff), out / "4d_last1.nii")
    add("4d-7x6x5x1.nii", p, [] if nib.load(str(p)).shape == (7, 6, 5, 1) else ["nibabel lost trailing dim 1"])

    # 8. NaNs
    data = sample_values(np.random.default_rng(7000), "float32", shape)
    flat = data.reshape(-1)
    flat[[0, 5, 17, 100, 209]] = np.nan
    add("nans-float32.nii.gz", save(make_image(data, aff), out / "nans.nii.gz"))
    add("all-nan-float32.nii", save(make_image(np.full(shape, np.nan, np.float32), aff), out / "all_nan.nii"))

    # 9. multi-member gzip (two members; split in the data and in the header)
    data = sample_values(np.random.default_rng(8000), "float32", shape)
    raw = nii_bytes(make_image(data, aff))
    for label, cut in (("split-data", len(raw) // 2), ("split-header", 100)):
        p = out / f"multimember_{label}.nii.gz"
        p.write_bytes(gzip_bytes(raw[:cut]) + gzip_bytes(raw[cut:]))
        notes = [] if np.array_equal(nib.load(str(p)).get_fdata(), data.astype(np.float64)) else ["nibabel misread"]
        add(f"multimember-gzip-{label}.nii.gz", p, notes)

    # 10. real size (Clinica/AAL2 grid) float32 .nii.gz
    rng = np.random.default_rng(9000)
    big = rng.random((121, 145, 121), dtype=np.float32)
    big[big < 0.3] = 0.0
    aal_aff = np.diag([1.5, 1.5, 1.5, 1.0])
    aal_aff[:3, 3] = [-90.0, -126.0, -72.0]
    add("realsize-121x145x121-float32.nii.gz", save(make_image(big, aal_aff), out / "realsize.nii.gz"))
    return cases


def read_head(path: Path, n: int) -> bytes:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as f:
        return f.read(n)


def check_sizeof_hdr(path: Path, size: int, order: str) -> list[str]:
    want = size.to_bytes(4, "big" if order == ">" else "little")
    got = read_head(path, 4)
    if got != want:
        return [f"corpus: sizeof_hdr bytes {got.hex()} != {want.hex()}"]
    img = nib.load(str(path))
    if img.header.endianness != order:
        return [f"corpus: nibabel reads endianness {img.header.endianness}"]
    return []


def check_scaling(path: Path, raw, slope, inter) -> list[str]:
    img = nib.load(str(path))
    want = raw.astype(np.float64) * np.float64(np.float32(slope)) + np.float64(np.float32(inter))
    if img.get_data_dtype().newbyteorder("=") != raw.dtype:
        return [f"corpus: on-disk dtype {img.get_data_dtype()} != {raw.dtype}"]
    if not np.allclose(img.get_fdata(), want, rtol=1e-7, atol=1e-7):
        return ["corpus: nibabel get_fdata is not the scaled raw data"]
    return []


def check_codes(path: Path, sform, qform, qfac=None, affine=None) -> list[str]:
    img = nib.load(str(path))
    h = img.header
    probs = []
    if int(h["sform_code"]) != sform or int(h["qform_code"]) != qform:
        probs.append(f"corpus: codes sform={h['sform_code']} qform={h['qform_code']}")
    if qfac is not None and float(h["pixdim"][0]) != qfac:
        probs.append(f"corpus: qfac {h['pixdim'][0]}")
    if affine is not None and not np.allclose(h.get_best_affine(), affine, atol=1e-4):
        probs.append("corpus: affine not stored as intended")
    return probs


def inspect_reference(path: Path) -> dict:
    """What maskdb inspect should report, according to nibabel."""
    img = nib.load(str(path))
    hdr = img.header
    data = img.get_fdata(dtype=np.float64)
    finite = data[~np.isnan(data)]
    if int(hdr["sform_code"]) > 0:
        source = "sform"
    elif int(hdr["qform_code"]) > 0:
        source = "qform"
    else:
        source = "pixdim"
    dt = img.get_data_dtype().newbyteorder("=")
    names = {np.dtype(v): k for k, v in DTYPES.items()}
    slope = img.dataobj.slope
    inter = img.dataobj.inter
    scaled = not (slope == 1.0 and inter == 0.0)
    return {
        "format": "nifti2" if isinstance(hdr, nib.Nifti2Header) else "nifti1",
        "dims": list(img.shape),
        "datatype": names.get(dt, str(dt)),
        "byte_order": "big" if hdr.endianness == ">" else "little",
        "affine": hdr.get_best_affine(),
        "affine_source": source,
        "pixdim": np.asarray(hdr["pixdim"], dtype=np.float64),
        "scaled": scaled,
        "scl_slope": float(slope),
        "scl_inter": float(inter),
        "min": float(finite.min()) if finite.size else None,
        "max": float(finite.max()) if finite.size else None,
        "mean": float(finite.mean()) if finite.size else None,
        "sum": float(finite.sum()),
        "abs_sum": float(np.abs(finite).sum()),
        "nan_count": int(np.isnan(data).sum()),
    }


def compare_inspect(got: dict, ref: dict, path: Path) -> list[str]:
    probs: list[str] = []

    def mismatch(key, exp):
        probs.append(f"{key}: expected {fmt(exp)}, got {fmt(got.get(key))}")

    for key in ("path", "format", "dims", "datatype", "byte_order", "pixdim", "affine", "affine_source",
                "scl_slope", "scl_inter", "min", "max", "mean", "sum", "nan_count"):
        if key not in got:
            probs.append(f"missing key {key!r}")
    if probs:
        return probs
    if not isinstance(got["path"], str) or not got["path"].endswith(path.name):
        mismatch("path", str(path))
    for key in ("format", "dims", "datatype", "byte_order", "affine_source", "nan_count"):
        if got[key] != ref[key]:
            mismatch(key, ref[key])

    # affine: 4x4, absolute tolerance
    try:
        aff = np.asarray(got["affine"], dtype=np.float64)
        if aff.shape != (4, 4) or not np.allclose(aff, ref["affine"], rtol=0, atol=AFFINE_TOL):
            probs.append(f"affine: expected {np.round(ref['affine'], 6).tolist()}, got {got['affine']}")
    except (TypeError, ValueError):
        probs.append(f"affine: not a 4x4 number array: {got['affine']!r}")

    # pixdim: accept pixdim[1..ndim], pixdim[1..7] or all 8 (index 0 = qfac, may be normalised)
    try:
        pd = np.asarray(got["pixdim"], dtype=np.float64)
        full = ref["pixdim"]
        ndim = len(ref["dims"])
        ok = False
        if pd.shape == (ndim,):
            ok = np.allclose(pd, full[1 : ndim + 1], atol=1e-6)
        elif pd.shape == (7,):
            ok = np.allclose(pd, full[1:8], atol=1e-6)
        elif pd.shape == (8,):
            ok = np.allclose(pd[1:], full[1:], atol=1e-6)
        if not ok:
            probs.append(f"pixdim: expected {full[1:ndim + 1].tolist()} (pixdim[1..{ndim}]), got {got['pixdim']}")
    except (TypeError, ValueError):
        probs.append(f"pixdim: not a number array: {got['pixdim']!r}")

    # scaling: must match when it is in effect; unscaled files may report
    # null, NaN or (1, 0) -- nibabel writes NaN for "no scaling"
    if ref["scaled"]:
        for key in ("scl_slope", "scl_inter"):
            if got[key] is None or not close(got[key], ref[key], rel=1e-6, abs_tol=1e-9):
                mismatch(key, ref[key])

    # statistics
    scale = max(abs(ref["min"] or 0.0), abs(ref["max"] or 0.0), 1.0)
    for key in ("min", "max", "mean"):
        if ref[key] is None:
            if got[key] is not None and not (isinstance(got[key], float) and math.isnan(got[key])):
                mismatch(key, None)
        elif got[key] is None or not close(got[key], ref[key], abs_tol=1e-9 * scale):
            mismatch(key, ref[key])
    if got["sum"] is None or not close(got["sum"], ref["sum"], abs_tol=1e-9 * max(ref["abs_sum"], 1.0)):
        mismatch("sum", ref["sum"])
    return probs


def check_inspect(maskdb: str, case: InspectCase) -> list[str]:
    probs = list(case.notes)
    ref = inspect_reference(case.path)
    run = run_maskdb(maskdb, ["inspect", str(case.path), "--format", "json"])
    if run.rc != 0:
        return probs + [f"maskdb failed: {run.describe()}"]
    try:
        got = json.loads(run.stdout)
    except json.JSONDecodeError as exc:
        return probs + [f"stdout is not JSON ({exc}): {run.stdout[:200]!r}"]
    if not isinstance(got, dict):
        return probs + [f"JSON is not an object: {run.stdout[:200]!r}"]
    return probs + compare_inspect(got, ref, case.path)


# --------------------------------------------------------------------------
# densities: atlas, masks, references and checks
# --------------------------------------------------------------------------


@dataclass
class Atlas:
    img: object
    data: np.ndarray  # int labels on the atlas grid
    labels: list[int]  # region labels in ascending order (no background)
    names: dict[int, str]


def load_atlas(atlas_path: Path, labels_path: Path) -> Atlas:
    img = nib.load(str(atlas_path))
    data = np.asanyarray(img.dataobj).astype(np.int64)
    names: dict[int, str] = {}
    with open(labels_path, newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        header = next(reader)
        if [h.strip() for h in header[:2]] != ["roi_value", "roi_name"]:
            raise ValueError(f"unexpected TSV header {header}")
        for row in reader:
            if not row or not row[0].strip():
                continue
            value = int(row[0])
            if value != 0:
                names[value] = row[1].strip()
    return Atlas(img, data, sorted(names), names)


def aal_affine() -> np.ndarray:
    aff = np.diag([1.5, 1.5, 1.5, 1.0])
    aff[:3, 3] = [-90.0, -126.0, -72.0]
    return aff


def rotation(ax: float, ay: float, az: float) -> np.ndarray:
    ax, ay, az = np.deg2rad([ax, ay, az])
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    return rz @ ry @ rx


def blob_mask(shape, affine, seed: int, n_blobs: int = 5) -> np.ndarray:
    """Smooth Gaussian blobs (in world mm, so placed in the brain) + noise, in [0, 1]."""
    rng = np.random.default_rng(seed)
    idx = np.indices(shape, dtype=np.float64).reshape(3, -1)
    world = (affine[:3, :3] @ idx + affine[:3, 3:4]).reshape((3, *shape))
    m = np.zeros(shape)
    for _ in range(n_blobs):
        centre = rng.uniform([-60, -90, -40], [60, 50, 60])
        sigma = rng.uniform(8, 25)
        amp = rng.uniform(0.6, 1.6)
        d2 = sum((world[a] - centre[a]) ** 2 for a in range(3))
        m += amp * np.exp(-d2 / (2 * sigma**2))
    m += rng.uniform(-0.08, 0.08, shape)
    return np.clip(m, 0.0, 1.0)


@dataclass
class MaskCase:
    name: str
    path: Path
    semantics: list[str]


def build_density_masks(workdir: Path) -> list[MaskCase]:
    out = workdir / "densities"
    out.mkdir(parents=True, exist_ok=True)
    cases = []

    # 1. the AAL2 grid itself (no resampling)
    aff = aal_affine()
    m = blob_mask((121, 145, 121), aff, seed=11).astype(np.float32)
    p = save(make_image(m, aff), out / "mask_aal2grid.nii.gz")
    cases.append(MaskCase("aal2-grid-float32", p, ["default", "keep", "perturb"]))

    # 2. MNI-like 2 mm grid, x flipped
    aff = np.diag([-2.0, 2.0, 2.0, 1.0])
    aff[:3, 3] = [90.0, -126.0, -72.0]
    m = blob_mask((91, 109, 91), aff, seed=12).astype(np.float32)
    p = save(make_image(m, aff), out / "mask_mni2mm.nii.gz")
    cases.append(MaskCase("mni-2mm-xflip", p, ["keep", "perturb"]))

    # 3. 1.5 mm, pure half-voxel shift: every source coordinate is exactly k + 0.5
    aff = aal_affine()
    aff[:3, 3] += 0.75
    m = blob_mask((121, 145, 121), aff, seed=13).astype(np.float32)
    p = save(make_image(m, aff), out / "mask_halfshift.nii.gz")
    cases.append(MaskCase("halfvoxel-shift-ties", p, ["keep"]))

    # 4. 1.5 mm, small rotation + half-voxel shift
    shape = (121, 145, 121)
    aff = np.eye(4)
    aff[:3, :3] = rotation(4.0, -2.5, 3.0) * 1.5
    centre_world = aal_affine() @ np.array([60, 72, 60, 1.0])
    aff[:3, 3] = centre_world[:3] - aff[:3, :3] @ np.array([60, 72, 60]) + 0.75
    m = blob_mask(shape, aff, seed=14).astype(np.float32)
    p = save(make_image(m, aff), out / "mask_rotated.nii.gz")
    cases.append(MaskCase("rotated-halfshift", p, ["keep", "perturb"]))

    # 5. uint8 with scl_slope = 1/255 (includes raw 255 -> 1.00000006 in float64)
    aff = aal_affine()
    m = blob_mask((121, 145, 121), aff, seed=15)
    raw = np.round(m * 255).astype(np.uint8)
    raw[60, 72, 60] = 255
    img = make_image(raw, aff)
    img.header.set_slope_inter(1.0 / 255.0, 0.0)
    p = save(img, out / "mask_uint8_scaled.nii.gz")
    cases.append(MaskCase("uint8-slope-1over255", p, ["keep", "perturb"]))

    # 6. small 3 mm field of view over part of the brain: most labels vanish
    aff = np.diag([3.0, 3.0, 3.0, 1.0])
    aff[:3, 3] = [-60.0, -60.0, -10.0]
    m = blob_mask((20, 20, 20), aff, seed=16).astype(np.float32)
    p = save(make_image(m, aff), out / "mask_partial_fov.nii")
    cases.append(MaskCase("partial-fov-3mm", p, ["keep"]))
    return cases


def perturbation(mask_img, semantics: str) -> np.ndarray:
    m = mask_img.get_fdata(dtype=np.float64)
    return m if semantics == "perturb" else 1.0 - m


def call_with_supported(func, *args, **kwargs):
    """Call func, dropping keyword arguments this nilearn version lacks."""
    try:
        params = pyinspect.signature(func).parameters
    except (TypeError, ValueError):
        params = {}
    if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in params}
    return func(*args, **kwargs)


def resample_labels_nilearn(atlas: Atlas, target_img) -> np.ndarray:
    from nilearn.image import resample_to_img

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = call_with_supported(
            resample_to_img, atlas.img, target_img, interpolation="nearest", force_resample=True, copy_header=True
        )
    return np.asarray(res.dataobj).astype(np.int64)


def resample_labels_rule(atlas: Atlas, shape, affine) -> np.ndarray:
    """Nearest neighbour as nilearn/scipy do it (order=0, mode='constant').

    Source voxel coordinate c = inv(atlas_affine) @ target_affine @ ijk.
    A coordinate is outside (label 0) when c < 0 or c > n - 1 on any axis,
    with no tolerance; otherwise the label at floor(c + 0.5) is taken
    (ties round up).  Identical affines (np.allclose) mean no resampling.
    """
    from scipy import linalg

    src_aff = atlas.img.affine
    if tuple(shape) == atlas.data.shape and np.allclose(affine, src_aff):
        return atlas.data.copy()
    t = np.dot(linalg.inv(src_aff), affine)
    ijk = np.indices(shape, dtype=np.float64).reshape(3, -1)
    out = np.zeros(ijk.shape[1], dtype=np.int64)
    inside = np.ones(ijk.shape[1], dtype=bool)
    idx = []
    for d in range(3):
        c = t[d, 3] + t[d, 0] * ijk[0] + t[d, 1] * ijk[1] + t[d, 2] * ijk[2]
        n = atlas.data.shape[d]
        inside &= (c >= 0) & (c <= n - 1)
        idx.append(np.clip(np.floor(c + 0.5), 0, n - 1).astype(np.int64))
    out[inside] = atlas.data[idx[0][inside], idx[1][inside], idx[2][inside]]
    return out.reshape(shape)


def nilearn_masker_means(atlas: Atlas, p_img, present_labels: list[int]) -> dict[int, float]:
    try:
        from nilearn.maskers import NiftiLabelsMasker
    except ImportError:  # nilearn < 0.9
        from nilearn.input_data import NiftiLabelsMasker

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        masker = call_with_supported(
            NiftiLabelsMasker,
            labels_img=atlas.img,
            strategy="mean",
            resampling_target="data",
        )
        values = np.asarray(masker.fit_transform(p_img), dtype=np.float64).reshape(-1)
    # nilearn drops labels that vanish when the atlas is resampled onto the
    # data grid (with a UserWarning); some older versions kept them.
    if values.size == len(present_labels):
        columns = present_labels
    elif values.size == len(atlas.labels):
        columns = atlas.labels
    else:
        raise RuntimeError(
            f"NiftiLabelsMasker returned {values.size} values for {len(present_labels)} present labels"
        )
    return dict(zip(columns, values.tolist()))


@dataclass
class DensityRef:
    counts: dict[int, int]  # voxels per label on the mask grid
    nilearn: dict[int, float]  # NiftiLabelsMasker mean per present label
    numpy: dict[int, float]  # bincount mean per present label
    rule_diff: int  # voxels where the documented rule disagrees with nilearn


def density_reference(atlas: Atlas, mask_path: Path, semantics: str) -> DensityRef:
    mask_img = nib.load(str(mask_path))
    p = perturbation(mask_img, semantics)
    p_img = nib.Nifti1Image(p, mask_img.affine)
    resampled = resample_labels_nilearn(atlas, mask_img)
    rule = resample_labels_rule(atlas, mask_img.shape[:3], mask_img.affine)
    rule_diff = int((rule != resampled).sum())

    flat_labels = resampled.reshape(-1)
    flat_p = np.nan_to_num(p.reshape(-1), nan=0.0)
    uniq, inv = np.unique(flat_labels, return_inverse=True)
    counts_arr = np.bincount(inv)
    sums_arr = np.bincount(inv, weights=flat_p)
    counts = {int(l): int(c) for l, c in zip(uniq, counts_arr) if l != 0}
    numpy_means = {int(l): float(s / c) for l, s, c in zip(uniq, sums_arr, counts_arr) if l != 0}
    present = sorted(counts)
    nl = nilearn_masker_means(atlas, p_img, present)
    return DensityRef(counts, nl, numpy_means, rule_diff)


def check_reference(atlas: Atlas, case: MaskCase, ref: DensityRef) -> list[str]:
    """The references must agree with each other before judging maskdb."""
    probs = []
    if ref.rule_diff:
        probs.append(f"nearest-neighbour rule disagrees with nilearn resample_to_img on {ref.rule_diff} voxels")
    unknown = set(ref.counts) - set(atlas.labels)
    if unknown:
        probs.append(f"resampled atlas has labels not in the TSV: {sorted(unknown)[:5]}")
    bad = [l for l in ref.numpy if abs(ref.numpy[l] - ref.nilearn.get(l, math.nan)) > 1e-6 or l not in ref.nilearn]
    if bad:
        l = bad[0]
        probs.append(f"nilearn vs numpy mean differ for {len(bad)} labels, e.g. {l}: "
                     f"{ref.nilearn.get(l)} vs {ref.numpy[l]}")
    return probs


def parse_density_csv(text: str):
    rows = list(csv.reader(io.StringIO(text)))
    while rows and not rows[-1]:
        rows.pop()
    return rows


def compare_densities(atlas: Atlas, ref: DensityRef, text: str) -> list[str]:
    rows = parse_density_csv(text)
    if not rows:
        return ["empty CSV output"]
    probs = []
    if rows[0] != ["label", "name", "density", "voxels"]:
        probs.append(f"header: expected 'label,name,density,voxels', got {','.join(rows[0])!r}")
    body = rows[1:]
    if len(body) != len(atlas.labels):
        probs.append(f"expected {len(atlas.labels)} rows, got {len(body)}")
    mismatches = []
    for i, label in enumerate(atlas.labels):
        if i >= len(body):
            break
        row = body[i]
        if len(row) != 4:
            mismatches.append(f"row {i + 1}: {len(row)} fields: {row!r}")
            continue
        g_label, g_name, g_density, g_voxels = row
        exp_voxels = ref.counts.get(label, 0)
        exp_density = ref.nilearn.get(label) if exp_voxels else None
        where = f"label {label}"
        if g_label.strip() != str(label):
            mismatches.append(f"row {i + 1}: label expected {label}, got {g_label!r}")
            continue
        if g_name != atlas.names[label]:
            mismatches.append(f"{where}: name expected {atlas.names[label]!r}, got {g_name!r}")
        if g_voxels.strip() != str(exp_voxels):
            mismatches.append(f"{where}: voxels expected {exp_voxels}, got {g_voxels!r}")
        if exp_density is None:
            if g_density.strip() != "":
                mismatches.append(f"{where}: density expected empty (0 voxels), got {g_density!r}")
        else:
            try:
                gd = float(g_density)
            except ValueError:
                mismatches.append(f"{where}: density expected {exp_density:.7f}, got {g_density!r}")
                continue
            if not (abs(gd - exp_density) <= DENSITY_TOL):
                mismatches.append(f"{where}: density expected {exp_density:.7f}, got {g_density}")
    if mismatches:
        shown = mismatches[:6]
        more = f" (+{len(mismatches) - 6} more)" if len(mismatches) > 6 else ""
        probs.append(f"{len(mismatches)} row mismatches: " + "; ".join(shown) + more)
    return probs


def check_densities(maskdb: str, atlas: Atlas, case: MaskCase, semantics: str, ref: DensityRef) -> list[str]:
    args = ["densities", str(case.path), "--format", "csv"]
    if semantics != "default":
        args += ["--semantics", semantics]
    run = run_maskdb(maskdb, args)
    if run.rc != 0:
        return [f"maskdb failed: {run.describe()}"]
    return compare_densities(atlas, ref, run.stdout)


# --------------------------------------------------------------------------
# error behaviour
# --------------------------------------------------------------------------


@dataclass
class ErrorCase:
    name: str
    path: Path
    commands: list[str]  # which subcommands must reject it


def build_error_corpus(workdir: Path) -> list[ErrorCase]:
    out = workdir / "errors"
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    aff = np.diag([-2.0, 2.0, 2.0, 1.0])
    aff[:3, 3] = [90.0, -126.0, -72.0]
    shape = (91, 109, 91)
    m = blob_mask(shape, aff, seed=21).astype(np.float32)
    good = nii_bytes(make_image(m, aff))
    good_gz = gzip_bytes(good)

    p = out / "truncated.nii.gz"
    p.write_bytes(good_gz[: len(good_gz) // 2])
    cases.append(ErrorCase("truncated-gzip", p, ["inspect", "densities"]))
    p = out / "truncated.nii"
    p.write_bytes(good[: len(good) // 2])
    cases.append(ErrorCase("truncated-nii", p, ["inspect", "densities"]))

    garbage = np.random.default_rng(22).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    for ext in ("nii", "nii.gz"):
        p = out / f"garbage.{ext}"
        p.write_bytes(garbage)
        cases.append(ErrorCase(f"garbage-bytes.{ext}", p, ["inspect", "densities"]))

    hdr = nib.Nifti1Header()
    hdr.set_data_dtype(np.float32)
    hdr.set_data_shape((10000, 10000, 10000))
    hdr.set_sform(aff, code=2)
    hdr["magic"] = b"n+1"
    hdr["vox_offset"] = 352
    huge = hdr.binaryblock + b"\x00" * 4 + b"\x00" * 64
    (out / "huge_header.nii").write_bytes(huge)
    cases.append(ErrorCase("huge-dims-tiny-file.nii", out / "huge_header.nii", ["inspect", "densities"]))
    (out / "huge_header.nii.gz").write_bytes(gzip_bytes(huge))
    cases.append(ErrorCase("huge-dims-tiny-file.nii.gz", out / "huge_header.nii.gz", ["inspect", "densities"]))

    bad = m.copy()
    bad[45, 50, 40] = bad[46, 50, 40] = bad[47, 50, 40] = 1.5
    p = save(make_image(bad, aff), out / "mask_values_1.5.nii.gz")
    cases.append(ErrorCase("mask-value-1.5", p, ["densities"]))

    bad = m.copy()
    bad[45, 50, 40] = bad[10, 10, 10] = np.nan
    p = save(make_image(bad, aff), out / "mask_with_nan.nii.gz")
    cases.append(ErrorCase("mask-with-nan", p, ["densities"]))

    vols = np.stack([m, m, m], axis=-1)
    p = save(make_image(vols, aff), out / "mask_4d_3vols.nii.gz")
    cases.append(ErrorCase("mask-4d-3-volumes", p, ["densities"]))
    return cases


def check_error(maskdb: str, case: ErrorCase, command: str) -> list[str]:
    args = [command, str(case.path)] + (["--json"] if command == "inspect" else ["--format", "csv"])
    run = run_maskdb(maskdb, args, timeout=max(10.0, 5 * ERROR_TIME_LIMIT))
    probs = []
    if run.rc != 1:
        probs.append(f"expected exit status 1, {run.describe()}")
    if run.stdout != "":
        probs.append(f"expected empty stdout, got {run.stdout[:120]!r}")
    lines = run.stderr.splitlines()
    if len(lines) != 1:
        probs.append(f"expected exactly one stderr line, got {len(lines)}: {run.stderr[:300]!r}")
    elif not lines[0].startswith("maskdb: error: "):
        probs.append(f"stderr must start with 'maskdb: error: ', got {lines[0][:200]!r}")
    elif case.path.name not in lines[0]:
        probs.append(f"stderr does not name the file {case.path.name!r}: {lines[0][:200]!r}")
    if run.elapsed > ERROR_TIME_LIMIT:
        probs.append(f"took {run.elapsed:.2f}s (limit {ERROR_TIME_LIMIT:g}s)")
    return probs


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------


def find_atlas_file(name: str, given: str | None) -> Path:
    if given:
        return Path(given)
    for d in ATLAS_DIRS:
        if (d / name).exists():
            return d / name
    return ATLAS_DIRS[0] / name


def default_maskdb() -> str | None:
    for p in (REPO_DIR / ".build" / "debug" / "maskdb", REPO_DIR / ".build" / "release" / "maskdb"):
        if p.exists():
            return str(p)
    return None


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--maskdb", help="path to the maskdb binary (default: .build/debug/maskdb if present)")
    ap.add_argument("--workdir", help="directory for the generated corpus (created; kept afterwards)")
    ap.add_argument("--atlas", help=f"AAL2 labels NIfTI (default: Atlases/{ATLAS_NAME})")
    ap.add_argument("--labels", help=f"AAL2 labels TSV (default: Atlases/{LABELS_NAME})")
    ap.add_argument("--keep", action="store_true", help="keep the temporary workdir")
    ap.add_argument("--only", help="run only checks whose name contains this substring")
    ap.add_argument("--generate-only", action="store_true",
                    help="build the corpus and run the reference (ref:) checks only, without maskdb")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    maskdb = None
    if not args.generate_only:
        maskdb = args.maskdb or default_maskdb()
        if maskdb is None:
            print("crosscheck: error: no maskdb binary; pass --maskdb PATH (or --generate-only)", file=sys.stderr)
            return 2
        maskdb = str(Path(maskdb).resolve())
        if not os.access(maskdb, os.X_OK):
            print(f"crosscheck: error: {maskdb} is not an executable file", file=sys.stderr)
            return 2
    atlas_path = find_atlas_file(ATLAS_NAME, args.atlas)
    labels_path = find_atlas_file(LABELS_NAME, args.labels)
    for p in (atlas_path, labels_path):
        if not p.exists():
            print(f"crosscheck: error: atlas file not found: {p}", file=sys.stderr)
            return 2

    if args.workdir:
        workdir = Path(args.workdir).resolve()
        workdir.mkdir(parents=True, exist_ok=True)
        cleanup = False
    else:
        workdir = Path(tempfile.mkdtemp(prefix="maskdb-crosscheck-"))
        cleanup = not args.keep
    print(f"# maskdb: {maskdb or '(none, --generate-only)'}", flush=True)
    print(f"# atlas: {atlas_path}", flush=True)
    print(f"# workdir: {workdir}{' (removed at exit)' if cleanup else ''}", flush=True)
    print(f"# nibabel {nib.__version__}, nilearn {__import__('nilearn').__version__}, numpy {np.__version__}",
          flush=True)

    results = Results(args.only)
    try:
        run_all(results, maskdb, workdir, atlas_path, labels_path)
    finally:
        if cleanup:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{results.passed} passed, {results.failed} failed", flush=True)
    return 1 if results.failed else 0


def run_all(results: Results, maskdb, workdir: Path, atlas_path: Path, labels_path: Path) -> None:
    # inspect
    cases = build_inspect_corpus(workdir)
    for case in cases:
        if maskdb is None:
            results.run(f"ref:corpus:{case.name}", lambda c=case: list(c.notes) + _ref_inspect_loads(c.path))
        else:
            results.run(f"inspect:{case.name}", check_inspect, maskdb, case)

    # densities
    atlas = load_atlas(atlas_path, labels_path)
    for case in build_density_masks(workdir):
        for semantics in case.semantics:
            name = f"densities:{case.name}:{semantics}"
            ref_name = f"ref:{case.name}:{semantics}"
            if not (results.wanted(name) or results.wanted(ref_name)):
                continue
            sem = "keep" if semantics == "default" else semantics
            ref = density_reference(atlas, case.path, sem)
            results.run(ref_name, check_reference, atlas, case, ref)
            if maskdb is not None:
                results.run(name, check_densities, maskdb, atlas, case, semantics, ref)

    # ClinicaDL MAPS
    run_clinicadl(results, maskdb, workdir, atlas)

    # errors
    for case in build_error_corpus(workdir):
        for command in case.commands:
            if maskdb is not None:
                results.run(f"error:{case.name}:{command}", check_error, maskdb, case, command)


# --------------------------------------------------------------------------
# ClinicaDL MAPS: two trainings (runs), written as ClinicaDL 1.6.1 writes them
# --------------------------------------------------------------------------

CAPS_SHAPE = (20, 24, 20)
CLINICADL_PATTERN = "*space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz"
CLINICADL_SUBJECTS = ["sub-001_ses-M000", "sub-002_ses-M000", "sub-003_ses-M006"]
CLINICADL_METHODS = ["gradients", "grad-cam"]


def caps_affine() -> np.ndarray:
    """A CAPS-like grid at 8 mm over MNI space (x flipped, as radiological files are)."""
    aff = np.diag([-8.0, 8.0, 8.0, 1.0])
    aff[:3, 3] = [80.0, -112.0, -70.0]
    return aff


def build_caps(workdir: Path) -> Path:
    """A CAPS folder with one t1-linear image per subject, on the grid the maps belong to."""
    caps = workdir / "caps"
    rng = np.random.default_rng(7)
    for subject in CLINICADL_SUBJECTS:
        participant, session = subject.split("_")
        folder = caps / "subjects" / participant / session / "t1_linear"
        folder.mkdir(parents=True, exist_ok=True)
        image = rng.uniform(0, 1, CAPS_SHAPE).astype(np.float32)
        name = f"{participant}_{session}_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz"
        nib.save(nib.Nifti1Image(image, caps_affine()), str(folder / name))
    return caps


def clinicadl_map(seed: int) -> np.ndarray:
    """A signed map of order 1e-5 as ClinicaDL saves it: float32, shape (1, X, Y, Z)."""
    rng = np.random.default_rng(seed)
    blobs = blob_mask(CAPS_SHAPE, caps_affine(), seed, n_blobs=4)
    signs = np.where(rng.uniform(size=CAPS_SHAPE) < 0.3, -1.0, 1.0)
    return (blobs * signs * 1e-5).astype(np.float32)[np.newaxis]


def save_clinicadl_map(array: np.ndarray, path: Path) -> None:
    # interpret: nib.Nifti1Image(map_pt[i].numpy(), eye(4)); nib.save(...)
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(array, np.eye(4)), str(path))


def build_clinicadl_maps(workdir: Path, run: int) -> Path:
    """A 1.6.1 MAPS: 2 splits x 2 selection metrics x 2 interpretations, mean and individual
    maps; split 1's best-BA holds the very files of its best-loss (ClinicaDL copies a model
    that is best by both)."""
    maps = workdir / f"maps-run{run}"
    parameters = {
        "architecture": "Conv5_FC3", "multi_network": False, "ssda_network": False,
        "caps_directory": "/gpfs/users/someone/caps_that_is_gone", "tsv_path": "/gpfs/tsv/split",
        "mode": "image", "network_task": "classification", "label": "diagnosis",
        "label_code": {"AD": 1, "CN": 0}, "n_splits": 2, "seed": 10 + run, "learning_rate": 1e-4,
        "batch_size": 8, "epochs": 20, "optimizer": "Adam", "selection_metrics": ["loss", "BA"],
        "preprocessing_dict": {"preprocessing": "t1-linear", "mode": "image", "use_uncropped_image": False,
                               "file_type": {"pattern": CLINICADL_PATTERN,
                                             "description": "T1W Image registered using t1-linear and cropped",
                                             "needed_pipeline": "t1-linear"}},
    }
    maps.mkdir(parents=True, exist_ok=True)
    (maps / "maps.json").write_text(json.dumps(parameters, indent=4))
    for split in range(2):
        for selection in ["loss", "BA"]:
            best = maps / f"split-{split}" / f"best-{selection}"
            best.mkdir(parents=True, exist_ok=True)
            identical = split == 1 and selection == "BA"
            source = maps / f"split-{split}" / "best-loss"
            if identical:
                shutil.copyfile(source / "model.pth.tar", best / "model.pth.tar")
            else:
                (best / "model.pth.tar").write_bytes(f"weights run {run} split {split} {selection}".encode() * 20)
            for group in ["validation", "test"]:
                folder = best / group
                folder.mkdir(exist_ok=True)
                ba = 0.7 + 0.01 * split + 0.02 * run + (0.005 if selection == "BA" else 0)
                names = ["BA", "accuracy", "F1_score"]
                values = [ba, ba + 0.01, ba - 0.02]
                lines = ["Metrics\t" + "\t".join(names), "Values\t" + "\t".join(f"{v!r}" for v in values),
                         "Lower bound CI\t" + "\t".join(f"{v - 0.05!r}" for v in values),
                         "Upper bound CI\t" + "\t".join(f"{v + 0.05!r}" for v in values),
                         "SE\t" + "\t".join("0.02" for _ in values)]
                (folder / f"{group}_image_level_metrics.tsv").write_text("\n".join(lines) + "\n")
            for m, method in enumerate(CLINICADL_METHODS):
                folder = best / "test" / f"interpret-{method}"
                if identical:
                    shutil.copytree(source / "test" / f"interpret-{method}", folder, dirs_exist_ok=True)
                    continue
                seed = 1000 * run + 100 * split + 10 * m + (5 if selection == "BA" else 0)
                individual = []
                for s, subject in enumerate(CLINICADL_SUBJECTS):
                    array = clinicadl_map(seed + s)
                    individual.append(array)
                    save_clinicadl_map(array, folder / f"{subject}_image-0_map.nii.gz")
                save_clinicadl_map(np.mean(individual, axis=0).astype(np.float32), folder / "mean_image-0_map.nii.gz")
    return maps



# --- what numpy and nilearn say of those maps, placed on the CAPS grid ------

MAP_REL_TOL = 1e-6  # maps' densities are of order 1e-5: compared relatively


def close_rel(got: float, expected: float, rel: float = MAP_REL_TOL) -> bool:
    return abs(got - expected) <= rel * max(abs(expected), 1e-300) or got == expected


@dataclass
class MapRef:
    run: int
    path: Path  # the map file
    relative: str  # its path from the MAPS
    split: int
    model: str
    method: str
    subject: str
    counts: dict[int, int]
    nilearn: dict[int, float]
    numpy: dict[int, float]


def clinicadl_map_reference(atlas: Atlas, run: int, maps: Path, path: Path) -> MapRef:
    """The map's densities as nilearn gives them: the squeezed array placed on the CAPS affine,
    NiftiLabelsMasker(strategy="mean") on |a|, the atlas resampled nearest-neighbour to it."""
    array = np.asanyarray(nib.load(str(path)).dataobj).astype(np.float64)
    assert array.shape == (1, *CAPS_SHAPE), array.shape
    placed = nib.Nifti1Image(np.abs(array[0]), caps_affine())
    resampled = resample_labels_nilearn(atlas, placed)
    flat = resampled.reshape(-1)
    values = np.abs(array[0]).reshape(-1)
    uniq, inv = np.unique(flat, return_inverse=True)
    counts_arr, sums_arr = np.bincount(inv), np.bincount(inv, weights=values)
    counts = {int(l): int(c) for l, c in zip(uniq, counts_arr) if l != 0}
    numpy_means = {int(l): float(s_ / c) for l, s_, c in zip(uniq, sums_arr, counts_arr) if l != 0}
    nl = nilearn_masker_means(atlas, placed, sorted(counts))
    relative = str(path.relative_to(maps))
    parts = relative.split("/")
    name = parts[-1]
    subject = "" if name.startswith("mean_") else name[: -len("_image-0_map.nii.gz")]
    return MapRef(run, path, relative, int(parts[0].split("-")[1]), parts[1], parts[3][len("interpret-"):], subject,
                  counts, nl, numpy_means)


def map_vector(atlas: Atlas, ref: MapRef) -> np.ndarray:
    """The density vector over the regions with voxels on the grid (every map's are the same)."""
    return np.array([ref.nilearn[l] for l in atlas.labels if ref.counts.get(l, 0) > 0])


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def pair_mean(atlas: Atlas, refs: list[MapRef], differ: str) -> tuple[float, int]:
    """The mean cosine over pairs that differ in `differ` (run or split) and agree on the rest."""
    keys = {"run": lambda r: (r.split, r.model, r.method, r.subject),
            "split": lambda r: (r.run, r.model, r.method, r.subject)}[differ]
    values = []
    for i, a in enumerate(refs):
        for b in refs[i + 1:]:
            if keys(a) == keys(b) and getattr(a, differ) != getattr(b, differ):
                values.append(cosine(map_vector(atlas, a), map_vector(atlas, b)))
    return (float(np.mean(values)) if values else math.nan), len(values)


def top_regions_reference(atlas: Atlas, refs: list[MapRef], k: int, merge: bool):
    """Regions ranked by density within each map (ties by label order); per region, how many maps
    have it in their top k (density > 0), its mean density and mean rank."""
    regions: list[tuple[str, list[int]]] = []
    if merge:
        index: dict[str, int] = {}
        for label in atlas.labels:
            name = atlas.names[label]
            base = name[:-2] if name.endswith(("_L", "_R")) else None
            if base is None:
                regions.append((name, [label]))
            elif base in index:
                regions[index[base]][1].append(label)
            else:
                index[base] = len(regions)
                regions.append((base, [label]))
    else:
        regions = [(atlas.names[l], [l]) for l in atlas.labels]
    n = len(regions)
    in_top, dens, ranks = [0] * n, [[] for _ in range(n)], [[] for _ in range(n)]
    for ref in refs:
        values = []
        for _, labels in regions:
            voxels = sum(ref.counts.get(l, 0) for l in labels)
            values.append(None if voxels == 0 else sum(ref.nilearn[l] * ref.counts[l] for l in labels if ref.counts.get(l, 0)) / voxels)
        order = sorted((i for i in range(n) if values[i] is not None), key=lambda i: (-values[i], i))
        for position, i in enumerate(order):
            dens[i].append(values[i])
            ranks[i].append(position + 1)
            if position < k and values[i] > 0:
                in_top[i] += 1
    listed = sorted((i for i in range(n) if in_top[i] > 0), key=lambda i: (-in_top[i], -np.mean(dens[i]), i))
    return [(regions[i][0], in_top[i], float(np.mean(dens[i])), float(np.mean(ranks[i]))) for i in listed]


def check_map_densities(maskdb: str, db: Path, atlas: Atlas, ref: MapRef, mask_id: str) -> list[str]:
    probs = []
    bad = [l for l in ref.numpy if not close_rel(ref.nilearn.get(l, math.nan), ref.numpy[l], 1e-9)]
    if bad:
        probs.append(f"ref: nilearn and numpy differ on {len(bad)} labels")
    r = run_maskdb(maskdb, ["densities", mask_id, "--db", str(db), "--format", "csv"])
    if r.rc != 0:
        return probs + [f"exit {r.rc}: {r.stderr.strip()}"]
    rows = parse_density_csv(r.stdout)[1:]
    if len(rows) != len(atlas.labels):
        return probs + [f"{len(rows)} rows for {len(atlas.labels)} regions"]
    mismatches = []
    for label, (g_label, _, g_density, g_voxels) in zip(atlas.labels, rows):
        voxels = ref.counts.get(label, 0)
        if int(g_label) != label or int(g_voxels) != voxels:
            mismatches.append(f"label {label}: {g_voxels} voxels, expected {voxels}")
        elif voxels and not close_rel(float(g_density), ref.nilearn[label]):
            mismatches.append(f"label {label}: {g_density}, expected {ref.nilearn[label]!r}")
        elif not voxels and g_density != "":
            mismatches.append(f"label {label}: {g_density!r} for no voxel")
    if mismatches:
        probs.append(f"{len(mismatches)} mismatches: " + "; ".join(mismatches[:4]))
    return probs


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def check_similarity_by_run(maskdb: str, db: Path, atlas: Atlas, refs: list[MapRef]) -> list[str]:
    mean, pairs = pair_mean(atlas, refs, "run")
    r = run_maskdb(maskdb, ["similarity", "--by", "run", "--counts", "--db", str(db), "--format", "csv"])
    if r.rc != 0:
        return [f"exit {r.rc}: {r.stderr.strip()}"]
    rows = csv_rows(r.stdout)
    got = rows[0]
    probs = []
    if not close_rel(float(got["1"]), mean, 1e-9):
        probs.append(f"cell (0, 1) {got['1']}, numpy {mean!r}")
    if int(got["pairs 1"]) != pairs:
        probs.append(f"pairs {got['pairs 1']}, expected {pairs}")
    return probs


def robustness_problems(text: str, atlas: Atlas, refs: list[MapRef]) -> list[str]:
    runs, run_pairs = pair_mean(atlas, refs, "run")
    folds, fold_pairs = pair_mean(atlas, refs, "split")
    rows = {row["metric"]: row for row in csv_rows(text)}
    got = rows.get("roi_cosine")
    if got is None:
        return [f"no roi_cosine row in {text!r}"]
    probs = []
    for column, expected in (("inter_runs", runs), ("inter_folds", folds)):
        if not close_rel(float(got[column]), expected, 1e-9):
            probs.append(f"{column} {got[column]}, numpy {expected!r}")
    for column, expected in (("inter_runs_pairs", run_pairs), ("inter_folds_pairs", fold_pairs)):
        if int(got[column]) != expected:
            probs.append(f"{column} {got[column]}, expected {expected}")
    return probs


def measure_reference(metric: str, k: int = 5):
    """Each measure of two density vectors as scipy and numpy define it (issue 16): Pearson's r,
    Spearman's rho (average ranks), the top-k stability (Pearson's r of the top-k indicator
    vectors, whose mean over pairs is Nogueira et al.'s Φ) and the top-k Jaccard."""
    def top(v):
        order = sorted((i for i in range(len(v)) if v[i] > 0), key=lambda i: (-v[i], i))
        return set(order[:k])

    def indicator(v):
        t = top(v)
        return np.array([1.0 if i in t else 0.0 for i in range(len(v))])

    def jaccard(a, b):
        s, t = top(a), top(b)
        return len(s & t) / len(s | t) if s | t else math.nan

    return {
        "pearson": lambda a, b: float(scipy_stats.pearsonr(a, b)[0]),
        "spearman": lambda a, b: float(scipy_stats.spearmanr(a, b)[0]),
        "stability": lambda a, b: float(np.corrcoef(indicator(a), indicator(b))[0, 1]),
        "topk-jaccard": jaccard,
    }[metric]


def check_robustness_measure(maskdb: str, db: Path, atlas: Atlas, refs: list[MapRef], metric: str) -> list[str]:
    """robustness --metric METRIC's inter-run and inter-fold means against the measure computed pair by pair."""
    value = measure_reference(metric)
    keys = {"run": lambda r: (r.split, r.model, r.method, r.subject),
            "split": lambda r: (r.run, r.model, r.method, r.subject)}
    r = run_maskdb(maskdb, ["robustness", "--metric", metric, "--db", str(db), "--format", "csv"])
    if r.rc != 0:
        return [f"exit {r.rc}: {r.stderr.strip()}"]
    got = csv_rows(r.stdout)[1]
    probs = []
    for column, differ in (("inter_runs", "run"), ("inter_folds", "split")):
        values = [value(map_vector(atlas, a), map_vector(atlas, b)) for i, a in enumerate(refs) for b in refs[i + 1:]
                  if keys[differ](a) == keys[differ](b) and getattr(a, differ) != getattr(b, differ)]
        values = [v for v in values if not math.isnan(v)]
        if not close_rel(float(got[column]), float(np.mean(values)), 1e-9):
            probs.append(f"{metric} {column} {got[column]}, scipy {float(np.mean(values))!r}")
        if int(got[column + "_pairs"]) != len(values):
            probs.append(f"{metric} {column}_pairs {got[column + '_pairs']}, expected {len(values)}")
    return probs


def check_robustness(maskdb: str, db: Path, atlas: Atlas, refs: list[MapRef]) -> list[str]:
    r = run_maskdb(maskdb, ["robustness", "--db", str(db), "--format", "csv"])
    return [f"exit {r.rc}: {r.stderr.strip()}"] if r.rc != 0 else robustness_problems(r.stdout, atlas, refs)


def top_regions_problems(text: str, expected) -> list[str]:
    rows = csv_rows(text)
    if len(rows) != len(expected):
        return [f"{len(rows)} rows, numpy {len(expected)}"]
    probs = []
    for row, (name, in_top, density, rank) in zip(rows, expected):
        if row["name"] != name or int(row["in_top_k"]) != in_top or not close_rel(float(row["mean_density"]), density) \
                or not close_rel(float(row["mean_rank"]), rank, 1e-12):
            probs.append(f"rank {row['rank']}: {row['name']} {row['in_top_k']} {row['mean_density']} {row['mean_rank']}, "
                         f"numpy {name} {in_top} {density!r} {rank}")
    return probs[:4]


def check_top_rois(maskdb: str, db: Path, atlas: Atlas, refs: list[MapRef], method: str, merge: bool) -> list[str]:
    chosen = [r for r in refs if r.method == method and r.subject == ""]
    args = ["top-rois", "--where", f"method = '{method}' and subject = ''", "--db", str(db), "--format", "csv"]
    r = run_maskdb(maskdb, args + (["--merge-hemispheres"] if merge else []))
    if r.rc != 0:
        return [f"exit {r.rc}: {r.stderr.strip()}"]
    return top_regions_problems(r.stdout, top_regions_reference(atlas, chosen, 5, merge))


def check_report(maskdb: str, db: Path, atlas: Atlas, refs: list[MapRef], out: Path) -> list[str]:
    r = run_maskdb(maskdb, ["report", "--db", str(db), "--out", str(out)])
    if r.rc != 0:
        return [f"exit {r.rc}: {r.stderr.strip()}"]
    probs = ["robustness.csv: " + p for p in robustness_problems((out / "robustness.csv").read_text(), atlas, refs)]
    # The report's top regions: its main setting's maps (its first line says which), hemispheres merged.
    report = (out / "report.md").read_text()
    setting = next((line for line in report.splitlines() if line.startswith("- main setting")), "")
    method = "grad-cam" if "method = grad-cam" in setting else "gradients"
    chosen = [ref for ref in refs if ref.method == method and ref.subject == ""]
    probs += ["top_regions.csv: " + p for p in
              top_regions_problems((out / "top_regions.csv").read_text(), top_regions_reference(atlas, chosen, 5, True))]
    return probs


def check_clinicadl_import(maskdb: str, db: Path, args: list[str], expect: list[str]) -> list[str]:
    r = run_maskdb(maskdb, ["import", "clinicadl", *args, "--db", str(db)])
    probs = [] if r.rc == 0 else [f"exit {r.rc}: {r.stderr.strip()}"]
    probs += [f"stdout lacks {line!r}: {r.stdout!r}" for line in expect if line not in r.stdout]
    return probs


def run_clinicadl(results: Results, maskdb, workdir: Path, atlas: Atlas) -> None:
    """Two ClinicaDL 1.6.1 MAPS (runs 0 and 1), imported one command each; every number the
    analyses give on their maps against numpy and nilearn on the same files on the CAPS grid."""
    base = workdir / "clinicadl"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    caps = build_caps(base)
    grid = sorted((caps / "subjects").glob("*/*/t1_linear/*.nii.gz"))[0]
    maps = [build_clinicadl_maps(base, run) for run in range(2)]
    refs = [clinicadl_map_reference(atlas, run, m, path) for run, m in enumerate(maps)
            for path in sorted(m.glob("split-*/best-*/test/interpret-*/*.nii.gz"))]
    if maskdb is None:
        results.run("ref:clinicadl:maps", lambda: [] if len(refs) == 64 else [f"{len(refs)} maps"])
        return
    db = base / "study.sqlite"
    results.run("clinicadl:import:run0", check_clinicadl_import, maskdb, db, [str(maps[0]), "--grid-from", str(grid)],
                ["4 models: 4 added", "32 maps: 32 added, 0 already recorded, 0 rejected"])
    results.run("clinicadl:import:run1", check_clinicadl_import, maskdb, db, [str(maps[1]), "--caps", str(caps), "--run", "1"],
                ["4 models: 4 added", "32 maps: 32 added, 0 already recorded, 0 rejected"])
    results.run("clinicadl:import:again", check_clinicadl_import, maskdb, db, [str(m) for m in maps] + ["--caps", str(caps)],
                ["32 maps: 0 added, 32 already recorded, 0 rejected"])

    def stored_once() -> list[str]:
        files = {hashlib.sha256(ref.path.read_bytes()).hexdigest() for ref in refs}
        r = run_maskdb(maskdb, ["sql", "SELECT count(*), count(DISTINCT nifti_sha256) FROM masks", "--db", str(db), "--format", "tsv"])
        got = r.stdout.strip().split("\n")[-1]
        return [] if got == f"{len(refs)}\t{len(files)}" else [f"records and files {got!r}, expected {len(refs)} and {len(files)}"]

    results.run("clinicadl:content-addressed", stored_once)
    listing = run_maskdb(maskdb, ["sql", "SELECT id, source FROM mask_settings", "--db", str(db), "--format", "tsv"])
    ids = {line.split("\t")[1]: line.split("\t")[0] for line in listing.stdout.strip().split("\n")[1:]}
    for ref in refs:
        results.run(f"clinicadl:densities:run{ref.run}/{ref.relative}", check_map_densities, maskdb, db, atlas, ref,
                    ids.get(str(ref.path), "0"))
    results.run("clinicadl:similarity-by-run", check_similarity_by_run, maskdb, db, atlas, refs)
    results.run("clinicadl:robustness", check_robustness, maskdb, db, atlas, refs)
    for metric in ("pearson", "spearman", "stability", "topk-jaccard"):
        results.run(f"clinicadl:robustness:{metric}", check_robustness_measure, maskdb, db, atlas, refs, metric)
    for method in CLINICADL_METHODS:
        for merge in (False, True):
            results.run(f"clinicadl:top-rois:{method}{':merged' if merge else ''}", check_top_rois, maskdb, db, atlas, refs,
                        method, merge)
    results.run("clinicadl:report", check_report, maskdb, db, atlas, refs, base / "report")


def _ref_inspect_loads(path: Path) -> list[str]:
    """--generate-only: the reference must be computable for every file."""
    ref = inspect_reference(path)
    return [] if ref["dims"] else ["no dims"]


if __name__ == "__main__":
    sys.exit(main())
