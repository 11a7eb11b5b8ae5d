-- Registry schema v16 (PostgreSQL): payment cycles and their reconciliation with the bank.
--
-- `payment_cycles` is one row per programme and period (one cycle each, the unique index), with who
-- prepared it and who approved it (never the same user: the service's four-eyes rule) and its totals.
-- `payments` is one row per household of a cycle, under a reference unique in the registry that the
-- bank's list and its result file carry; amounts are integers in paisa. A bank result moves a payment
-- from `planned` to `paid` or `failed` and names the file that did it (`bank_file`, the SHA-256 of a
-- row of `payment_bank_files`), so a file imported again is recognised and changes nothing.
CREATE TABLE payment_cycles (
    id              TEXT PRIMARY KEY,
    programme_id    TEXT NOT NULL,
    period          TEXT NOT NULL,
    state           TEXT NOT NULL,
    prepared_by     TEXT NOT NULL,
    prepared_at     BIGINT NOT NULL,
    approved_by     TEXT,
    approved_at     BIGINT,
    payment_count   BIGINT NOT NULL,
    total_paisa     BIGINT NOT NULL
);
CREATE UNIQUE INDEX payment_cycles_programme_period ON payment_cycles(programme_id, period);
CREATE TABLE payments (
    reference       TEXT COLLATE "C" PRIMARY KEY,
    cycle_id        TEXT NOT NULL REFERENCES payment_cycles(id),
    household_id    TEXT NOT NULL,
    household_ref   TEXT NOT NULL,
    area            TEXT COLLATE "C" NOT NULL,
    district        TEXT COLLATE "C" NOT NULL,
    payee_member    TEXT NOT NULL,
    payee_name      TEXT NOT NULL,
    payee_cnic      TEXT NOT NULL,
    planned_paisa   BIGINT NOT NULL,
    basis           TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'planned',
    paid_paisa      BIGINT,
    paid_on         TEXT,
    agent_id        TEXT,
    failure_reason  TEXT,
    bank_file       TEXT
);
CREATE INDEX payments_cycle_district ON payments(cycle_id, district, reference);
CREATE INDEX payments_cycle_area ON payments(cycle_id, area);
CREATE INDEX payments_household ON payments(household_id);
CREATE TABLE payment_bank_files (
    sha256          TEXT PRIMARY KEY,
    cycle_id        TEXT NOT NULL REFERENCES payment_cycles(id),
    imported_by     TEXT NOT NULL,
    imported_at     BIGINT NOT NULL,
    row_count       BIGINT NOT NULL,
    paid_count      BIGINT NOT NULL,
    failed_count    BIGINT NOT NULL,
    unchanged_count BIGINT NOT NULL
);
