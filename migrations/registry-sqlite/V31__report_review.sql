-- Registry schema v31 (SQLite): review of the reports filled with published forms.
--
-- A report's `status` (submitted, approved, returned, rejected, replaced) is now moved by a
-- reviewer's decision; a corrected report names the returned one it replaces (`replaces`), which
-- then reads `replaced` and leaves the form's figures and its export.
ALTER TABLE form_submissions ADD COLUMN replaces TEXT;
CREATE INDEX form_submissions_by_replaces ON form_submissions (replaces) WHERE replaces IS NOT NULL;

-- Every decision on a report, kept (who, when, the note): the report's history. `device_id` is
-- the device that sent the report; a pull names the last `seq` its device holds and gets those after
-- it (`reviews_after`), so a page lost on the way is sent again.
CREATE TABLE form_submission_reviews (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id  TEXT NOT NULL REFERENCES form_submissions (id),
    device_id      TEXT NOT NULL,
    decision       TEXT NOT NULL,
    note           TEXT NOT NULL,
    reviewer_id    TEXT NOT NULL,
    reviewer_name  TEXT NOT NULL,
    decided_at     INTEGER NOT NULL
);
CREATE INDEX form_submission_reviews_by_submission ON form_submission_reviews (submission_id, seq);
CREATE INDEX form_submission_reviews_by_device ON form_submission_reviews (device_id, seq);

