-- Shumari field store, schema 1.
-- Applied in one transaction by crates/store/src/migrate.rs; never edited once released: add a new file.

-- Small encrypted settings: device short id, sequence counter, user, registry URL, device token, cursors.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every automerge actor this store has written with (a fresh one per open, so a restored or cloned copy
-- never repeats one). `registered` = the registry knows it belongs to this device.
CREATE TABLE actors (
    actor      BLOB PRIMARY KEY,
    created_at INTEGER NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Union councils / villages added by district offices (the built-in list is compiled in).
CREATE TABLE local_areas (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    parent TEXT NOT NULL
) WITHOUT ROWID;

-- The projection used for listing and search. `rid` is the row id shared with the full-text index.
CREATE TABLE households (
    rid            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    ref            TEXT NOT NULL UNIQUE,
    area           TEXT NOT NULL,
    head_name      TEXT,
    head_id_number TEXT,
    member_count   INTEGER NOT NULL,
    status         TEXT NOT NULL,
    form_id        TEXT NOT NULL,
    form_version   TEXT NOT NULL,
    conflict_count INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX households_updated ON households (updated_at DESC);
CREATE INDEX households_area ON households (area, updated_at DESC);
CREATE INDEX households_status ON households (status, updated_at DESC);

CREATE TABLE members (
    rid       INTEGER NOT NULL REFERENCES households (rid) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    line      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    id_number TEXT,
    PRIMARY KEY (rid, member_id)
) WITHOUT ROWID;
CREATE INDEX members_id_number ON members (id_number) WHERE id_number IS NOT NULL;

-- One row per household (rowid = households.rid): every member's name, English or Urdu.
CREATE VIRTUAL TABLE household_names USING fts5 (
    names,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- The automerge document: a compacted snapshot plus incremental chunks appended by each edit.
CREATE TABLE documents (
    rid         INTEGER PRIMARY KEY REFERENCES households (rid) ON DELETE CASCADE,
    snapshot    BLOB NOT NULL,
    chunk_count INTEGER NOT NULL DEFAULT 0,
    chunk_bytes INTEGER NOT NULL DEFAULT 0,
    heads       BLOB NOT NULL,
    -- heads the registry has acknowledged (NULL: never synced)
    acked_heads BLOB
);
CREATE TABLE doc_chunks (
    rid   INTEGER NOT NULL REFERENCES documents (rid) ON DELETE CASCADE,
    seq   INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (rid, seq)
) WITHOUT ROWID;
