//! A [`Form`] back to sheet rows, for the TOML and .xlsx writers (the inverse of building: a form
//! written and read again is equal to itself).

use super::or_other::{is_derived_choice, is_derived_question};
use crate::model::{Flag, Form, QuestionType, Text};
use crate::raw::{RawForm, RawRow, CHOICES_ORDER};

fn put_text(cells: &mut Vec<(String, String)>, base: &str, t: &Text) {
    for (lang, v) in t {
        let col = if lang.is_empty() {
            base.to_string()
        } else {
            format!("{base}::{lang}")
        };
        cells.push((col, v.clone()));
    }
}

fn put_flag(cells: &mut Vec<(String, String)>, col: &str, f: &Flag) {
    match f {
        Flag::No => {}
        Flag::Yes => cells.push((col.into(), "yes".into())),
        Flag::If(e) => cells.push((col.into(), e.source.clone())),
    }
}

/// The form as sheet rows, for the writers.
pub(crate) fn unbuild(form: &Form) -> RawForm {
    let survey = form
        .survey
        .iter()
        .enumerate()
        .filter(|(i, _)| !is_derived_question(&form.survey, *i))
        .map(|(_, q)| q)
        .enumerate()
        .map(|(i, q)| {
            let mut ty = match &q.loop_over {
                Some(l) if q.kind == QuestionType::BeginGroup => format!("begin loop over {l}"),
                Some(_) => "end loop".into(),
                None if q.nested_repeat && q.kind == QuestionType::BeginGroup => {
                    "begin_repeat".into()
                }
                None if q.nested_repeat => "end_repeat".into(),
                None => q
                    .preset
                    .map_or_else(|| q.kind.as_cell(), |p| p.cell.to_string()),
            };
            if q.or_other {
                ty.push_str(" or_other");
            }
            let mut cells = vec![("type".to_string(), ty)];
            if !q.name.is_empty() {
                cells.push(("name".into(), q.name.clone()));
            }
            put_text(&mut cells, "label", &q.label);
            put_text(&mut cells, "hint", &q.hint);
            put_flag(&mut cells, "required", &q.required);
            put_text(&mut cells, "required_message", &q.required_message);
            for (col, e) in [("relevant", &q.relevant), ("constraint", &q.constraint)] {
                if let Some(e) = e {
                    cells.push((col.into(), e.source.clone()));
                }
            }
            put_text(&mut cells, "constraint_message", &q.constraint_message);
            if let Some(e) = &q.calculation {
                cells.push(("calculation".into(), e.source.clone()));
            }
            if let Some(d) = &q.default {
                cells.push(("default".into(), d.clone()));
            }
            if let Some(e) = &q.choice_filter {
                cells.push(("choice_filter".into(), e.source.clone()));
            }
            put_flag(&mut cells, "read_only", &q.read_only);
            if let Some(e) = &q.repeat_count {
                cells.push(("repeat_count".into(), e.source.clone()));
            }
            if let Some(a) = &q.appearance {
                cells.push(("appearance".into(), a.clone()));
            }
            cells.extend(q.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            RawRow { row: i + 2, cells }
        })
        .collect();
    let choices = form
        .choices
        .iter()
        .filter(|c| !is_derived_choice(c))
        .enumerate()
        .map(|(i, c)| {
            let mut cells = vec![
                ("list_name".to_string(), c.list_name.clone()),
                ("name".to_string(), c.name.clone()),
            ];
            put_text(&mut cells, "label", &c.label);
            for (k, v) in &c.extra {
                cells.push((k.clone(), v.clone()));
            }
            debug_assert!(CHOICES_ORDER.len() == 3);
            RawRow { row: i + 2, cells }
        })
        .collect();
    let s = &form.settings;
    let mut cells = vec![
        ("form_id".to_string(), s.form_id.clone()),
        ("version".to_string(), s.version.clone()),
    ];
    if let Some(d) = &s.default_language {
        cells.push(("default_language".into(), d.clone()));
    }
    if let Some(t) = &s.form_title {
        cells.push(("form_title".into(), t.clone()));
    }
    cells.extend(s.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
    RawForm {
        survey,
        choices,
        settings: Some(RawRow { row: 2, cells }),
        other_sheets: form.other_sheets.clone(),
    }
}
