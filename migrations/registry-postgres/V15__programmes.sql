-- Registry schema v15 (PostgreSQL): social protection programmes, eligibility and enrolment.
--
-- `programmes` keeps every programme file loaded, by (id, version), with its source text: the rules
-- in force for a programme are its latest load. `programme_eligibility` is the latest decision per
-- (household, programme) with its plain-words reasons (JSON, English and Urdu) and the score and
-- model it used (a household without an approved status or a score has a row too, with the reason).
-- `programme_enrolments` is each household's status in a programme (enrolled, suspended, exited) and
-- `programme_enrolment_history` every change of it (from, to, by, at, reason). `programme_compliance`
-- holds the measures conditions to keep receiving read (e.g. a child's attendance in a period).
-- `programme_jobs` records each eligibility or enrolment run and how far it got.
CREATE TABLE programmes (
    id         TEXT NOT NULL,
    version    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    name_ur    TEXT NOT NULL,
    source     TEXT NOT NULL,
    loaded_by  TEXT NOT NULL,
    loaded_at  BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE INDEX programmes_latest ON programmes(id, loaded_at);
CREATE TABLE programme_eligibility (
    household_id       TEXT NOT NULL,
    programme_id       TEXT NOT NULL,
    programme_version  TEXT NOT NULL,
    eligible           BOOLEAN NOT NULL,
    reasons            TEXT NOT NULL,
    score              DOUBLE PRECISION,
    model_version      TEXT,
    computed_at        BIGINT NOT NULL,
    PRIMARY KEY (household_id, programme_id)
);
CREATE INDEX programme_eligibility_eligible ON programme_eligibility(programme_id, household_id)
    WHERE eligible;
CREATE TABLE programme_enrolments (
    household_id  TEXT NOT NULL,
    programme_id  TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('enrolled', 'suspended', 'exited')),
    since         BIGINT NOT NULL,
    PRIMARY KEY (household_id, programme_id)
);
CREATE INDEX programme_enrolments_status ON programme_enrolments(programme_id, status);
CREATE TABLE programme_enrolment_history (
    seq           BIGSERIAL PRIMARY KEY,
    household_id  TEXT NOT NULL,
    programme_id  TEXT NOT NULL,
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    changed_by    TEXT NOT NULL,
    changed_at    BIGINT NOT NULL,
    reason        TEXT NOT NULL
);
CREATE INDEX programme_enrolment_history_household ON programme_enrolment_history(household_id, seq);
CREATE TABLE programme_compliance (
    programme_id  TEXT NOT NULL,
    period        TEXT NOT NULL,
    household_id  TEXT NOT NULL,
    member_id     TEXT NOT NULL DEFAULT '',
    measure       TEXT NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    PRIMARY KEY (programme_id, period, household_id, member_id, measure)
);
CREATE TABLE programme_jobs (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('eligibility', 'enrolment')),
    programme_id TEXT,
    started_by   TEXT NOT NULL,
    total        BIGINT NOT NULL,
    done         BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    error        TEXT
);
