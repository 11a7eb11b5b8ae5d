-- A district hub's link to the registry above it (crates/hub). A hub runs on SQLite; the tables
-- exist here too so both backends share one schema history.

CREATE TABLE hub_upstream (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    url          TEXT NOT NULL,
    token        TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    areas        TEXT NOT NULL,
    cursor       TEXT NOT NULL DEFAULT '',
    last_sync_at BIGINT
);

CREATE TABLE hub_upstream_acked (
    household_id TEXT PRIMARY KEY,
    heads        BYTEA NOT NULL
);

CREATE TABLE hub_registered (
    device_id TEXT PRIMARY KEY,
    actors    BIGINT NOT NULL
);
