//! A member's identity verification in the household document: three flat member scalars
//! (`verification`, `verification_fields`, `verification_at`), written together by
//! [`Editor::verify_member`] so each result overwrites the last in one change, and read back by
//! [`verifications`].

use super::keys;
use super::read::{get_map, get_scalar, get_str, time_of};
use super::Editor;
use crate::error::Result;
use crate::identity::{Verification, VerificationState};
use automerge::{AutoCommit, ReadDoc, ScalarValue, ROOT};
use std::collections::BTreeMap;
use uuid::Uuid;

impl Editor<'_> {
    /// Records `v` on member `id` (the registry's change after a result file is imported).
    pub fn verify_member(&mut self, id: Uuid, v: &Verification) -> Result<()> {
        let m = self.member_obj(id)?;
        let s = |v: &str| ScalarValue::Str(v.into());
        self.put_resolving(&m, keys::VERIFICATION, s(v.state.as_str()))?;
        self.put_resolving(&m, keys::VERIFICATION_FIELDS, s(&v.fields.join(";")))?;
        self.put_resolving(
            &m,
            keys::VERIFICATION_AT,
            ScalarValue::Timestamp(v.checked_at.timestamp_millis()),
        )
    }
}

/// Each member's verification, by member id (members never checked, and removed ones, absent).
pub(super) fn verifications(d: &AutoCommit) -> Result<BTreeMap<Uuid, Verification>> {
    let members = get_map(d, &ROOT, keys::MEMBERS)?;
    let mut out = BTreeMap::new();
    for key in d.keys(&members) {
        let Ok(id) = key.parse::<Uuid>() else {
            continue;
        };
        let mid = get_map(d, &members, &key)?;
        if get_scalar(d, &mid, keys::REMOVED)? == Some(ScalarValue::Boolean(true)) {
            continue;
        }
        let Some(state) = get_str(d, &mid, keys::VERIFICATION)? else {
            continue;
        };
        let Ok(state) = state.parse::<VerificationState>() else {
            continue;
        };
        let fields = get_str(d, &mid, keys::VERIFICATION_FIELDS)?
            .unwrap_or_default()
            .split(';')
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        let checked_at = time_of(get_scalar(d, &mid, keys::VERIFICATION_AT)?.as_ref());
        out.insert(
            id,
            Verification {
                state,
                fields,
                checked_at,
            },
        );
    }
    Ok(out)
}
