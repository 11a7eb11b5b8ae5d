//! Conflicts: a field two devices changed without seeing each other's change. Every value is kept by
//! the document; the surveyor picks one, which supersedes the others on every device after sync.

use crate::answers::split_path;
use crate::dto::{ConflictValueView, ConflictView, Text};
use crate::error::{AppError, Result};
use crate::questionnaire;
use crate::App;
use shumari_domain::Conflict;

impl App {
    fn conflict_view(&self, id: &str, reference: &str, c: &Conflict) -> ConflictView {
        let (field, member_id) = split_path(&c.path);
        let label = questionnaire::find(&self.form, &field, member_id.is_some())
            .map(|q| q.label.clone())
            .unwrap_or_else(|| Text::new(&field, &field));
        ConflictView {
            household_id: id.to_string(),
            reference: reference.to_string(),
            field,
            member_id,
            label,
            values: c
                .values
                .iter()
                .map(|v| ConflictValueView {
                    value: v.value.clone(),
                    author: v.author.clone(),
                    written_at: v.at.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }

    /// Every open conflict on the device.
    pub fn list_conflicts(&self) -> Result<Vec<ConflictView>> {
        let ids: Vec<(String, String)> = self
            .list_households("", Some("conflict"), None)?
            .into_iter()
            .map(|h| (h.id, h.reference))
            .collect();
        self.with_store(|store| {
            let mut out = Vec::new();
            for (id, reference) in &ids {
                for c in store.get(id)?.conflicts {
                    out.push(self.conflict_view(id, reference, &c));
                }
            }
            Ok(out)
        })
    }

    /// Keeps value number `index` of a conflicting field; returns the conflicts left.
    pub fn resolve_conflict(
        &self,
        household_id: &str,
        field: &str,
        member_id: Option<&str>,
        index: usize,
    ) -> Result<Vec<ConflictView>> {
        self.with_store(|store| {
            let conflicts = store.get(household_id)?.conflicts;
            let c = conflicts
                .iter()
                .find(|c| {
                    let (f, m) = split_path(&c.path);
                    f == field && m.as_deref() == member_id
                })
                .ok_or_else(|| AppError::NotFound(format!("conflict on {field}")))?;
            let v = c
                .values
                .get(index)
                .ok_or_else(|| AppError::NotFound(format!("value {index}")))?;
            store.set_fields(household_id, &[(c.path.clone(), v.value.clone())])?;
            Ok(())
        })?;
        self.list_conflicts()
    }
}

#[cfg(test)]
mod tests {
    use super::split_path;

    #[test]
    fn paths_split_into_field_and_member() {
        assert_eq!(split_path("answers.rooms"), ("rooms".into(), None));
        assert_eq!(
            split_path("members.abc.name"),
            ("name".into(), Some("abc".into()))
        );
        assert_eq!(
            split_path("members.abc.answers.school"),
            ("school".into(), Some("abc".into()))
        );
        assert_eq!(split_path("status"), ("status".into(), None));
    }
}
