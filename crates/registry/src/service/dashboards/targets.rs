//! Coverage targets: how many households an administrator expects in an area, set one at a time
//! or imported from a CSV file (`area,households` with a header; every bad line is named before
//! anything is stored).

use super::rollup::level_of;
use crate::error::{RegistryError, Result};
use crate::service::{AccessAction, Registry};
use crate::storage::aggregates::Target;
use crate::storage::{Storage, User};
use shumari_domain::roles::{allows, Action};

/// Why a targets file was refused: every bad line, by number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the targets file has {} problem(s): {}", .0.len(), .0.iter().map(|(l, m)| format!("line {l}: {m}")).collect::<Vec<_>>().join("; "))]
pub struct TargetError(pub Vec<(u64, String)>);

/// The (area, households) pairs of a targets CSV: a header row naming `area` and `households`
/// columns (in any order, other columns ignored), then one area per line.
pub fn parse_targets_csv(bytes: &[u8]) -> std::result::Result<Vec<(String, u64)>, TargetError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let headers = rdr
        .headers()
        .map_err(|e| TargetError(vec![(1, e.to_string())]))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(ai), Some(hi)) = (col("area"), col("households")) else {
        return Err(TargetError(vec![(
            1,
            "the header must name the columns `area` and `households`".into(),
        )]));
    };
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        match rec {
            Err(e) => problems.push((line, e.to_string())),
            Ok(r) => {
                let area = r.get(ai).unwrap_or_default().to_string();
                match r.get(hi).unwrap_or_default().parse::<u64>() {
                    Ok(n) => out.push((area, n)),
                    Err(_) => problems.push((
                        line,
                        "households must be a whole number (0 removes the target)".into(),
                    )),
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(TargetError(problems))
    }
}

impl<S: Storage> Registry<S> {
    /// Sets the targets `pairs` (area, households; 0 removes one) in one transaction, for an
    /// administrator (`Some`: within their areas) or the registry's command line (`None`). Every
    /// area must name a known area; nothing is stored when one does not. Returns how many were set.
    pub async fn set_targets(&self, user: Option<&User>, pairs: &[(String, u64)]) -> Result<usize> {
        if let Some(u) = user {
            if !allows(u.role, Action::AdministerUsers) {
                return Err(RegistryError::Forbidden(format!(
                    "a {} does not set targets",
                    u.role.title()
                )));
            }
        }
        let bad: Vec<&str> = pairs
            .iter()
            .map(|(a, _)| a.as_str())
            .filter(|a| {
                !self.areas.recognises(a)
                    || level_of(a).is_none()
                    || user.is_some_and(|u| !self.scope(u).contains(a))
            })
            .collect();
        if !bad.is_empty() {
            return Err(RegistryError::BadRequest(format!(
                "not an area you may set a target for: {}",
                bad.join(", ")
            )));
        }
        let actor = super::super::access_audit::actor_of(user).to_string();
        let now = chrono::Utc::now().timestamp_millis();
        self.record_access(
            AccessAction::TargetSet,
            &actor,
            None,
            Some(format!("areas={}", pairs.len())),
        )
        .await?;
        self.storage
            .set_targets(
                pairs
                    .iter()
                    .map(|(area, households)| Target {
                        area: area.clone(),
                        households: *households,
                        set_by: actor.clone(),
                        set_at: now,
                    })
                    .collect(),
            )
            .await?;
        Ok(pairs.len())
    }

    /// The targets set in `area` and under it (`None`: everywhere), within the user's areas when a
    /// user asks (`None`: the registry's command line).
    pub async fn targets(&self, user: Option<&User>, area: Option<&str>) -> Result<Vec<Target>> {
        let areas = match user {
            Some(u) => crate::service::browse::areas_for(u, area),
            None => vec![area.unwrap_or(super::rollup::COUNTRY).to_string()],
        };
        let mut out = Vec::new();
        for a in areas {
            out.extend(self.storage.targets_under(&a).await?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_targets_file_is_read_by_its_header_or_refused_with_every_bad_line() {
        let ok = parse_targets_csv(b"households,area,note\n120,PK60301,x\n0, PK603 ,\n").unwrap();
        assert_eq!(ok, [("PK60301".into(), 120), ("PK603".into(), 0)]);
        let bad = parse_targets_csv(b"area,households\nPK6,ten\nPK7,5\nPK1,-3\n").unwrap_err();
        assert_eq!(
            bad.0.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            [2, 4],
            "{bad}"
        );
        assert!(parse_targets_csv(b"code,n\nPK6,1\n").is_err());
    }
}
