CREATE INDEX evaluations_model ON evaluations (model_id);

CREATE UNIQUE INDEX masks_identity ON masks (
    nifti_sha256, model_id, IFNULL(lambda1, 'none'), IFNULL(lambda2, 'none'), IFNULL(beta1, 'none'), IFNULL(beta2, 'none'),
    subjects, semantics, method, subject, params, atlas_id, dim_x, dim_y, dim_z, affine
);

CREATE INDEX masks_model ON masks (model_id);

CREATE INDEX record_history_record ON record_history (record_kind, record_id);

CREATE INDEX record_history_sha256 ON record_history (sha256);

CREATE TABLE "atlas_log" (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    command         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('atlas', 'measure', 'remove')),
    atlas_id        INTEGER NOT NULL,
    atlas_name      TEXT NOT NULL,
    count           INTEGER NOT NULL CHECK (count >= 0),
    after_import_id INTEGER REFERENCES imports(id)
);

CREATE TABLE atlas_regions (
    atlas_id INTEGER NOT NULL REFERENCES atlases(id) ON DELETE CASCADE,
    label    INTEGER NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (atlas_id, label)
) WITHOUT ROWID;

CREATE TABLE atlases (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    image_sha256  TEXT NOT NULL REFERENCES blobs(sha256),
    labels_sha256 TEXT NOT NULL REFERENCES blobs(sha256)
);

CREATE TABLE blobs (
    sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    size   INTEGER NOT NULL CHECK (size >= 0),
    bytes  BLOB NOT NULL
);

CREATE TABLE corrections (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    command         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('rm', 'gc')),
    -- The newest import when it ran: places it among the imports (timestamps are to the
    -- second and may tie). NULL when there was none.
    after_import_id INTEGER REFERENCES imports(id)
);

CREATE TABLE "density_vectors" (
    mask_id   INTEGER NOT NULL REFERENCES masks(id) ON DELETE CASCADE,
    atlas_id  INTEGER NOT NULL REFERENCES atlases(id),
    densities BLOB NOT NULL,
    voxels    BLOB NOT NULL, measured_by INTEGER REFERENCES atlas_log(id),
    PRIMARY KEY (mask_id, atlas_id)
) WITHOUT ROWID;

CREATE TABLE evaluations (
    id          INTEGER PRIMARY KEY,
    mask_id     INTEGER NOT NULL REFERENCES masks(id),
    model_id    INTEGER NOT NULL REFERENCES models(id),
    subjects    TEXT NOT NULL DEFAULT '',
    true_label  TEXT NOT NULL DEFAULT '',
    probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
    n           INTEGER CHECK (n IS NULL OR n > 0),
    import_id   INTEGER NOT NULL REFERENCES imports(id),
    UNIQUE (mask_id, model_id, subjects, true_label)
);

CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);

CREATE TABLE "import_rows" (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    line      INTEGER NOT NULL,
    path      TEXT,
    sha256    TEXT,
    outcome   TEXT NOT NULL CHECK (outcome IN ('added', 'replaced', 'unchanged', 'rejected')),
    message   TEXT,
    PRIMARY KEY (import_id, line)
);

CREATE TABLE imports (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT NOT NULL,
    command         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('init', 'masks', 'models', 'evaluations')),
    manifest_path   TEXT,
    manifest_sha256 TEXT,
    added           INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    outcome         TEXT NOT NULL CHECK (outcome IN ('ok', 'partial', 'rejected'))
, merged_from TEXT);

CREATE TABLE mask_densities (
    mask_id  INTEGER NOT NULL REFERENCES masks(id) ON DELETE CASCADE,
    atlas_id INTEGER NOT NULL REFERENCES atlases(id),
    label    INTEGER NOT NULL,
    density  REAL,
    voxels   INTEGER NOT NULL CHECK (voxels >= 0),
    PRIMARY KEY (mask_id, atlas_id, label)
) WITHOUT ROWID;

CREATE TABLE "masks" (
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
    subject      TEXT NOT NULL DEFAULT '', grid_sha256 TEXT, grid_source TEXT,
    -- A mask is optimized under λ1 and λ2; only an attribution map may lack them.
    CHECK (semantics = 'attribution' OR (lambda1 IS NOT NULL AND lambda2 IS NOT NULL))
);

CREATE TABLE model_metrics (
    model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
    dataset  TEXT NOT NULL,
    metric   TEXT NOT NULL,
    value    REAL NOT NULL,
    PRIMARY KEY (model_id, dataset, metric)
) WITHOUT ROWID;

CREATE TABLE models (
    id             INTEGER PRIMARY KEY,
    study_id       INTEGER NOT NULL REFERENCES studies(id),
    fold           INTEGER NOT NULL CHECK (fold >= 0),
    run            INTEGER NOT NULL CHECK (run >= 0),
    name           TEXT NOT NULL DEFAULT '',
    architecture   TEXT NOT NULL DEFAULT '',
    weights_sha256 TEXT REFERENCES blobs(sha256),
    params         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),
    UNIQUE (study_id, fold, run, name)
);

CREATE TABLE record_history (
    id            INTEGER PRIMARY KEY,
    import_id     INTEGER REFERENCES imports(id),
    correction_id INTEGER REFERENCES corrections(id),
    record_kind   TEXT NOT NULL CHECK (record_kind IN ('mask', 'evaluation', 'model', 'blob')),
    record_id     INTEGER,
    -- The file it concerns: a mask's (an evaluation's mask's), a model's weights, a blob.
    sha256        TEXT,
    action        TEXT NOT NULL CHECK (action IN ('removed', 'amended')),
    previous      TEXT NOT NULL CHECK (json_valid(previous)),
    CHECK ((import_id IS NULL) <> (correction_id IS NULL))
);

CREATE TABLE studies (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (name <> ''),
    description TEXT NOT NULL DEFAULT ''
);

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

CREATE VIEW mask_region_densities AS
SELECT mask_densities.mask_id AS mask_id, atlases.name AS atlas, mask_densities.label AS label,
       atlas_regions.name AS region, mask_densities.density AS density, mask_densities.voxels AS voxels
FROM mask_densities
JOIN atlases ON atlases.id = mask_densities.atlas_id
JOIN atlas_regions ON atlas_regions.atlas_id = mask_densities.atlas_id
                  AND atlas_regions.label = mask_densities.label;

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

CREATE VIEW model_performance AS
SELECT models.id AS model_id, studies.name AS study, models.fold AS fold, models.run AS run,
       models.name AS model, model_metrics.dataset AS dataset, model_metrics.metric AS metric,
       model_metrics.value AS value
FROM model_metrics
JOIN models ON models.id = model_metrics.model_id
JOIN studies ON studies.id = models.study_id;
