//! The engine's own messages in English and Urdu (form authors' messages come from the form).

use crate::expr::XValue;
use crate::typing::TypeProblem;

fn urdu(lang: &str) -> bool {
    let l = lang.to_ascii_lowercase();
    l == "ur" || l.starts_with("urdu") || l.ends_with("(ur)")
}

/// ODK's default message for a required question left empty.
pub(crate) fn required(lang: &str) -> String {
    if urdu(lang) {
        "اس سوال کا جواب دینا ضروری ہے".into()
    } else {
        "This question is required.".into()
    }
}

/// Default message when a constraint fails and the form gives none.
pub(crate) fn constraint(lang: &str) -> String {
    if urdu(lang) {
        "یہ جواب قابلِ قبول نہیں".into()
    } else {
        "This answer is not allowed.".into()
    }
}

/// The message of a typed variant's built-in constraint (`phone number`: digits only).
pub(crate) fn preset(p: &crate::question_types::Preset, lang: &str) -> String {
    match (p.cell, urdu(lang)) {
        ("phone number", true) => "صرف ہندسے درج کریں".into(),
        ("phone number", false) => "Enter numbers only.".into(),
        (_, true) => constraint(lang),
        (_, false) if !p.hint.is_empty() => p.hint.into(),
        _ => constraint(lang),
    }
}

pub(crate) fn type_problem(p: &TypeProblem, lang: &str) -> String {
    let ur = urdu(lang);
    match (p, ur) {
        (TypeProblem::NotScalar, false) => {
            "an answer must be a single value (text, number or true/false)".into()
        }
        (TypeProblem::NotScalar, true) => "جواب ایک ہی قدر ہونی چاہیے".into(),
        (TypeProblem::NotInteger, false) => "expected a whole number".into(),
        (TypeProblem::NotInteger, true) => "پورا عدد درج کریں".into(),
        (TypeProblem::NotNumber, false) => "expected a number".into(),
        (TypeProblem::NotNumber, true) => "عدد درج کریں".into(),
        (TypeProblem::NotDate, false) => "expected a date YYYY-MM-DD".into(),
        (TypeProblem::NotDate, true) => "تاریخ YYYY-MM-DD کی شکل میں درج کریں".into(),
        (TypeProblem::NotGeopoint, false) => "expected a GPS point `lat lon [alt accuracy]`".into(),
        (TypeProblem::NotGeopoint, true) => "جی پی ایس مقام `lat lon` کی شکل میں درج کریں".into(),
        (TypeProblem::NotAcknowledge, false) => "the only answer is OK".into(),
        (TypeProblem::NotAcknowledge, true) => "واحد جواب OK ہے".into(),
        (TypeProblem::NotChoice(v), false) => format!("`{v}` is not one of the choices"),
        (TypeProblem::NotChoice(v), true) => format!("`{v}` دیے گئے انتخاب میں سے نہیں"),
        (TypeProblem::NotTime, false) => "expected a time HH:MM or HH:MM:SS".into(),
        (TypeProblem::NotTime, true) => "وقت HH:MM کی شکل میں درج کریں".into(),
        (TypeProblem::NotDateTime, false) => {
            "expected a date and time YYYY-MM-DDTHH:MM[:SS]".into()
        }
        (TypeProblem::NotDateTime, true) => {
            "تاریخ اور وقت YYYY-MM-DDTHH:MM کی شکل میں درج کریں".into()
        }
        (TypeProblem::NotInRange(p), false) => format!(
            "expected a number from {} to {} in steps of {}",
            XValue::Num(p.start).to_text(),
            XValue::Num(p.end).to_text(),
            XValue::Num(p.step).to_text()
        ),
        (TypeProblem::NotInRange(p), true) => format!(
            "{} سے {} تک، {} کے وقفے سے عدد درج کریں",
            XValue::Num(p.start).to_text(),
            XValue::Num(p.end).to_text(),
            XValue::Num(p.step).to_text()
        ),
        (TypeProblem::RankRepeats(v), false) => format!("`{v}` is ranked more than once"),
        (TypeProblem::RankRepeats(v), true) => format!("`{v}` ایک سے زیادہ بار درج ہے"),
        (TypeProblem::NotGeotrace, false) => {
            "expected two GPS points or more `lat lon;lat lon;...`".into()
        }
        (TypeProblem::NotGeotrace, true) => {
            "کم از کم دو جی پی ایس مقامات `lat lon;lat lon` کی شکل میں درج کریں".into()
        }
        (TypeProblem::NotGeoshape, false) => {
            "expected a closed shape: four GPS points or more `lat lon;...`, the last equal to the first"
                .into()
        }
        (TypeProblem::NotGeoshape, true) => {
            "بند شکل: کم از کم چار جی پی ایس مقامات، آخری پہلے جیسا".into()
        }
    }
}

pub(crate) fn unknown_question(lang: &str) -> String {
    if urdu(lang) {
        "یہ سوال فارم کے اس ورژن میں موجود نہیں؛ جواب محفوظ ہے".into()
    } else {
        "this question is not in this version of the form; the answer is kept".into()
    }
}

pub(crate) fn not_writable(kind: &str, lang: &str) -> String {
    if urdu(lang) {
        format!("یہ خانہ ({kind}) لکھا نہیں جا سکتا")
    } else {
        format!("a {kind} cannot be written")
    }
}

pub(crate) fn repeat_count(want: f64, got: usize, lang: &str) -> String {
    let want = crate::expr::XValue::Num(want).to_text();
    if urdu(lang) {
        format!("{want} اندراج درکار ہیں، {got} موجود ہیں")
    } else {
        format!("expected {want} rows, found {got}")
    }
}
