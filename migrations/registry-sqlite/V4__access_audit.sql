-- Registry schema v4 (SQLite): the access audit trail. Who read personal data, who administered the
-- registry and which requests failed authentication, one row per event, hash-chained: `hash` is the
-- SHA-256 of `prev_hash` and the row's canonical content (`storage::access`), and `prev_hash` is the
-- previous row's `hash` (32 zero bytes for the first). The appender assigns `seq` (last + 1) inside a
-- write transaction, so the chain never forks; `shumari registry audit verify` walks it.
CREATE TABLE access_audit (
    seq       INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    action    TEXT NOT NULL,
    actor     TEXT NOT NULL,
    subject   TEXT,
    detail    TEXT,
    prev_hash BLOB NOT NULL,
    hash      BLOB NOT NULL
);
