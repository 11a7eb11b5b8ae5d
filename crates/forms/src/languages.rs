//! The app's languages, and which of them a form's language column is.
//!
//! A translated column names its language the way the author wrote it: `label::English (en)`,
//! `label::Urdu (ur)`, `label:English`, `hint::اردو`. The form keeps that spelling (an export writes
//! it back); [`app_language`] is the one place that says which of the app's languages it is: by the
//! code in parentheses first (`Anglais (en)` is English), then by the whole key as a code (`ur`) or
//! as one of the language's names in any case (`English`, `Urdu`, `اردو`). A language the app does
//! not have is kept on the form, listed by `shumari form check` with a warning, and the app shows
//! the default language in its place.

use crate::error::Issues;
use crate::model::Form;

/// The app's languages: code, then the names a form may give it.
pub const APP_LANGUAGES: &[(&str, &[&str])] =
    &[("en", &["English", "Eng"]), ("ur", &["Urdu", "اردو"])];

/// The app's code (`en`, `ur`) for a form's language key (`English (en)`, `Urdu`, `ur`, `اردو`), or
/// `None` for a language the app does not have (and for the plain column, `""`).
pub fn app_language(key: &str) -> Option<&'static str> {
    let key = key.trim();
    let by_code = |code: &str| {
        APP_LANGUAGES
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(code.trim()))
            .map(|(c, _)| *c)
    };
    if let Some((_, rest)) = key.rsplit_once('(') {
        if let Some(code) = rest.strip_suffix(')') {
            return by_code(code);
        }
    }
    by_code(key).or_else(|| {
        APP_LANGUAGES
            .iter()
            .find(|(_, names)| names.iter().any(|n| n.to_lowercase() == key.to_lowercase()))
            .map(|(c, _)| *c)
    })
}

/// The app's languages as a form author reads them, for messages: `English (en), Urdu (ur)`.
pub(crate) fn app_languages_list() -> String {
    APP_LANGUAGES
        .iter()
        .map(|(c, names)| format!("{} ({c})", names[0]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Warns once about each language of the form that the app does not have, at the first row and
/// column that use it.
pub(crate) fn warn_other_languages(form: &Form, issues: &mut Issues) {
    let mut seen: Vec<&str> = Vec::new();
    let survey = form.survey.iter().flat_map(|q| {
        [
            ("label", &q.label),
            ("hint", &q.hint),
            ("required_message", &q.required_message),
            ("constraint_message", &q.constraint_message),
        ]
        .map(|(col, t)| ("survey", q.row, col, t))
    });
    let choices = form
        .choices
        .iter()
        .map(|c| ("choices", c.row, "label", &c.label));
    for (sheet, row, col, t) in survey.chain(choices) {
        for key in t.keys() {
            if key.is_empty() || app_language(key).is_some() || seen.contains(&key.as_str()) {
                continue;
            }
            seen.push(key);
            issues.warn(
                sheet,
                row,
                &format!("{col}::{key}"),
                format!(
                    "language `{key}` is not one of the app's languages ({}); its texts are kept, \
                     and the app shows the default language in its place",
                    app_languages_list()
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::app_language;

    #[test]
    fn keys_match_by_code_in_parentheses_then_by_code_or_name() {
        for (key, want) in [
            ("English (en)", Some("en")),
            ("Urdu (ur)", Some("ur")),
            ("Anglais (EN)", Some("en")),
            ("English", Some("en")),
            ("english", Some("en")),
            ("URDU", Some("ur")),
            ("اردو", Some("ur")),
            ("ur", Some("ur")),
            (" en ", Some("en")),
            ("French (fr)", None),
            ("English (fr)", None),
            ("Pashto", None),
            ("", None),
        ] {
            assert_eq!(app_language(key), want, "{key}");
        }
    }
}
