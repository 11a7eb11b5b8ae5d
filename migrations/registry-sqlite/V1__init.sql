-- Registry schema v1 (SQLite). Files here are only ever added, never edited.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE user_areas (
    user_id TEXT NOT NULL REFERENCES users(id),
    area    TEXT NOT NULL,
    PRIMARY KEY (user_id, area)
);
-- One-time enrollment codes; only their SHA-256 is kept.
CREATE TABLE enroll_codes (
    code_hash   BLOB PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
-- Devices; only the SHA-256 of the bearer token is kept.
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    label       TEXT NOT NULL,
    token_hash  BLOB NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);
-- automerge actor ids bound to the device that registered them (one device per actor, forever).
CREATE TABLE actors (
    actor         BLOB PRIMARY KEY,
    device_id     TEXT NOT NULL REFERENCES devices(id),
    registered_at INTEGER NOT NULL
);
-- The merged document and its projection, one row per household.
CREATE TABLE households (
    id              TEXT PRIMARY KEY,
    area            TEXT NOT NULL,
    ref             TEXT NOT NULL,
    head_name       TEXT,
    head_id_number  TEXT,
    member_count    INTEGER NOT NULL,
    status          TEXT NOT NULL,
    conflict_count  INTEGER NOT NULL,
    heads           BLOB NOT NULL,
    doc             BLOB NOT NULL,
    last_device     TEXT NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX households_area ON households(area);
CREATE INDEX households_ref ON households(ref);
CREATE TABLE member_ids (
    household_id TEXT NOT NULL,
    id_number    TEXT NOT NULL
);
CREATE INDEX member_ids_household ON member_ids(household_id);
CREATE INDEX member_ids_number ON member_ids(id_number);
-- The append-only change log behind the pull feed.
CREATE TABLE log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id TEXT NOT NULL,
    area         TEXT NOT NULL,
    prev_area    TEXT,
    device_id    TEXT NOT NULL,
    changes      BLOB NOT NULL,
    heads        BLOB NOT NULL,
    at           INTEGER NOT NULL
);
-- Who made which change, when.
CREATE TABLE audit (
    change_hash  BLOB PRIMARY KEY,
    household_id TEXT NOT NULL,
    actor        BLOB NOT NULL,
    device_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX audit_household ON audit(household_id);
