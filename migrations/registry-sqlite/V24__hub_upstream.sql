-- A district hub's link to the registry above it (crates/hub). Empty on a registry that is no hub.

-- The hub's enrollment upstream: one row. The token is the hub's device token there, kept like a
-- tablet keeps its own (the database is the hub's store); the cursor is the upstream feed's.
CREATE TABLE hub_upstream (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    url          TEXT NOT NULL,
    token        TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    areas        TEXT NOT NULL,
    cursor       TEXT NOT NULL DEFAULT '',
    last_sync_at INTEGER
);

-- Per household, heads the registry above is known to hold (32 bytes each, concatenated): what a
-- push sends is everything after them.
CREATE TABLE hub_upstream_acked (
    household_id TEXT PRIMARY KEY,
    heads        BLOB NOT NULL
);

-- Per tablet of the hub, how many of its actors the registry above has bound (0: key only), so
-- a round registers only what is new.
CREATE TABLE hub_registered (
    device_id TEXT PRIMARY KEY,
    actors    INTEGER NOT NULL
);
