-- Registry schema v4 (PostgreSQL): the access audit trail. Who read personal data, who administered the
-- registry and which requests failed authentication, one row per event, hash-chained: `hash` is the
-- SHA-256 of `prev_hash` and the row's canonical content (`storage::access`), and `prev_hash` is the
-- previous row's `hash` (32 zero bytes for the first). The appender assigns `seq` (last + 1) while
-- holding an EXCLUSIVE lock on the table, so concurrent writers never fork the chain;
-- `shumari registry audit verify` walks it.
CREATE TABLE access_audit (
    seq       BIGINT PRIMARY KEY,
    at        BIGINT NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    subject   TEXT,
    detail    TEXT,
    prev_hash BYTEA NOT NULL,
    hash      BYTEA NOT NULL
);
