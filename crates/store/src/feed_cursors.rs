//! Where the device is in each registry's feed (store schema 6): one opaque cursor per registry,
//! keyed by whatever the sync engine identifies a registry by. The store keeps and returns them;
//! what a cursor means is the registry's.

use crate::error::Result;
use crate::store::Store;
use rusqlite::{params, OptionalExtension};

impl Store {
    /// The cursor in `registry`'s feed, if the device pulled from it.
    pub fn feed_cursor(&self, registry: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT cursor FROM feed_cursors WHERE registry = ?1",
                [registry],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Keeps the cursor in `registry`'s feed (durably).
    pub fn set_feed_cursor(&self, registry: &str, cursor: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO feed_cursors (registry, cursor) VALUES (?1, ?2)
             ON CONFLICT (registry) DO UPDATE SET cursor = excluded.cursor",
            params![registry, cursor],
        )?;
        Ok(())
    }

    /// Forgets every registry's cursor and the last reviewer's decision held from it: the next
    /// pull from each starts the feed and the decisions over (which changes nothing the device
    /// holds).
    pub fn forget_feed_cursors(&self) -> Result<()> {
        self.conn.execute("DELETE FROM feed_cursors", [])?;
        self.conn.execute("DELETE FROM review_positions", [])?;
        Ok(())
    }
}
