"""Makes Examples/example-mask.nii.gz, the mask the README's first command measures.

A synthetic `keep` mask on the AAL2 grid (121 x 145 x 121, 1.5 mm): 1 everywhere
except smooth perturbations centred on both hippocampi (strong) and amygdalae
(weaker), the pattern the poster reports for Alzheimer's disease. Deterministic.
"""
import pathlib

import nibabel as nib
import numpy as np

root = pathlib.Path(__file__).resolve().parent.parent
atlas = nib.load(root / "Atlases" / "atlas-AAL2_dseg.nii.gz")
labels = np.asarray(atlas.dataobj)
names = dict(
    line.split("\t")
    for line in (root / "Atlases" / "atlas-AAL2_dseg.tsv").read_text().splitlines()[1:]
)
by_name = {v: int(k) for k, v in names.items()}
grid = np.indices(labels.shape).astype(np.float64)

perturbation = np.zeros(labels.shape)
for region, strength, sigma_mm in [
    ("Hippocampus_L", 0.9, 6.0), ("Hippocampus_R", 0.8, 6.0),
    ("Amygdala_L", 0.5, 4.5), ("Amygdala_R", 0.45, 4.5),
]:
    centre = np.argwhere(labels == by_name[region]).mean(axis=0)
    d2 = sum((grid[a] - centre[a]) ** 2 for a in range(3)) * 1.5**2
    perturbation = np.maximum(perturbation, strength * np.exp(-d2 / (2 * sigma_mm**2)))

# Values below 1e-3 are set to exactly 0 so the file compresses well.
perturbation[perturbation < 1e-3] = 0
mask = (1 - perturbation).astype(np.float32)
image = nib.Nifti1Image(mask, atlas.affine)
image.header.set_sform(atlas.affine, code=4)
image.header.set_qform(atlas.affine, code=4)
image.header["descrip"] = b"maskdb example keep mask (synthetic)"
out = root / "Examples" / "example-mask.nii.gz"
nib.save(image, out)
print(out, out.stat().st_size, "bytes")
