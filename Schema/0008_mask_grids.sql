-- maskdb schema 0008: records measured on a grid other than their file's header's. Some
-- tools save maps whose header lies about their space (ClinicaDL: an identity affine and
-- a leading channel axis, shape (1, X, Y, Z)); such a record is measured on the grid of a
-- reference image (a manifest's `grid` column), whose sizes and affine are the record's
-- dim_x, dim_y, dim_z and affine, as for any record. `grid_sha256` and `grid_source` say
-- which image gave them (the sha256 of its file and its path); both are NULL for a record
-- measured on its own file's header. The stored bytes, with the record's sizes and affine,
-- measure it again. Never edit this file once released.
--
-- The grid is part of a record's identity: the same file on two grids is two measurements.
-- The identity index compares the record's sizes and affine, so two reference images of one
-- geometry (two subjects of one preprocessing) are one grid.

ALTER TABLE masks ADD COLUMN grid_sha256 TEXT;
ALTER TABLE masks ADD COLUMN grid_source TEXT;

DROP INDEX masks_identity;
CREATE UNIQUE INDEX masks_identity ON masks (
    nifti_sha256, model_id, IFNULL(lambda1, 'none'), IFNULL(lambda2, 'none'), IFNULL(beta1, 'none'), IFNULL(beta2, 'none'),
    subjects, semantics, method, subject, params, atlas_id, dim_x, dim_y, dim_z, affine
);
