-- Registry schema v22 (PostgreSQL): the citizen row, what the citizen status page and the SMS service
-- show of a household beyond its list row, kept beside the ID-number index so a look-up decodes no
-- document.
--
-- Written by the ingest in the same transaction as the household (one row per household, replaced
-- on every change): when it was surveyed, its phone answer, and the roster as JSON (member id, the
-- name masked as the page shows it, the ID number and the card's recorded date of issue). Households
-- stored before this version get theirs from the registry's catch-up at start; until then their
-- look-ups read the document.
CREATE TABLE citizen_rows (
    household_id  TEXT PRIMARY KEY,
    surveyed_at   BIGINT NOT NULL,
    phone         TEXT,
    roster        TEXT NOT NULL
);
