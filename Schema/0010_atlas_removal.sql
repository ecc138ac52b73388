-- maskdb schema 0010: an atlas can be removed (`maskdb atlas rm NAME`), and a density vector
-- says which command measured it. Never edit this file once released.
--
-- The atlas log outlives the atlases it names: it keeps each atlas's name, and its atlas_id no
-- longer refers to `atlases` (a removed atlas's id is gone; a name registered again gets a new
-- id). Its kinds gain 'remove'. SQLite cannot change a CHECK or drop a foreign key in place:
-- the table is rebuilt (new table, copy, drop, rename); nothing referred to it until now.

CREATE TABLE atlas_log_0010 (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    command         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('atlas', 'measure', 'remove')),
    atlas_id        INTEGER NOT NULL,
    atlas_name      TEXT NOT NULL,
    count           INTEGER NOT NULL CHECK (count >= 0),
    after_import_id INTEGER REFERENCES imports(id)
);
INSERT INTO atlas_log_0010 (id, at, command, kind, atlas_id, atlas_name, count, after_import_id)
SELECT atlas_log.id, atlas_log.at, atlas_log.command, atlas_log.kind, atlas_log.atlas_id, atlases.name,
       atlas_log.count, atlas_log.after_import_id
FROM atlas_log JOIN atlases ON atlases.id = atlas_log.atlas_id;
DROP TABLE atlas_log;
ALTER TABLE atlas_log_0010 RENAME TO atlas_log;

-- The `measure` whose log entry wrote a vector; NULL for the densities an import wrote (over the
-- atlas the record was imported against) and for vectors measured before this migration.
ALTER TABLE density_vectors ADD COLUMN measured_by INTEGER REFERENCES atlas_log(id);
