//! Nested repeats (a repeat inside a repeat's rows), which pyxform converts and this engine's
//! instances cannot hold yet (a household has one level of rows per repeat).
//!
//! Rather than refuse the form, an inner repeat loads as a group of its outer repeat's row: its
//! questions are asked once per outer row, and a load warning names the row. The row keeps its
//! `begin_repeat`/`end_repeat` type and its `repeat_count` for export ([`Question::nested_repeat`]).

use crate::error::Issues;
use crate::model::{Question, QuestionType};

/// Turns every repeat inside another repeat into a group, with a warning at its row.
pub(super) fn flatten(survey: &mut [Question], issues: &mut Issues) {
    // The open groups and repeats: (is a repeat, was flattened).
    let mut open: Vec<(bool, bool)> = Vec::new();
    for q in survey.iter_mut() {
        match q.kind {
            QuestionType::BeginRepeat => {
                let inside = open.iter().any(|(repeat, _)| *repeat);
                if inside {
                    q.kind = QuestionType::BeginGroup;
                    q.nested_repeat = true;
                    if let Some(count) = q.repeat_count.take() {
                        q.extra.insert("repeat_count".into(), count.source);
                    }
                    issues.warn(
                        "survey",
                        q.row,
                        "type",
                        format!(
                            "`{}` is a repeat inside a repeat, which the engine cannot hold yet: \
                             its questions are asked once in each row of the outer repeat",
                            q.name
                        ),
                    );
                }
                open.push((!inside, inside));
            }
            QuestionType::BeginGroup => open.push((false, false)),
            QuestionType::EndRepeat => {
                if let Some((_, true)) = open.pop() {
                    q.kind = QuestionType::EndGroup;
                    q.nested_repeat = true;
                }
            }
            QuestionType::EndGroup => {
                open.pop();
            }
            _ => {}
        }
    }
}
