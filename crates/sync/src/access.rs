//! How the engine reaches the device's store: one local step at a time, never across a request.
//!
//! A sync round is mostly waiting on the network (a 64 KiB frame takes about ten seconds on 2G, and an
//! unreachable registry is retried with backoff). If the engine held the store for the whole round,
//! every keystroke save on the tablet would wait behind it. So the engine is written against
//! [`StoreAccess`]: each local step (collect a batch, record acknowledgements, apply a received page,
//! read or write the cursor) is one call of [`StoreAccess::with_store`], and requests happen between
//! calls, with the store free for everyone else.
//!
//! Two implementations:
//! - [`Store`] itself, for a caller that owns the store outright (the command line, tests);
//! - [`SharedStore`], for a store behind a mutex that other threads use too (the field app): it locks
//!   per step, and stops the round cleanly ([`SyncError::Stopped`]) once the store has been closed or
//!   reopened, because a reopened store is a new automerge actor the round never registered.
//!
//! Why concurrent edits are safe: the engine acknowledges the heads it *sent*, never the document's
//! current heads. A household edited while its batch is in flight ends the round with heads that differ
//! from its acknowledged heads, so it is still "waiting" and its new changes go next round; the
//! changes the registry acknowledged are never sent again.

use crate::engine::SyncError;
use shumari_domain::automerge::ActorId;
use shumari_store::Store;
use std::sync::Mutex;

/// Access to the device's store for one local step of a sync.
pub trait StoreAccess {
    /// Runs `f` with the store and releases it afterwards.
    fn with_store<T, F>(&mut self, f: F) -> Result<T, SyncError>
    where
        F: FnOnce(&mut Store) -> Result<T, SyncError>;
}

impl StoreAccess for Store {
    fn with_store<T, F>(&mut self, f: F) -> Result<T, SyncError>
    where
        F: FnOnce(&mut Store) -> Result<T, SyncError>,
    {
        f(self)
    }
}

/// A store shared with other threads (`None` while the app is locked), locked for each step only.
#[derive(Debug)]
pub struct SharedStore<'a> {
    store: &'a Mutex<Option<Store>>,
    /// The actor of the store the round started with: another actor means the store was reopened.
    actor: Option<ActorId>,
}

impl<'a> SharedStore<'a> {
    /// Access to the store behind `store`.
    pub fn new(store: &'a Mutex<Option<Store>>) -> Self {
        SharedStore { store, actor: None }
    }
}

impl StoreAccess for SharedStore<'_> {
    fn with_store<T, F>(&mut self, f: F) -> Result<T, SyncError>
    where
        F: FnOnce(&mut Store) -> Result<T, SyncError>,
    {
        // Every write is one SQLite transaction, so a panic elsewhere while holding the lock cannot
        // leave the store half-written: a poisoned lock is safe to keep using.
        let mut guard = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let store = guard.as_mut().ok_or(SyncError::Stopped)?;
        let actor = &store.device().actor;
        match &self.actor {
            Some(a) if a != actor => return Err(SyncError::Stopped),
            Some(_) => {}
            None => self.actor = Some(actor.clone()),
        }
        f(store)
    }
}
