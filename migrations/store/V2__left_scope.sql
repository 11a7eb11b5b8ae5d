-- Shumari field store, schema 2.
-- Households the registry moved out of this device's scope while they held changes the registry had
-- not received: kept, not deleted, so the surveyor can see and export them ("left your area, not yet
-- sent"). A household without unsent changes is removed as before and never appears here.
CREATE TABLE left_scope (
    rid      INTEGER PRIMARY KEY REFERENCES households (rid) ON DELETE CASCADE,
    noted_at INTEGER NOT NULL
);
