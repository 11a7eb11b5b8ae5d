-- Registry schema v18 (SQLite): failed look-ups on the citizen status page and the SMS service.
--
-- One row per key: a keyed hash of a CNIC or of a client address (never the number or the address
-- itself), the failures in the current window and, once the limit is reached, until when the key is
-- locked out. Kept in the database so a lockout holds across restarts and across registry processes.
CREATE TABLE citizen_attempts (
    key           BLOB PRIMARY KEY,
    failures      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    locked_until  INTEGER
) WITHOUT ROWID;

-- The card's date of issue beside each ID number in the ID-number index (from the member answer
-- `id_issued`), so a citizen's look-up reads one index row and no document. Rows written before
-- this version have none until their household's next change.
ALTER TABLE member_ids ADD COLUMN issued TEXT;
