-- Registry schema v12 (PostgreSQL): assignments, the work a supervisor gives a surveyor. An area
-- assignment names an area code (everything under it included) and an optional target number of
-- households; a household assignment (a re-visit) names one household and the area it was in.
-- A withdrawn assignment keeps its row (who withdrew it, when) and is no longer sent to tablets.
CREATE TABLE assignments (
    id               TEXT PRIMARY KEY,
    surveyor         TEXT NOT NULL REFERENCES users(id),
    kind             TEXT NOT NULL CHECK (kind IN ('area', 'household')),
    area             TEXT NOT NULL,
    household_id     TEXT,
    reference        TEXT,
    target           BIGINT,
    assigned_by      TEXT NOT NULL REFERENCES users(id),
    assigned_by_name TEXT NOT NULL,
    assigned_at      BIGINT NOT NULL,
    withdrawn_at     BIGINT,
    withdrawn_by     TEXT
);
-- A tablet's round reads its user's active assignments.
CREATE INDEX assignments_surveyor ON assignments(surveyor) WHERE withdrawn_at IS NULL;
-- The console reads the active assignments under an area (the domain's `AreaRange`, a bytewise range).
CREATE INDEX assignments_area ON assignments(area COLLATE "C") WHERE withdrawn_at IS NULL;
