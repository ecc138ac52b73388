-- maskdb schema 0006: each mask's density vector in one row. The analyses read every
-- selected mask's vector, and at 50,000 masks reading them as 116 rows each was most of
-- every query's time. `mask_densities` stays the record SQL users query, region by
-- region; both are written in the same transaction, and `maskdb verify` checks that they
-- agree. Never edit this file once released.

-- Densities as float64, voxel counts as int64, little-endian, one per region of the
-- atlas in ascending label order; NaN stands for a NULL density.
CREATE TABLE density_vectors (
    mask_id   INTEGER PRIMARY KEY REFERENCES masks(id) ON DELETE CASCADE,
    atlas_id  INTEGER NOT NULL REFERENCES atlases(id),
    densities BLOB NOT NULL,
    voxels    BLOB NOT NULL
);

-- The vectors of the masks already recorded, packed from their rows.
INSERT INTO density_vectors (mask_id, atlas_id, densities, voxels)
SELECT masks.id, masks.atlas_id,
       maskdb_pack_densities(mask_densities.label, mask_densities.density),
       maskdb_pack_voxels(mask_densities.label, mask_densities.voxels)
FROM masks JOIN mask_densities ON mask_densities.mask_id = masks.id AND mask_densities.atlas_id = masks.atlas_id
GROUP BY masks.id;
