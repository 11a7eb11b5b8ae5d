-- Registry schema v26 (SQLite): questionnaires besides the household one, and what tablets submit
-- with them (a meal centre's or a shelter's daily report, ...).
--
-- `forms` keeps every published version of every form as its source (TOML text or XLSForm bytes,
-- checked by the forms crate before it is stored), so a tablet can be sent the exact version a
-- draft was started with. A version is never replaced: publishing the same source again is a
-- no-op, another source under a stored (form, version) is refused.
CREATE TABLE forms (
    form_id       TEXT NOT NULL,
    version       TEXT NOT NULL,
    title         TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    source        BLOB NOT NULL,
    checksum      TEXT NOT NULL,
    published_at  INTEGER NOT NULL,
    published_by  TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
) WITHOUT ROWID;

-- The areas a version is published to: a tablet whose areas overlap one of them receives it.
CREATE TABLE form_areas (
    form_id  TEXT NOT NULL,
    version  TEXT NOT NULL,
    area     TEXT NOT NULL,
    PRIMARY KEY (form_id, version, area),
    FOREIGN KEY (form_id, version) REFERENCES forms (form_id, version)
) WITHOUT ROWID;
CREATE INDEX form_areas_by_area ON form_areas (area);

-- One submitted report: the answers as the tablet's form produced them (JSON object), the site
-- and day it reports on, and who sent it. Submissions are final when sent (a correction is a new
-- submission), so one id is stored once and a repeated push changes nothing.
CREATE TABLE form_submissions (
    id            TEXT PRIMARY KEY NOT NULL,
    form_id       TEXT NOT NULL,
    version       TEXT NOT NULL,
    area          TEXT NOT NULL,
    site          TEXT NOT NULL,
    day           TEXT NOT NULL,
    answers       TEXT NOT NULL,
    status        TEXT NOT NULL,
    filled_at     INTEGER NOT NULL,
    received_at   INTEGER NOT NULL,
    device_id     TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    FOREIGN KEY (form_id, version) REFERENCES forms (form_id, version)
);
-- A form's page and its export read one form's submissions under an area, by day.
CREATE INDEX form_submissions_by_form ON form_submissions (form_id, area, day);
