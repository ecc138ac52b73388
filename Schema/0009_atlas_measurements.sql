-- maskdb schema 0009: any atlas, measured from what is stored. `maskdb atlas add` registers
-- atlases beside the built-in AAL2 and `maskdb measure --atlas NAME` computes recorded
-- masks' densities over one from their stored bytes, so a mask may now have a density
-- vector over several atlases: `density_vectors` is keyed by (mask, atlas), as
-- `mask_densities` always was (by (mask, atlas, label)). `masks.atlas_id` stays the atlas a
-- record was imported against, which analyses read unless told another. Never edit this
-- file once released.
--
-- SQLite cannot change a primary key in place: the table is rebuilt (new table, copy, drop,
-- rename). Nothing refers to density_vectors, so the drop loses nothing. WITHOUT ROWID keeps
-- the vectors in (mask, atlas) order, so a study's vectors over one atlas are still read as
-- one range in mask id order (a vector is about 2 KB, well under the 64 KiB pages' limit
-- for a row kept in its page).

CREATE TABLE density_vectors_0009 (
    mask_id   INTEGER NOT NULL REFERENCES masks(id) ON DELETE CASCADE,
    atlas_id  INTEGER NOT NULL REFERENCES atlases(id),
    densities BLOB NOT NULL,
    voxels    BLOB NOT NULL,
    PRIMARY KEY (mask_id, atlas_id)
) WITHOUT ROWID;
INSERT INTO density_vectors_0009 (mask_id, atlas_id, densities, voxels)
SELECT mask_id, atlas_id, densities, voxels FROM density_vectors;
DROP TABLE density_vectors;
ALTER TABLE density_vectors_0009 RENAME TO density_vectors;

-- The audit log of the commands that add atlases and measure over them (`imports.kind` and
-- `corrections.kind` have CHECKs SQLite cannot widen without rebuilding the tables records
-- refer to): when, the command line, the atlas, how many records it measured (regions for
-- `atlas add`), and the newest import then (`after_import_id`, as corrections place themselves).
CREATE TABLE atlas_log (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    command         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('atlas', 'measure')),
    atlas_id        INTEGER NOT NULL REFERENCES atlases(id),
    count           INTEGER NOT NULL CHECK (count >= 0),
    after_import_id INTEGER REFERENCES imports(id)
);
