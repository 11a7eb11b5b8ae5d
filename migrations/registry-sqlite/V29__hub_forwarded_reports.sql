-- A district hub's reports forwarded to the registry above (crates/hub). Empty on a registry that
-- is no hub.

-- Per report the hub's tablets submitted, that the registry above answered it: stored (refused
-- NULL) or refused with the reason. A round sends the reports without a row here.
CREATE TABLE hub_forwarded_reports (
    report_id    TEXT PRIMARY KEY,
    refused      TEXT,
    forwarded_at INTEGER NOT NULL
);
