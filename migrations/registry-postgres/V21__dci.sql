-- Registry schema v21 (PostgreSQL): the DCI social registry API's system clients (`crates/dci`).
--
-- A system client is a registry user (its role and areas scope every read) with a name, the
-- SHA-256 of its secret (a 256-bit random value, so a hash suffices; the secret itself is shown
-- once), its Ed25519 public key for message signatures and the base URL its callbacks go to.
CREATE TABLE dci_clients (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    secret_hash   BYTEA NOT NULL,
    public_key    BYTEA NOT NULL,
    callback_url  TEXT,
    created_at    BIGINT NOT NULL
);

-- Access tokens of the OAuth2 client-credentials grant, by SHA-256.
CREATE TABLE dci_tokens (
    token_hash  BYTEA PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES dci_clients(id),
    expires_at  BIGINT NOT NULL
);

-- Asynchronous searches: accepted with a transaction id, answered by a callback. Holds ids,
-- states and counts only, never a query's values (a CNIC) or a record.
CREATE TABLE dci_transactions (
    client_id        TEXT NOT NULL REFERENCES dci_clients(id),
    transaction_id   TEXT NOT NULL,
    correlation_id   TEXT NOT NULL,
    action           TEXT NOT NULL,
    state            TEXT NOT NULL,
    records          BIGINT NOT NULL DEFAULT 0,
    callback_status  BIGINT,
    created_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    PRIMARY KEY (client_id, transaction_id)
);
