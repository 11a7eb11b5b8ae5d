//! What programmes owe: compliance records (the measures conditions to keep receiving read, such
//! as a child's attendance in a period) and the planned payments of a programme, period and area,
//! the lines a payment cycle is made from ([`Registry::planned_payments`]), computed with the
//! programme file's entitlement rules by `shumari_programmes::entitlement`.

use super::access_audit::{actor_of, AccessAction};
use super::programmes::{household_of, internal, may, PAGE};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::programmes::ComplianceRow;
use crate::storage::{Storage, User};
use shumari_domain::roles::Action;
use shumari_domain::PlannedPayment;
use shumari_programmes::{Compliance, Period};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

impl<S: Storage> Registry<S> {
    /// Records compliance measures for a programme's period (e.g. each child's attendance), as a
    /// programme officer; the households must be in the officer's areas.
    pub async fn record_compliance(
        &self,
        user: &User,
        programme: &str,
        period: &str,
        records: &[(Uuid, Option<Uuid>, String, f64)],
    ) -> Result<usize> {
        may(user, Action::ManageProgrammes)?;
        let p = self.programme_in_force(programme).await?;
        let period = Period::parse(period, p.instalments_per_year)
            .map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let ids: Vec<Uuid> = records
            .iter()
            .map(|r| r.0)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let in_scope = self
            .storage
            .summaries_of(&ids)
            .await?
            .iter()
            .filter(|s| self.scope(user).contains(&s.area))
            .count();
        if in_scope != ids.len() {
            return Err(RegistryError::NotFound(
                "a household of the records is not in your areas".into(),
            ));
        }
        self.record_access(
            AccessAction::ComplianceRecord,
            actor_of(Some(user)),
            Some(programme),
            Some(format!("period={period} records={}", records.len())),
        )
        .await?;
        let now = now_ms();
        let rows = records
            .iter()
            .map(|(h, m, measure, value)| ComplianceRow {
                programme_id: programme.to_string(),
                period: period.to_string(),
                household_id: *h,
                member_id: *m,
                measure: measure.clone(),
                value: *value,
                recorded_by: user.id.clone(),
                recorded_at: now,
            })
            .collect();
        self.storage.put_compliance(rows).await?;
        Ok(records.len())
    }

    /// The payments `programme_id` owes for `period` to the households enrolled in it under
    /// `area`, one line per household with anything due, by reference number: for a programme
    /// officer preparing a payment cycle, within their areas. Recorded in the access audit trail.
    pub async fn planned_payments(
        &self,
        user: &User,
        programme_id: &str,
        period: &str,
        area: &str,
    ) -> Result<Vec<PlannedPayment>> {
        may(user, Action::PreparePayments)?;
        if !self.areas.recognises(area) {
            return Err(RegistryError::BadRequest(format!("no area `{area}`")));
        }
        if !self.scope(user).contains(area) {
            return Err(RegistryError::Forbidden(format!(
                "area {area} is outside your areas"
            )));
        }
        let programme = self.programme_in_force(programme_id).await?;
        let period = Period::parse(period, programme.instalments_per_year)
            .map_err(|e| RegistryError::BadRequest(e.to_string()))?;
        let enrolled: BTreeSet<Uuid> = self
            .storage
            .enrolled_in(programme_id)
            .await?
            .into_iter()
            .collect();
        let ids: Vec<Uuid> = self
            .storage
            .list(Some(area))
            .await?
            .into_iter()
            .filter(|s| enrolled.contains(&s.id))
            .map(|s| s.id)
            .collect();
        let mut out = Vec::new();
        for page in ids.chunks(PAGE) {
            let mut compliance: BTreeMap<Uuid, Compliance> = BTreeMap::new();
            for r in self
                .storage
                .compliance_of(programme_id, &period.to_string(), page)
                .await?
            {
                compliance
                    .entry(r.household_id)
                    .or_default()
                    .set(r.member_id, &r.measure, r.value);
            }
            let docs = self.storage.load_docs(page).await?;
            let programme = programme.clone();
            let lines = tokio::task::spawn_blocking(move || {
                let none = Compliance::none();
                docs.iter()
                    .flatten()
                    .filter_map(household_of)
                    .filter_map(|h| {
                        let c = compliance.get(&h.id).unwrap_or(&none);
                        shumari_programmes::entitlement(&programme, &h, &period, c)
                    })
                    .collect::<Vec<_>>()
            })
            .await
            .map_err(internal)?;
            out.extend(lines);
        }
        out.sort_by(|a, b| a.reference.cmp(&b.reference));
        let total: shumari_domain::money::Paisa = out.iter().map(|p| p.amount).sum();
        self.record_access(
            AccessAction::PlannedPayments,
            actor_of(Some(user)),
            Some(area),
            Some(format!(
                "programme={programme_id} period={period} rows={} total_paisa={}",
                out.len(),
                total.0
            )),
        )
        .await?;
        Ok(out)
    }
}
