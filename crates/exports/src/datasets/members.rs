//! `members`: one row per member of a household's roster: the household's id and reference, the
//! member's id and line, then one column per question of the roster (the repeat `members`), named
//! after the question. The roster's core fields (`name`, `relation`, `sex`, `dob`, `age`,
//! `id_number`) are read from the member's record, the rest from its answers.

use super::{Dataset, HouseholdPages, Row};
use crate::column::{question_columns, Column};
use crate::error::ExportError;
use crate::value::{ColumnType, Value};
use serde_json::{json, Value as Json};
use shumari_domain::{Household, Member};
use shumari_forms::household_form;
use shumari_registry::service::ExportGrant;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Registry, Storage};

/// The repeat that is the roster.
const ROSTER: &str = "members";

/// The columns written before the roster's questions.
const OWN: &[&str] = &["household_id", "household_reference", "member_id", "line"];

/// Every column of the dataset.
pub(super) fn columns() -> Vec<Column> {
    use ColumnType::*;
    let mut c = vec![
        Column::fixed("household_id", Text, "Household id", "گھرانے کی آئی ڈی"),
        Column::fixed(
            "household_reference",
            Text,
            "Household reference number",
            "گھرانے کا حوالہ نمبر",
        ),
        Column::fixed("member_id", Text, "Member id", "فرد کی آئی ڈی"),
        Column::fixed("line", Integer, "Line on the roster", "فہرست میں سطر نمبر"),
    ];
    c.extend(question_columns(household_form(), Some(ROSTER), OWN));
    c
}

/// A member's answer to `question`: its core field or its answers.
fn answer(m: &Member, question: &str) -> Option<Json> {
    Some(match question {
        "name" => json!(m.name),
        "relation" => json!(m.relation.as_str()),
        "sex" => json!(m.sex.as_str()),
        "dob" => json!(m.dob?.to_string()),
        "age" => json!(m.age?),
        "id_number" => json!(m.id_number.as_ref()?.digits()),
        other => m.answers.get(other)?.clone(),
    })
}

/// The export of members.
#[derive(Debug)]
pub struct Members {
    columns: Vec<Column>,
    pages: HouseholdPages,
}

impl Members {
    /// The members of the households of `grant`, changed at or after `since` (ms since epoch).
    pub fn new(grant: ExportGrant, since: Option<i64>) -> Members {
        Members {
            columns: columns(),
            pages: HouseholdPages::new(grant, since),
        }
    }

    fn rows(&self, h: &Household, out: &mut Vec<Row>) {
        for m in &h.members {
            let mut row = vec![
                Value::Text(h.id.to_string()),
                Value::text(h.reference.as_str()),
                Value::Text(m.id.to_string()),
                Value::Int(i64::from(m.line)),
            ];
            row.extend(
                self.columns[OWN.len()..]
                    .iter()
                    .map(|c| Value::from_answer(c.kind, answer(m, &c.name).as_ref())),
            );
            out.push(row);
        }
    }
}

impl<S: Storage + ConsoleStorage> Dataset<S> for Members {
    fn columns(&self) -> &[Column] {
        &self.columns
    }

    async fn next_page(&mut self, reg: &Registry<S>) -> Result<Option<Vec<Row>>, ExportError> {
        let Some(households) = self.pages.next(reg).await? else {
            return Ok(None);
        };
        let mut rows = Vec::new();
        for h in &households {
            self.rows(h, &mut rows);
        }
        Ok(Some(rows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rosters_questions_are_columns_with_their_types() {
        let c = columns();
        let kind = |n: &str| c.iter().find(|c| c.name == n).map(|c| c.kind);
        assert_eq!(kind("name"), Some(ColumnType::Text));
        assert_eq!(kind("dob"), Some(ColumnType::Date));
        assert_eq!(kind("age"), Some(ColumnType::Integer));
        assert_eq!(kind("id_number"), Some(ColumnType::Text));
        assert!(kind("rooms").is_none(), "a household question");
        assert!(c.iter().find(|c| c.name == "name").unwrap().personal);
        assert!(!c.iter().find(|c| c.name == "sex").unwrap().personal);
    }
}
