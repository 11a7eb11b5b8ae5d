-- Shumari field store, schema 6: the device's place in each registry's feed.
--
-- A device enrolled at the centre may also sync with its district's hub (and back): each registry
-- numbers its own feed, so each keeps its own cursor, keyed by the registry's address as configured
-- (crates/sync/src/engine/cursors.rs says why). The single cursor kept before becomes the cursor of
-- the registry the device enrolled at.
CREATE TABLE feed_cursors (
    registry TEXT PRIMARY KEY NOT NULL,
    cursor   TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO feed_cursors (registry, cursor)
SELECT coalesce((SELECT value FROM meta WHERE key = 'sync.registry_url'), ''), value
  FROM meta WHERE key = 'sync.cursor';

DELETE FROM meta WHERE key = 'sync.cursor';
