-- Shumari field store, schema 3.
-- The surveyor's assignments as the registry last sent them with a sync (areas to enumerate,
-- households to visit again). Replaced whole by each list received, so a withdrawn assignment is
-- gone after the next sync; kept while offline. `assignment` is the domain's `Assignment` as JSON;
-- `area` and `household_id` are copied out for progress and for finding the household.
CREATE TABLE assignments (
    id           TEXT PRIMARY KEY,
    position     INTEGER NOT NULL,
    area         TEXT NOT NULL,
    household_id TEXT,
    assignment   TEXT NOT NULL
) WITHOUT ROWID;
