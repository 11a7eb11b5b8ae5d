-- Registry schema v9 (PostgreSQL): the registry's proxy means test scores and the duplicates queue.
--
-- `pmt_models` holds every PMT model the registry was given (its TOML text), the newest `installed_at`
-- being the one in force; `pmt_scores` one row per household: the score the registry computed with
-- that model, its band, each variable's contribution (JSON) and the eligibility per programme (JSON).
-- `pmt_jobs` records each rescoring run and its progress, for the command line and the console.
CREATE TABLE pmt_models (
    model_version TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    installed_at  BIGINT NOT NULL
);
CREATE TABLE pmt_scores (
    household_id  TEXT PRIMARY KEY,
    model_version TEXT NOT NULL,
    score         DOUBLE PRECISION NOT NULL,
    band          TEXT NOT NULL,
    contributions TEXT NOT NULL,
    programmes    TEXT NOT NULL,
    scored_at     BIGINT NOT NULL
);
CREATE INDEX pmt_scores_model ON pmt_scores(model_version);
CREATE TABLE pmt_jobs (
    id            TEXT PRIMARY KEY,
    model_version TEXT NOT NULL,
    total         BIGINT NOT NULL,
    done          BIGINT NOT NULL,
    started_at    BIGINT NOT NULL,
    finished_at   BIGINT,
    error         TEXT
);
-- A case of the duplicates queue: one CNIC/B-form number carried by members of several households.
-- `area` is the district the case is queued in (the first household's). At most one case per number
-- is open; a resolved or dismissed case keeps the households it covered, so they do not open again.
CREATE TABLE dup_cases (
    id          TEXT PRIMARY KEY,
    id_number   TEXT NOT NULL,
    area        TEXT NOT NULL,
    state       TEXT NOT NULL,
    opened_at   BIGINT NOT NULL,
    closed_at   BIGINT,
    closed_by   TEXT,
    kept        TEXT,
    note        TEXT
);
CREATE INDEX dup_cases_number ON dup_cases(id_number);
CREATE INDEX dup_cases_area ON dup_cases(area);
CREATE UNIQUE INDEX dup_cases_open ON dup_cases(id_number) WHERE state = 'open';
CREATE TABLE dup_case_households (
    case_id      TEXT NOT NULL REFERENCES dup_cases(id),
    household_id TEXT NOT NULL,
    PRIMARY KEY (case_id, household_id)
);
CREATE INDEX dup_case_households_household ON dup_case_households(household_id);
