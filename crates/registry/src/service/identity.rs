//! Identity verification with the national ID authority (NADRA) as a file exchange: NADRA works
//! in batches, so the district office exports an area's numbers and later imports the authority's
//! answer. The file formats are `identity_files.rs`'s.
//!
//! **Export** ([`Registry::identity_export`]): every member of the area's households carrying a
//! CNIC/B-form number, once per number, with the particulars the authority compares: the name, the
//! father's or husband's name (the member's `father_name`/`husband_name` answer when the form asks
//! it, else read off the roster: a child's father is the male head or the head's husband, a wife's
//! husband the male head, a female head's husband her spouse on the roster; the shipped NSER
//! questionnaire has no such question, so the roster is what it holds) and the date of birth. The
//! batch is recorded (`identity_batches`) with the manifest's row count and SHA-256.
//!
//! **Import** ([`Registry::identity_import`]): the result file is checked whole first (every line,
//! the batches it names, the manifest when one is given), so a bad file changes nothing. A file
//! already applied (its SHA-256 in `identity_imports`) changes nothing either. Then, for each
//! number, every member carrying it in the importer's areas gets the result written into its
//! household's document (`shumari_domain::doc`'s `verification` keys) as the registry's own
//! change, like a review decision (`review.rs`), so it reaches the tablets with their next sync; a
//! member whose document already holds that result is not written again. A number not found, or
//! found with other particulars, opens a case in the duplicates queue
//! ([`Registry::open_identity_case`]). Last, the results and the file are recorded in one
//! transaction; an import cut short before that is simply made again (every step above is
//! idempotent).
//!
//! Both are for a role that may [`Action::VerifyIdentity`] (the district officer) over areas in its
//! jurisdiction, and both are on the access trail (`identity.export`, `identity.import`) with counts
//! only: never a name or number.

use super::access_audit::{actor_of, AccessAction};
use super::duplicates::CaseKind;
use super::identity_files::{self, sha256_hex, ExportRow, Manifest};
use super::permit::author_of;
use super::review::{registry_row, REGISTRY_DEVICE};
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::identity::{BatchRow, ImportRow, ResultRow};
use crate::storage::{Storage, User};
use serde::Serialize;
use shumari_domain::doc::EditContext;
use shumari_domain::roles::{allows, Action};
use shumari_domain::{
    Household, HouseholdDoc, Member, Relation, Sex, Verification, VerificationState,
};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// Households read per step of an export.
const PAGE: usize = 200;

/// An export: the CSV and its manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityExport {
    /// The CSV's bytes.
    pub csv: Vec<u8>,
    /// The manifest to write beside it.
    pub manifest: Manifest,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// SHA-256 of the file.
    pub file_sha256: String,
    /// The file had been imported before: nothing changed.
    pub already_imported: bool,
    /// Result rows in the file.
    pub rows: u64,
    /// Rows by result.
    pub verified: u64,
    /// Rows by result.
    pub not_found: u64,
    /// Rows by result.
    pub mismatch: u64,
    /// Members whose recorded verification changed.
    pub members_updated: u64,
    /// Numbers no household in the importer's areas carries.
    pub unmatched: u64,
    /// Duplicates-queue cases opened or joined.
    pub cases: u64,
}

/// Refuses a role that does not exchange numbers with the authority.
fn may_verify(user: &User) -> Result<()> {
    if allows(user.role, Action::VerifyIdentity) {
        return Ok(());
    }
    Err(RegistryError::Forbidden(format!(
        "a {} does not exchange ID numbers with NADRA; a district officer does",
        user.role.title()
    )))
}

fn internal(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Internal(e.to_string())
}

