-- maskdb schema 0011: records can come from another maskdb database (`maskdb merge`).
-- Never edit this file once released.
--
-- A merge is recorded as imports of its kinds (models, masks, evaluations), one entry each
-- per source database, so that every record still points at the import that added it and the
-- audit reads as before; `merged_from` names the source (its absolute path) and is NULL for
-- an import from files. Each row of such an import has the record's id in the source as its
-- line. (A new kind would need `imports` rebuilt: its CHECK cannot change in place and
-- four tables refer to it.)

ALTER TABLE imports ADD COLUMN merged_from TEXT;
