-- Registry schema v6 (SQLite): each enrolled device's short id, the middle part of every reference
-- number it makes (`PK60301-K7QD2-42`). One device per short id and one short id per device, so two
-- devices can never make the same reference; the registry refuses a new household whose reference
-- carries another device's short id.
CREATE TABLE device_short_ids (
    short_id   TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL UNIQUE REFERENCES devices(id),
    granted_at INTEGER NOT NULL
);