/// The member's father's or husband's name, as the household tells it (see the module docs).
pub(super) fn relative_name(h: &Household, m: &Member) -> String {
    let answer = |k: &str| {
        m.answers
            .get(k)
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if let Some(a) = answer("father_name").or_else(|| answer("husband_name")) {
        return a;
    }
    let head = h.head();
    let male_head = head.filter(|x| x.sex == Sex::Male);
    let head_husband = || {
        h.members
            .iter()
            .find(|x| x.relation == Relation::Spouse && x.sex == Sex::Male)
    };
    let relative = match (m.relation, m.sex) {
        (Relation::Son | Relation::Daughter, _) => male_head.or_else(head_husband),
        (Relation::Spouse, Sex::Female) => male_head,
        (Relation::Head, Sex::Female) => head_husband(),
        _ => None,
    };
    relative.map(|x| x.name.clone()).unwrap_or_default()
}

impl<S: Storage> Registry<S> {
    /// The export of `area` (and everything under it) for the authority, made by `user`.
    pub async fn identity_export(&self, user: &User, area: &str) -> Result<IdentityExport> {
        may_verify(user)?;
        if !self.areas.recognises(area) {
            return Err(RegistryError::BadRequest(format!("no area `{area}`")));
        }
        if !self.scope(user).contains(area) {
            return Err(RegistryError::Forbidden(format!(
                "area {area} is outside your areas"
            )));
        }
        let ids: Vec<Uuid> = self
            .storage
            .list(Some(area))
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        let mut rows = Vec::new();
        let mut seen = BTreeSet::new();
        for page in ids.chunks(PAGE) {
            let docs = self.storage.load_docs(page).await?;
            let read = tokio::task::spawn_blocking(move || {
                let mut out = Vec::new();
                for s in docs.iter().flatten() {
                    let am = automerge::AutoCommit::load(&s.doc).map_err(internal)?;
                    let h = HouseholdDoc::from_automerge(am)
                        .and_then(|hd| hd.household())
                        .map_err(internal)?;
                    for m in &h.members {
                        let Some(n) = &m.id_number else { continue };
                        out.push(ExportRow {
                            cnic: n.digits().to_string(),
                            name: m.name.clone(),
                            father_or_husband_name: relative_name(&h, m),
                            date_of_birth: m.dob.map(|d| d.to_string()).unwrap_or_default(),
                        });
                    }
                }
                Ok::<_, RegistryError>(out)
            })
            .await
            .map_err(internal)??;
            rows.extend(read.into_iter().filter(|r| seen.insert(r.cnic.clone())));
        }
        let batch_id = format!("B-{}", &Uuid::now_v7().simple().to_string()[16..]);
        let csv = identity_files::write_export(&batch_id, &rows);
        let now = now_ms();
        let manifest = Manifest {
            batch_id: batch_id.clone(),
            area: area.to_string(),
            rows: rows.len() as u64,
            sha256: sha256_hex(&csv),
            created_at: chrono::DateTime::from_timestamp_millis(now)
                .unwrap_or_default()
                .to_rfc3339(),
        };
        self.record_access(
            AccessAction::IdentityExport,
            actor_of(Some(user)),
            Some(area),
            Some(format!("batch={batch_id} rows={}", rows.len())),
        )
        .await?;
        self.storage
            .put_identity_batch(&BatchRow {
                id: batch_id,
                area: area.to_string(),
                rows: manifest.rows,
                csv_sha256: manifest.sha256.clone(),
                created_by: user.id.clone(),
                created_at: now,
            })
            .await?;
        tracing::info!(rows = manifest.rows, "identity batch exported");
        Ok(IdentityExport { csv, manifest })
    }

    /// The manifest of an earlier export, `batch_id`, for `user` (a batch of another's areas is not
    /// found).
    pub async fn identity_manifest(&self, user: &User, batch_id: &str) -> Result<Manifest> {
        may_verify(user)?;
        let not_found = || RegistryError::NotFound(format!("no exported batch `{batch_id}`"));
        let b = self
            .storage
            .identity_batch(batch_id)
            .await?
            .filter(|b| self.scope(user).contains(&b.area))
            .ok_or_else(not_found)?;
        Ok(Manifest {
            batch_id: b.id,
            area: b.area,
            rows: b.rows,
            sha256: b.csv_sha256,
            created_at: chrono::DateTime::from_timestamp_millis(b.created_at)
                .unwrap_or_default()
                .to_rfc3339(),
        })
    }

    /// Applies the authority's result file `bytes` as `user` (see the module docs); `manifest`,
    /// when given, must describe the file.
    pub async fn identity_import(
        &self,
        user: &User,
        bytes: &[u8],
        manifest: Option<&Manifest>,
    ) -> Result<ImportReport> {
        may_verify(user)?;
        let bad = |e: identity_files::FileError| RegistryError::BadRequest(e.to_string());
        if let Some(m) = manifest {
            m.check(bytes).map_err(bad)?;
        }
        let lines = identity_files::parse_results(bytes).map_err(bad)?;
        let mut unknown = Vec::new();
        let batches: BTreeSet<&str> = lines.iter().filter_map(|l| l.batch_id.as_deref()).collect();
        for b in &batches {
            if self.storage.identity_batch(b).await?.is_none() {
                let first = lines
                    .iter()
                    .find(|l| l.batch_id.as_deref() == Some(b))
                    .map_or(0, |l| l.line);
                unknown.push(format!("line {first}: no exported batch `{b}`"));
            }
        }
        if !unknown.is_empty() {
            return Err(RegistryError::BadRequest(unknown.join("; ")));
        }
        let sha = sha256_hex(bytes);
        let count = |s: VerificationState| lines.iter().filter(|l| l.state == s).count() as u64;
        let mut report = ImportReport {
            file_sha256: sha.clone(),
            rows: lines.len() as u64,
            verified: count(VerificationState::Verified),
            not_found: count(VerificationState::NotFound),
            mismatch: count(VerificationState::Mismatch),
            ..ImportReport::default()
        };
        let before = self.storage.identity_import(&sha).await?;
        self.record_access(
            AccessAction::IdentityImport,
            actor_of(Some(user)),
            None,
            Some(format!(
                "rows={} outcome={}",
                lines.len(),
                if before.is_some() {
                    "already_imported"
                } else {
                    "applied"
                }
            )),
        )
        .await?;
        if before.is_some() {
            report.already_imported = true;
            return Ok(report);
        }
        let at = chrono::Utc::now();
        // Which households in the user's areas carry each number.
        let mut carriers: BTreeMap<Uuid, Vec<(String, Verification)>> = BTreeMap::new();
        let mut cases = Vec::new();
        for l in &lines {
            let households: Vec<Uuid> = self
                .storage
                .with_id_number(&l.id_number)
                .await?
                .into_iter()
                .filter(|s| self.scope(user).contains(&s.area))
                .map(|s| s.id)
                .collect();
            if households.is_empty() {
                report.unmatched += 1;
            }
            let v = Verification {
                state: l.state,
                fields: l.fields.clone(),
                checked_at: at,
            };
            for h in households {
                carriers
                    .entry(h)
                    .or_default()
                    .push((l.id_number.clone(), v.clone()));
                let kind = match l.state {
                    VerificationState::NotFound => Some(CaseKind::NotFound),
                    VerificationState::Mismatch => Some(CaseKind::Mismatch),
                    _ => None,
                };
                if let Some(kind) = kind {
                    cases.push((h, l.id_number.clone(), kind, l.fields.join(";")));
                }
            }
        }
        report.members_updated = self.write_verifications(user, carriers).await?;
        for (h, number, kind, fields) in cases {
            let detail = Some(fields).filter(|f| !f.is_empty());
            if self
                .open_identity_case(h, &number, kind, detail)
                .await?
                .is_some()
            {
                report.cases += 1;
            }
        }
        let batch_id = batches.iter().next().map(|b| b.to_string());
        let results = lines
            .iter()
            .map(|l| ResultRow {
                id_number: l.id_number.clone(),
                state: l.state.as_str().into(),
                fields: l.fields.join(";"),
                batch_id: l.batch_id.clone(),
                file_sha256: sha.clone(),
                checked_at: at.timestamp_millis(),
            })
            .collect();
        self.storage
            .record_identity_import(
                &ImportRow {
                    file_sha256: sha,
                    batch_id,
                    rows: report.rows,
                    imported_by: user.id.clone(),
                    imported_at: at.timestamp_millis(),
                },
                results,
            )
            .await?;
        tracing::info!(
            rows = report.rows,
            members = report.members_updated,
            cases = report.cases,
            "identity results imported"
        );
        Ok(report)
    }

    /// The latest result the registry holds for each of `numbers` (13 digits; numbers never
    /// checked absent).
    pub async fn identity_results(
        &self,
        numbers: &[String],
    ) -> Result<BTreeMap<String, Verification>> {
        self.storage
            .identity_results(numbers)
            .await?
            .into_iter()
            .map(|r| {
                Ok((
                    r.id_number,
                    Verification {
                        state: r.state.parse().map_err(internal)?,
                        fields: r
                            .fields
                            .split(';')
                            .filter(|f| !f.is_empty())
                            .map(str::to_string)
                            .collect(),
                        checked_at: chrono::DateTime::from_timestamp_millis(r.checked_at)
                            .unwrap_or_default(),
                    },
                ))
            })
            .collect()
    }

    /// Writes each household's results into the members carrying the numbers, as the registry's
    /// own change made for `user` (serialised with pushes by the ingest lock, retried on new
    /// heads); returns the members changed.
    async fn write_verifications(
        &self,
        user: &User,
        mut pending: BTreeMap<Uuid, Vec<(String, Verification)>>,
    ) -> Result<u64> {
        let actor = self.own_actor().await?;
        let ctx = EditContext::new(author_of(user), chrono::Utc::now());
        let _guard = self.ingest.lock().await;
        let mut changed = 0;
        for _attempt in 0..3 {
            if pending.is_empty() {
                return Ok(changed);
            }
            let ids: Vec<Uuid> = pending.keys().copied().collect();
            for page in ids.chunks(PAGE) {
                let stored = self.storage.load_docs(page).await?;
                let work: BTreeMap<Uuid, Vec<(String, Verification)>> = page
                    .iter()
                    .filter_map(|id| pending.get(id).map(|v| (*id, v.clone())))
                    .collect();
                let (areas, actor2, ctx2) = (self.areas.clone(), actor.clone(), ctx.clone());
                let (rows, members) = tokio::task::spawn_blocking(move || {
                    let mut rows = Vec::new();
                    let mut members = 0u64;
                    for s in stored.iter().flatten() {
                        let Some(results) = work.get(&s.id) else {
                            continue;
                        };
                        let am = automerge::AutoCommit::load(&s.doc).map_err(internal)?;
                        let hd = HouseholdDoc::from_automerge(am).map_err(internal)?;
                        let now = hd.verifications().map_err(internal)?;
                        let h = hd.household().map_err(internal)?;
                        let to_write: Vec<(Uuid, Verification)> = h
                            .members
                            .iter()
                            .filter_map(|m| {
                                let n = m.id_number.as_ref()?.digits();
                                let (_, v) = results.iter().find(|(num, _)| num == n)?;
                                let same = now
                                    .get(&m.id)
                                    .is_some_and(|o| o.state == v.state && o.fields == v.fields);
                                (!same).then(|| (m.id, v.clone()))
                            })
                            .collect();
                        if to_write.is_empty() {
                            continue;
                        }
                        members += to_write.len() as u64;
                        let row = registry_row(
                            s,
                            &actor2,
                            &areas,
                            &ctx2,
                            None,
                            "identity verified",
                            |e| {
                                to_write
                                    .iter()
                                    .try_for_each(|(id, v)| e.verify_member(*id, v))
                            },
                        )
                        .map_err(internal)?;
                        rows.extend(row);
                    }
                    Ok::<_, RegistryError>((rows, members))
                })
                .await
                .map_err(internal)??;
                let written: BTreeSet<Uuid> = rows.iter().map(|r| r.id).collect();
                let stale = self
                    .storage
                    .commit_ingest(REGISTRY_DEVICE, &user.id, rows, now_ms())
                    .await?;
                if stale.is_empty() {
                    changed += members;
                }
                for id in page {
                    if !stale.contains(id) || !written.contains(id) {
                        pending.remove(id);
                    }
                }
            }
        }
        if pending.is_empty() {
            Ok(changed)
        } else {
            Err(RegistryError::Storage(crate::storage::StorageError::Other(
                "the households kept changing while the results were applied; import again".into(),
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn household(members: serde_json::Value) -> Household {
        serde_json::from_value(json!({
            "id": "0190b2c4-0000-7000-8000-000000000001", "ref": "PK-1", "area": "PK",
            "form_id": "f", "form_version": "1", "answers": {}, "status": "draft",
            "created_by": "u", "created_at": "2026-01-01T00:00:00Z",
            "updated_by": "u", "updated_at": "2026-01-01T00:00:00Z",
            "members": members,
        }))
        .unwrap()
    }

    fn member(line: u32, name: &str, relation: &str, sex: &str) -> serde_json::Value {
        json!({"id": format!("0190b2c4-0000-7000-8000-00000000010{line}"), "line": line,
               "name": name, "relation": relation, "sex": sex, "answers": {}})
    }

    #[test]
    fn the_relative_is_read_off_the_roster() {
        let h = household(json!([
            member(1, "Bashir Ahmed", "head", "male"),
            member(2, "Naseem Bibi", "spouse", "female"),
            member(3, "Sana", "daughter", "female"),
            member(4, "Akram", "parent", "male"),
        ]));
        let name = |i: usize| relative_name(&h, &h.members[i]);
        assert_eq!(name(0), "");
        assert_eq!(name(1), "Bashir Ahmed");
        assert_eq!(name(2), "Bashir Ahmed");
        assert_eq!(name(3), "");
        let widow = household(json!([
            member(1, "Rukhsana", "head", "female"),
            member(2, "Imran", "son", "male"),
        ]));
        assert_eq!(relative_name(&widow, &widow.members[1]), "");
    }
}
