//! The data-quality rows of migration V13 (`service/flags.rs` decides what goes in them):
//! [`FactRow`], one per household, what the flags comparing households group by (surveyor and day,
//! surveyor and asset fingerprint, tehsil and GPS point), kept up to date as households merge so
//! each comparison reads one index range, never the registry; and [`FlagRow`], the flags standing on
//! each household with the numbers their reasons are worded from. Each backend (`sqlite.rs`,
//! `postgres.rs`) stores and reads the columns with fixed statements and bound parameters; `any.rs`
//! delegates.
//!
//! [`QualityStore`] is a supertrait of [`super::Storage`].

pub(super) mod any;
pub(super) mod postgres;
pub(super) mod sqlite;

use super::Result;
use shumari_domain::AreaRange;
use std::future::Future;
use uuid::Uuid;

/// What the cross-household flags know of one household.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    /// Household.
    pub household_id: Uuid,
    /// Its area code.
    pub area: String,
    /// The tehsil the area lies in (the area itself above tehsil level).
    pub tehsil: String,
    /// The user who created it.
    pub surveyor: String,
    /// The interview's day, `YYYY-MM-DD` in Pakistan time.
    pub day: String,
    /// Fingerprint of the asset answers (`None`: no asset question answered).
    pub asset_print: Option<String>,
    /// GPS latitude, when there is a fix.
    pub lat: Option<f64>,
    /// GPS longitude.
    pub lon: Option<f64>,
    /// Seconds from the interview's first opening to its last completion (the paradata's
    /// `duration_secs`; `None` without both), for the dashboards' interview durations.
    pub duration_secs: Option<i64>,
}

/// One flag standing on one household.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagRow {
    /// Household.
    pub household_id: Uuid,
    /// The flag's kind (`service::FlagKind` names).
    pub kind: String,
    /// The household's area (for scoped lists).
    pub area: String,
    /// The numbers the reason is worded from (a JSON object).
    pub detail: String,
    /// When it was raised (ms since epoch).
    pub flagged_at: i64,
}

/// Data-quality facts and flags.
pub trait QualityStore {
    /// The stored facts of `ids` (those that have some).
    fn facts_of(&self, ids: &[Uuid]) -> impl Future<Output = Result<Vec<FactRow>>> + Send;
    /// Stores facts, replacing each household's previous ones, in one transaction.
    fn put_facts(&self, rows: Vec<FactRow>) -> impl Future<Output = Result<()>> + Send;
    /// The households `surveyor` interviewed on `day`, with their areas (index `(surveyor, day)`).
    fn households_on_day(
        &self,
        surveyor: &str,
        day: &str,
    ) -> impl Future<Output = Result<Vec<(Uuid, String)>>> + Send;
    /// The households of `surveyor` whose asset answers have fingerprint `print`, with their areas.
    fn households_with_assets(
        &self,
        surveyor: &str,
        print: &str,
    ) -> impl Future<Output = Result<Vec<(Uuid, String)>>> + Send;
    /// The GPS points of the households of `tehsil` `(household, area, lat, lon)`.
    fn tehsil_points(
        &self,
        tehsil: &str,
    ) -> impl Future<Output = Result<Vec<(Uuid, String, f64, f64)>>> + Send;
    /// Makes the flags of `kinds` on `households` exactly those of `rows` (rows of other kinds or
    /// households are left alone), in one transaction. A flag already standing keeps its time.
    fn replace_flags(
        &self,
        households: Vec<Uuid>,
        kinds: Vec<String>,
        rows: Vec<FlagRow>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The flags standing on `ids`.
    fn flags_of(&self, ids: &[Uuid]) -> impl Future<Output = Result<Vec<FlagRow>>> + Send;
    /// Up to `limit` flags in `range`, of `kind` when given, in (area, household, kind) order after
    /// the household `after` (a page's position).
    fn flags_in(
        &self,
        range: &AreaRange,
        kind: Option<&str>,
        after: Option<(String, Uuid)>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<FlagRow>>> + Send;
    /// Up to `limit` households that have no facts row (stored before the flags existed, or queued
    /// when a process stopped), for the queue's catch-up.
    fn unflagged(&self, limit: usize) -> impl Future<Output = Result<Vec<Uuid>>> + Send;
    /// How many households in `range` carry at least one flag.
    fn flagged_count(&self, range: &AreaRange) -> impl Future<Output = Result<u64>> + Send;
}
