-- Registry schema v5 (SQLite): devices and users that can be cut off.
-- A device token expires a configured time after it was issued (`token_issued_at`; NULL means the
-- enrollment time, `created_at`) and is replaced by a new one while the device syncs. Until the device
-- first uses the new token, the one it replaced stays valid (`prev_token_hash`), so a connection cut
-- while the new token travels cannot lock the device out. A revoked device (`revoked_at`) and every
-- device of a disabled user (`users.disabled_at`) are refused on every request. `last_seen_at` is
-- written at most once an hour per device. Devices enrolled before this version count their token's
-- lifetime from the upgrade, not from their enrollment: an upgrade cuts nobody off.
ALTER TABLE devices ADD COLUMN token_issued_at INTEGER;
ALTER TABLE devices ADD COLUMN prev_token_hash BLOB;
ALTER TABLE devices ADD COLUMN revoked_at INTEGER;
ALTER TABLE devices ADD COLUMN last_seen_at INTEGER;
UPDATE devices SET token_issued_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
CREATE UNIQUE INDEX devices_prev_token ON devices(prev_token_hash);
CREATE INDEX devices_user ON devices(user_id);
