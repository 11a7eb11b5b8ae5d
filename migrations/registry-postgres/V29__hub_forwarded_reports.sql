-- A district hub's reports forwarded to the registry above (crates/hub). A hub runs on SQLite; the
-- table exists here too so both backends share one schema history.

CREATE TABLE hub_forwarded_reports (
    report_id    TEXT PRIMARY KEY,
    refused      TEXT,
    forwarded_at BIGINT NOT NULL
);
