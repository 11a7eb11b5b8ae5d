-- Registry schema v8 (SQLite): the registry's own automerge actor. The registry writes changes of its
-- own into household documents (acknowledging a submission, recording a review decision) as one actor,
-- made once and kept here, so its changes carry the same actor id across restarts and processes. One
-- row at most (`id` is always 1); the first process to store a candidate wins and the others read it.
CREATE TABLE registry_actor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    actor      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
