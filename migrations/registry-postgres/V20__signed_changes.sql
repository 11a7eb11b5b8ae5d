-- Registry schema v20 (PostgreSQL): signed changes.
--
-- Each device's Ed25519 public key, registered once (at enrollment, or at the first sync of a device
-- enrolled before keys existed) and never replaced. A change is accepted from any device in scope
-- that relays it when its signature verifies against the key of the device its actor is bound to.
CREATE TABLE device_keys (
    device_id     TEXT PRIMARY KEY REFERENCES devices(id),
    public_key    BYTEA NOT NULL,
    registered_at BIGINT NOT NULL
);

-- The signature records of a log entry's changes, beside them (96 bytes each: change hash, then
-- signature), so the feed forwards every change with its author's signature. Entries of unsigned
-- changes (devices without a key, the registry's own) have none; the partial index finds a
-- household's records for a whole-document delivery without touching those.
ALTER TABLE log ADD COLUMN signatures BYTEA;
CREATE INDEX log_signed ON log(household_id) WHERE signatures IS NOT NULL;
