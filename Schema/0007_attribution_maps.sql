-- maskdb schema 0007: attribution maps beside masks. A record is a perturbation mask
-- (semantics keep or perturb) or an attribution map (semantics attribution: a signed
-- saliency map, whose densities are of |a|); `kind` (mask or attribution) follows from the
-- semantics in the views. λ1 and λ2 are settings of optimized masks only, so a map may
-- lack them; `method` (gradients, grad-cam...) and `subject` (the one subject a map
-- explains, '' for a group) are new settings. Never edit this file once released.
--
-- SQLite cannot relax a NOT NULL or widen a CHECK in place: `masks` is rebuilt (new table,
-- copy, drop, rename). Migrations run with foreign keys off (GRDB's deferred checks, with a
-- foreign_key_check before commit), so dropping the old table deletes no density or
-- evaluation; every table that refers to masks(id) refers to it by name, so the renamed
-- table is what they refer to, whichever migration made them.

CREATE TABLE masks_0007 (
    id           INTEGER PRIMARY KEY,
    model_id     INTEGER NOT NULL REFERENCES models(id),
    lambda1      REAL,
    lambda2      REAL,
    beta1        REAL,
    beta2        REAL,
    subjects     TEXT NOT NULL DEFAULT '',
    semantics    TEXT NOT NULL CHECK (semantics IN ('keep', 'perturb', 'attribution')),
    params       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
    atlas_id     INTEGER NOT NULL REFERENCES atlases(id),
    nifti_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    dim_x        INTEGER NOT NULL,
    dim_y        INTEGER NOT NULL,
    dim_z        INTEGER NOT NULL,
    affine       TEXT NOT NULL CHECK (json_valid(affine)),
    source_path  TEXT NOT NULL,
    import_id    INTEGER NOT NULL REFERENCES imports(id),
    annotations  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(annotations)),
    method       TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    -- A mask is optimized under λ1 and λ2; only an attribution map may lack them.
    CHECK (semantics = 'attribution' OR (lambda1 IS NOT NULL AND lambda2 IS NOT NULL))
);
INSERT INTO masks_0007 (
    id, model_id, lambda1, lambda2, beta1, beta2, subjects, semantics, params, atlas_id, nifti_sha256,
    dim_x, dim_y, dim_z, affine, source_path, import_id, annotations
)
SELECT id, model_id, lambda1, lambda2, beta1, beta2, subjects, semantics, params, atlas_id, nifti_sha256,
       dim_x, dim_y, dim_z, affine, source_path, import_id, annotations
FROM masks;

-- The views naming masks go first (the evaluations' view reads the masks'), and come back
-- below with the new columns.
DROP VIEW evaluation_settings;
DROP VIEW mask_settings;
DROP TABLE masks;
-- The legacy rename checks no view: one a later or concurrent migration made over masks
-- then reads the new table, by name, instead of failing the rename.
PRAGMA legacy_alter_table = ON;
ALTER TABLE masks_0007 RENAME TO masks;
PRAGMA legacy_alter_table = OFF;

-- One record per file and settings, as before, the λs compared through IFNULL as the βs.
CREATE UNIQUE INDEX masks_identity ON masks (
    nifti_sha256, model_id, IFNULL(lambda1, 'none'), IFNULL(lambda2, 'none'), IFNULL(beta1, 'none'), IFNULL(beta2, 'none'),
    subjects, semantics, method, subject, params, atlas_id
);
CREATE INDEX masks_model ON masks (model_id);

CREATE VIEW mask_settings AS
SELECT masks.id AS id, masks.nifti_sha256 AS sha256, studies.name AS study,
       models.fold AS fold, models.run AS run, models.name AS model,
       masks.lambda1 AS lambda1, masks.lambda2 AS lambda2, masks.beta1 AS beta1, masks.beta2 AS beta2,
       masks.subjects AS subjects, masks.semantics AS semantics,
       CASE masks.semantics WHEN 'attribution' THEN 'attribution' ELSE 'mask' END AS kind,
       masks.method AS method, masks.subject AS subject, masks.params AS params,
       masks.annotations AS annotations,
       atlases.name AS atlas, masks.source_path AS source, imports.started_at AS imported_at
FROM masks
JOIN models ON models.id = masks.model_id
JOIN studies ON studies.id = models.study_id
JOIN atlases ON atlases.id = masks.atlas_id
JOIN imports ON imports.id = masks.import_id;

CREATE VIEW evaluation_settings AS
SELECT evaluations.id AS id, evaluations.mask_id AS mask_id, mask_settings.sha256 AS mask_sha256,
       mask_settings.study AS study, mask_settings.fold AS mask_fold, mask_settings.run AS mask_run,
       mask_settings.model AS mask_model, mask_settings.lambda1 AS lambda1, mask_settings.lambda2 AS lambda2,
       mask_settings.beta1 AS beta1, mask_settings.beta2 AS beta2, mask_settings.subjects AS mask_subjects,
       evaluator_studies.name AS evaluator_study, models.fold AS evaluator_fold, models.run AS evaluator_run,
       models.name AS evaluator_model, evaluations.subjects AS subjects, evaluations.true_label AS true_label,
       evaluations.probability AS probability, evaluations.n AS n
FROM evaluations
JOIN mask_settings ON mask_settings.id = evaluations.mask_id
JOIN models ON models.id = evaluations.model_id
JOIN studies AS evaluator_studies ON evaluator_studies.id = models.study_id;
