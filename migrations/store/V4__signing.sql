-- Shumari field store, schema 4.
-- The device's Ed25519 signing key, made at enrollment (or at the first sync of a store enrolled
-- before keys existed). One row, never replaced: the registry keeps its public key for this device
-- and refuses another. `registered` = the registry acknowledged the public key. The secret is
-- protected like everything else here, by the store's SQLCipher encryption.
CREATE TABLE device_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    secret     BLOB NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- Signatures of changes, by automerge change hash: this device's own (made when the change is first
-- sent) and other devices' (received with their changes), kept so that any change this device
-- holds can be forwarded with its author's signature.
CREATE TABLE change_signatures (
    hash      BLOB PRIMARY KEY,
    rid       INTEGER NOT NULL REFERENCES households (rid) ON DELETE CASCADE,
    signature BLOB NOT NULL
) WITHOUT ROWID;
CREATE INDEX change_signatures_rid ON change_signatures (rid);
