-- Registry schema v17 (postgres): grievances with tracking numbers per district.
--
-- `grievance_sequences` holds the last number given in each district; a grievance takes the next
-- one with a single upsert in the transaction that stores it, so two registry processes on one
-- database never give the same number. `grievances` is one row per grievance: where it is routed
-- (its district, and the province once escalated), what it is about, the citizen's text and phone,
-- its status, due time and resolution; amounts are integers in paisa. `grievance_events` is its
-- history (filed, note, escalated, resolved), in order per grievance.
CREATE TABLE grievance_sequences (
    district    TEXT PRIMARY KEY,
    last_number BIGINT NOT NULL
);
CREATE TABLE grievances (
    tracking          TEXT PRIMARY KEY,
    district          TEXT NOT NULL,
    province          TEXT NOT NULL,
    area              TEXT NOT NULL,
    household_id      TEXT,
    payment_reference TEXT,
    reported_amount   BIGINT,
    category          TEXT NOT NULL,
    channel           TEXT NOT NULL,
    lang              TEXT NOT NULL,
    citizen_text      TEXT NOT NULL,
    phone             TEXT NOT NULL,
    status            TEXT NOT NULL,
    filed_by          TEXT NOT NULL,
    filed_at          BIGINT NOT NULL,
    due_at            BIGINT NOT NULL,
    escalated_at      BIGINT,
    resolved_at       BIGINT,
    resolution        TEXT,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX grievances_area ON grievances(area COLLATE "C", tracking);
CREATE INDEX grievances_household ON grievances(household_id);
CREATE INDEX grievances_payment ON grievances(payment_reference);
CREATE INDEX grievances_due ON grievances(due_at) WHERE escalated_at IS NULL AND status IN ('open', 'in_progress');
CREATE TABLE grievance_events (
    tracking TEXT NOT NULL REFERENCES grievances(tracking),
    seq      BIGINT NOT NULL,
    kind     TEXT NOT NULL,
    by_user  TEXT NOT NULL,
    at       BIGINT NOT NULL,
    text     TEXT NOT NULL,
    PRIMARY KEY (tracking, seq)
);
