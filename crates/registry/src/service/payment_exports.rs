//! The payments an export reads: the payments feature's own read for `shumari-exports`'
//! `payments` dataset. A page walks the payments of one granted area after the last reference
//! (`PaymentStore::payments_under`, the reference key read forward), then the next area, so memory
//! holds one page whatever the number of cycles. Each row carries its cycle's programme, period and
//! state. `since` keeps the payments of cycles prepared at or after that time.
//!
//! Reading is refused to a role that reads no payments; what the export may carry (the payee's
//! name and CNIC) is the exporter's, by the grant's `personal`. The export is recorded once, at
//! its end, by [`Registry::record_export`](super::Registry::record_export).

use super::exports::ExportGrant;
use super::payments::may;
use super::Registry;
use crate::error::Result;
use crate::storage::payments::{CycleRow, PaymentRow};
use crate::storage::{Storage, User};
use shumari_domain::roles::Action;
use std::collections::HashMap;

/// One payment with its cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedPayment {
    /// The payment as stored.
    pub payment: PaymentRow,
    /// Its cycle's programme.
    pub programme_id: String,
    /// Its cycle's period.
    pub period: String,
    /// Its cycle's state (`prepared`, `approved`).
    pub cycle_state: String,
}

/// Where the next page starts: the granted area's place and the last reference read in it.
pub type PaymentPosition = (usize, String);

/// A page of payments for an export.
#[derive(Debug, Clone)]
pub struct PaymentExportPage {
    /// The payments, in (area, reference) order.
    pub rows: Vec<ExportedPayment>,
    /// Where the next page starts (`None`: this was the last).
    pub next: Option<PaymentPosition>,
}

impl<S: Storage> Registry<S> {
    /// Up to `limit` payments of `grant`'s areas after `after`, of cycles prepared at or after
    /// `since` (ms since epoch) when given. A page may hold fewer rows (even none) without being
    /// the last.
    pub async fn payment_export_page(
        &self,
        user: &User,
        grant: &ExportGrant,
        since: Option<i64>,
        after: Option<PaymentPosition>,
        limit: usize,
    ) -> Result<PaymentExportPage> {
        may(user, Action::ReadPayments)?;
        let limit = limit.max(1);
        let (mut place, mut last) = after.unwrap_or((0, String::new()));
        let Some(area) = grant.areas.get(place) else {
            return Ok(PaymentExportPage {
                rows: Vec::new(),
                next: None,
            });
        };
        let read = self.storage.payments_under(area, &last, limit).await?;
        let next = if read.len() == limit {
            last = read.last().map(|p| p.reference.clone()).unwrap_or_default();
            Some((place, last))
        } else {
            place += 1;
            (place < grant.areas.len()).then(|| (place, String::new()))
        };
        let cycles: HashMap<String, CycleRow> = self
            .storage
            .payment_cycles()
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let rows = read
            .into_iter()
            .filter_map(|p| {
                let c = cycles.get(&p.cycle_id)?;
                if since.is_some_and(|s| c.prepared_at < s) {
                    return None;
                }
                Some(ExportedPayment {
                    programme_id: c.programme_id.clone(),
                    period: c.period.clone(),
                    cycle_state: c.state.clone(),
                    payment: p,
                })
            })
            .collect();
        Ok(PaymentExportPage { rows, next })
    }
}
