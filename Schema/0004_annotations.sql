-- Settings and annotations. A mask's `params` are the lab's own settings (pairs agree on
-- them); `annotations` hold every other column a manifest gave (a job id, a date, a git
-- SHA): kept as written, shown, filterable, and not part of a mask's identity, so they
-- never split pairs nor make a second record.
ALTER TABLE masks ADD COLUMN annotations TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(annotations));

-- Parameter cells are kept as written from now on (`007` stays `007`). Earlier imports
-- stored number-like cells as JSON numbers; maskdb_parameters_as_text (a function the
-- store defines) turns each into the text those imports read it from when written
-- shortest (0.001, 7), so re-importing their manifests matches the records again.
UPDATE masks SET params = maskdb_parameters_as_text(params)
WHERE EXISTS (SELECT 1 FROM json_each(masks.params) WHERE type IN ('integer', 'real'));
UPDATE models SET params = maskdb_parameters_as_text(params)
WHERE EXISTS (SELECT 1 FROM json_each(models.params) WHERE type IN ('integer', 'real'));

-- The readable shapes gain the annotations (the evaluations' view reads the masks').
DROP VIEW evaluation_settings;
DROP VIEW mask_settings;

CREATE VIEW mask_settings AS
SELECT masks.id AS id, masks.nifti_sha256 AS sha256, studies.name AS study,
       models.fold AS fold, models.run AS run, models.name AS model,
       masks.lambda1 AS lambda1, masks.lambda2 AS lambda2, masks.beta1 AS beta1, masks.beta2 AS beta2,
       masks.subjects AS subjects, masks.semantics AS semantics, masks.params AS params,
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
