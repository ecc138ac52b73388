-- The joined shape of an evaluation, for `maskdb sql`: the evaluated mask with its
-- settings, the evaluating model, and the probability.
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
