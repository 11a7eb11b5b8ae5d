-- Shumari field store, schema 5: questionnaires besides the household one (a service point's daily
-- report) and the reports filled with them.
--
-- Every version of a form the registry sent is kept, never replaced nor deleted: a report started
-- with a version is always opened with that version, whatever was published since.
CREATE TABLE forms (
    form_id      TEXT NOT NULL,
    version      TEXT NOT NULL,
    title        TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    source       BLOB NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (form_id, version)
) WITHOUT ROWID;

-- Reports: the form version each was started with, its answers (a JSON object by question name) and
-- where it stands: `draft` (being filled), `queued` (submitted here, waiting for a sync), `sent`
-- (the registry stored it) or `refused` (the registry said why; editable again).
CREATE TABLE form_reports (
    id          TEXT PRIMARY KEY NOT NULL,
    form_id     TEXT NOT NULL,
    version     TEXT NOT NULL,
    area        TEXT NOT NULL,
    answers     TEXT NOT NULL,
    state       TEXT NOT NULL,
    refusal     TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    filled_at   INTEGER,
    FOREIGN KEY (form_id, version) REFERENCES forms (form_id, version)
);
CREATE INDEX form_reports_by_state ON form_reports (state);
