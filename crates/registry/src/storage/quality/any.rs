//! [`QualityStore`] on whichever backend an [`AnyStorage`] is.

use super::{FactRow, FlagRow, QualityStore};
use crate::storage::any::AnyStorage;
use crate::storage::Result;
use shumari_domain::AreaRange;
use uuid::Uuid;

/// Calls the same method on whichever backend this is.
macro_rules! delegate {
    ($self:ident.$method:ident($($arg:expr),*)) => {
        match $self {
            AnyStorage::Sqlite(s) => s.$method($($arg),*).await,
            AnyStorage::Postgres(s) => s.$method($($arg),*).await,
        }
    };
}

impl QualityStore for AnyStorage {
    async fn facts_of(&self, ids: &[Uuid]) -> Result<Vec<FactRow>> {
        delegate!(self.facts_of(ids))
    }

    async fn put_facts(&self, rows: Vec<FactRow>) -> Result<()> {
        delegate!(self.put_facts(rows))
    }

    async fn households_on_day(&self, surveyor: &str, day: &str) -> Result<Vec<(Uuid, String)>> {
        delegate!(self.households_on_day(surveyor, day))
    }

    async fn households_with_assets(
        &self,
        surveyor: &str,
        print: &str,
    ) -> Result<Vec<(Uuid, String)>> {
        delegate!(self.households_with_assets(surveyor, print))
    }

    async fn tehsil_points(&self, tehsil: &str) -> Result<Vec<(Uuid, String, f64, f64)>> {
        delegate!(self.tehsil_points(tehsil))
    }

    async fn replace_flags(
        &self,
        households: Vec<Uuid>,
        kinds: Vec<String>,
        rows: Vec<FlagRow>,
    ) -> Result<()> {
        delegate!(self.replace_flags(households, kinds, rows))
    }

    async fn flags_of(&self, ids: &[Uuid]) -> Result<Vec<FlagRow>> {
        delegate!(self.flags_of(ids))
    }

    async fn flags_in(
        &self,
        range: &AreaRange,
        kind: Option<&str>,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> Result<Vec<FlagRow>> {
        delegate!(self.flags_in(range, kind, after, limit))
    }

    async fn unflagged(&self, limit: usize) -> Result<Vec<Uuid>> {
        delegate!(self.unflagged(limit))
    }

    async fn flagged_count(&self, range: &AreaRange) -> Result<u64> {
        delegate!(self.flagged_count(range))
    }
}
