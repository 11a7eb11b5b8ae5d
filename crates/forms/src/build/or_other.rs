//! `select_one LIST or_other`, as pyxform converts it: the list gets a choice `other` (label
//! "Other", unless the list has one already) and the form a text question `<name>_other` ("Specify
//! other.") right after the select, relevant when `other` is chosen. Both are derived: the added
//! question carries the select's row number and the added choice row 0, and the writers leave them
//! out ([`is_derived_question`], [`is_derived_choice`]) so that a form round-trips.

use crate::expr::Expression;
use crate::model::{Choice, Question, QuestionType, Text};
use std::collections::BTreeMap;

/// Adds the `other` choice and the `<name>_other` question of every `or_other` select.
pub(super) fn expand(survey: &mut Vec<Question>, choices: &mut Vec<Choice>) {
    let mut i = 0;
    while i < survey.len() {
        let q = &survey[i];
        if q.or_other {
            if let Some(list) = q.kind.list() {
                if !choices
                    .iter()
                    .any(|c| c.list_name == list && c.name == "other")
                {
                    choices.push(Choice {
                        row: 0,
                        list_name: list.to_string(),
                        name: "other".into(),
                        label: Text::from([(String::new(), "Other".to_string())]),
                        extra: BTreeMap::new(),
                    });
                }
            }
            let mut other = Question::new(q.row, QuestionType::Text, &format!("{}_other", q.name));
            other.label = Text::from([(String::new(), "Specify other.".to_string())]);
            other.relevant = Expression::parse(&format!("selected(${{{}}}, 'other')", q.name)).ok();
            survey.insert(i + 1, other);
            i += 1;
        }
        i += 1;
    }
}

/// Whether survey row `i` is the question an `or_other` select added.
pub(crate) fn is_derived_question(survey: &[Question], i: usize) -> bool {
    i > 0 && {
        let (prev, q) = (&survey[i - 1], &survey[i]);
        prev.or_other && q.row == prev.row && q.name == format!("{}_other", prev.name)
    }
}

/// Whether a choice is the `other` an `or_other` select added.
pub(crate) fn is_derived_choice(c: &Choice) -> bool {
    c.row == 0
}
