-- maskdb schema 0005: corrections with history. Records can be removed (`maskdb rm`),
-- amended (`maskdb import ... --replace`) and unreferenced blobs deleted (`maskdb gc`);
-- nothing a record held is lost: each removal and amendment keeps the record's previous
-- fields in record_history. Never edit this file once released.

-- The commands that correct the database without importing: one row per rm or gc.
-- (`imports.kind` has a CHECK that SQLite cannot alter without rebuilding `imports`,
-- which every record and view refers to: corrections get a table of their own.)
CREATE TABLE corrections (
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    command         TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('rm', 'gc')),
    -- The newest import when it ran: places it among the imports (timestamps are to the
    -- second and may tie). NULL when there was none.
    after_import_id INTEGER REFERENCES imports(id)
);

-- What each removed or amended record was, before: every field as a JSON object (a
-- mask's settings, model, sha256 and source; an evaluation's mask, evaluating model and
-- probability; a model's architecture, weights, parameters and metrics; a blob's size).
-- An amendment is made by an import (import_id), a removal by a correction (correction_id).
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
CREATE INDEX record_history_sha256 ON record_history (sha256);
CREATE INDEX record_history_record ON record_history (record_kind, record_id);

-- An import row may now replace a recorded one (--replace): import_rows' CHECK is widened
-- by rebuilding the table (nothing refers to it), keeping every row.
CREATE TABLE import_rows_0005 (
    import_id INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    line      INTEGER NOT NULL,
    path      TEXT,
    sha256    TEXT,
    outcome   TEXT NOT NULL CHECK (outcome IN ('added', 'replaced', 'unchanged', 'rejected')),
    message   TEXT,
    PRIMARY KEY (import_id, line)
);
INSERT INTO import_rows_0005 (import_id, line, path, sha256, outcome, message)
SELECT import_id, line, path, sha256, outcome, message FROM import_rows;
DROP TABLE import_rows;
ALTER TABLE import_rows_0005 RENAME TO import_rows;
