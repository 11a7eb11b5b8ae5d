-- Shumari field store, schema 7: reviewers' decisions on the reports this device sent, and
-- corrections of returned reports.
--
-- A sent report's `state` follows the registry's decision (`approved`, `returned`, `rejected`);
-- `review_note`, `reviewed_by` and `reviewed_at` say why, who and when. A returned report is never
-- edited: its correction is a new report that names it (`replaces`), and the returned one names
-- its correction (`replaced_by`) so it is corrected once.
ALTER TABLE form_reports ADD COLUMN review_note TEXT;
ALTER TABLE form_reports ADD COLUMN reviewed_by TEXT;
ALTER TABLE form_reports ADD COLUMN reviewed_at INTEGER;
ALTER TABLE form_reports ADD COLUMN replaces TEXT;
ALTER TABLE form_reports ADD COLUMN replaced_by TEXT;

-- Per registry, the number of the last decision this device holds: its pull names it, and the
-- registry sends the decisions after it, so a page lost on the way is sent again. Moved in the
-- transaction that records the decisions. Keyed as `feed_cursors` (each registry numbers its own).
CREATE TABLE review_positions (
    registry TEXT PRIMARY KEY NOT NULL,
    upto     INTEGER NOT NULL
) WITHOUT ROWID;
