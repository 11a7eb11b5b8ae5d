-- Registry schema v23 (PostgreSQL): USB bundles.
--
-- The registry's bundle key: the Ed25519 public key that bundles to the registry are encrypted to
-- and bundles from it are signed with, told to devices at enrollment and on their next pull. Only
-- the public half is kept here: the secret lives in a key file readable by its owner only (the
-- database is not encrypted, and its backups travel), made by the first bundle command. The row
-- also ties the database to that file: a key file whose public half differs is refused.
CREATE TABLE bundle_key (
    id         BIGINT PRIMARY KEY CHECK (id = 1),
    public_key BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- Per device, where it said it was in its feed in the last bundle imported from it (its pull
-- cursor, as the device stores it), so the next downward bundle for it starts there instead of
-- with every household of its scope.
CREATE TABLE bundle_positions (
    device_id   TEXT PRIMARY KEY REFERENCES devices(id),
    cursor      TEXT NOT NULL,
    bundle_id   TEXT NOT NULL,
    imported_at BIGINT NOT NULL
);
