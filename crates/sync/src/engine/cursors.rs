//! Which registry's feed cursor a round uses.
//!
//! Each registry numbers its own feed: a district hub's log is not the centre's, so a cursor of one
//! means nothing to the other. A device enrolled at the centre that also syncs with its district's
//! hub keeps one cursor per registry (store schema 6), and a move between them resumes each feed
//! where the device left it; with one cursor, every move handed the other registry a foreign
//! position, and the consistency check had to find and repair what the feed skipped.
//!
//! A registry is keyed by **its address as configured** (the transport's
//! [`Transport::registry`], else the address the device enrolled at). Not by an identity the
//! registry sends: the cursor is needed for the first request of a round, before any answer; the
//! only key a registry sends (its bundle key, on the feed's last page) is the centre's own, absent
//! at a hub without one, so it would not tell two hubs apart. An address is what the surveyor
//! chose to reach; a registry reached under two addresses keeps two cursors, which costs one
//! repeated feed, never a lost change (the check still runs on every pull).
//!
//! The registry the device enrolled at keeps the cursor the store held before schema 6 (the
//! migration keys it by the enrolled address), and USB bundles, which travel to that registry
//! only, use its cursor.

use super::KEY_URL;
use crate::proto::Cursor;
use crate::transport::Transport;
use shumari_store::{Store, StoreError};

fn normalised(url: &str) -> String {
    url.trim().trim_end_matches('/').to_string()
}

/// The key of the registry the device enrolled at.
pub(crate) fn enrolled(store: &Store) -> Result<String, StoreError> {
    Ok(store
        .kv_get(KEY_URL)?
        .map(|u| normalised(&u))
        .unwrap_or_default())
}

/// The key of the registry `t` reaches.
pub(crate) fn reached(store: &Store, t: &dyn Transport) -> Result<String, StoreError> {
    match t.registry() {
        Some(url) => Ok(normalised(url)),
        None => enrolled(store),
    }
}

/// The device's cursor in the feed of the registry keyed `registry` (the start when it never
/// pulled from it).
pub(crate) fn get(store: &Store, registry: &str) -> Result<Cursor, StoreError> {
    Ok(store
        .feed_cursor(registry)?
        .map(|t| Cursor::from_token(&t))
        .unwrap_or_default())
}

/// Keeps the device's cursor in that registry's feed.
pub(crate) fn set(store: &Store, registry: &str, c: &Cursor) -> Result<(), StoreError> {
    store.set_feed_cursor(registry, &c.to_token())
}
