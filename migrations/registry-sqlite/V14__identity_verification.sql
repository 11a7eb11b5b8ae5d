-- Registry schema v14 (SQLite): identity verification with the national ID authority (NADRA) as a
-- file exchange.
--
-- `identity_batches` is one row per export (the manifest's batch id, area, row count and the CSV's
-- SHA-256); `identity_imports` one row per result file applied, by the file's SHA-256, so the same
-- file imported again changes nothing; `identity_results` the latest result per CNIC/B-form number
-- (verified, not_found, mismatch with the mismatched fields), which the registry also writes into
-- the members' documents so it reaches the tablets.
CREATE TABLE identity_batches (
    id          TEXT PRIMARY KEY,
    area        TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    csv_sha256  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE identity_imports (
    file_sha256 TEXT PRIMARY KEY,
    batch_id    TEXT,
    row_count   INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at INTEGER NOT NULL
);
CREATE TABLE identity_results (
    id_number   TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    fields      TEXT NOT NULL,
    batch_id    TEXT,
    file_sha256 TEXT NOT NULL,
    checked_at  INTEGER NOT NULL
);
-- The duplicates queue holds identity cases beside shared numbers: a number the authority did not
-- find, or found with other particulars (`detail`: the mismatched fields). One open case per number
-- and kind.
ALTER TABLE dup_cases ADD COLUMN kind TEXT NOT NULL DEFAULT 'shared_number';
ALTER TABLE dup_cases ADD COLUMN detail TEXT;
DROP INDEX dup_cases_open;
CREATE UNIQUE INDEX dup_cases_open ON dup_cases(id_number, kind) WHERE state = 'open';
