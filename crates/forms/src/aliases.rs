//! Column names as XLSForm authors write them, mapped to the one name the builder reads.
//!
//! The reference is pyxform, the XLSForm converter (`pyxform/aliases.py`: `survey_header`,
//! `list_header`, `TRANSLATABLE_SURVEY_COLUMNS`, `TRANSLATABLE_CHOICES_COLUMNS`): what pyxform reads
//! as a column, the readers spell canonically before a row reaches [`crate::build`], so an alias
//! loads to the very same form as its canonical column, and an export writes the canonical name.
//!
//! A header is a column name, optionally followed by a language: `label::English (en)` (the
//! XLSForm form), `label:English` (the older single-colon form, only when the header has no `::`),
//! `constraint message::Urdu (ur)`, `media::image::English (en)`. Names match in any case; the
//! language keeps its spelling. Columns pyxform knows and this engine does not act on (guidance
//! hints, media, parameters, triggers, XForm attributes) keep their canonical name here and are kept
//! on the row with a warning naming the feature ([`not_acted_on`]).

/// Survey aliases: pyxform's spelling (compared in any case) to the canonical column.
const SURVEY: &[(&str, &str)] = &[
    ("caption", "label"),
    ("command", "type"),
    ("tag", "name"),
    ("value", "name"),
    ("relevance", "relevant"),
    ("bind::relevant", "relevant"),
    ("bind::required", "required"),
    ("bind::constraint", "constraint"),
    ("calculate", "calculation"),
    ("bind::calculate", "calculation"),
    ("readonly", "read_only"),
    ("bind::readonly", "read_only"),
    ("constraint message", "constraint_message"),
    ("constraining message", "constraint_message"),
    ("jr:constraintMsg", "constraint_message"),
    ("bind::jr:constraintMsg", "constraint_message"),
    ("required message", "required_message"),
    ("requiredMsg", "required_message"),
    ("jr:requiredMsg", "required_message"),
    ("bind::jr:requiredMsg", "required_message"),
    ("control::appearance", "appearance"),
    ("count", "repeat_count"),
    ("jr:count", "repeat_count"),
    ("control::jr:count", "repeat_count"),
    ("image", "media::image"),
    ("big-image", "media::big-image"),
    ("audio", "media::audio"),
    ("video", "media::video"),
    ("autoplay", "control::autoplay"),
    ("rows", "control::rows"),
    ("noAppErrorString", "bind::jr:noAppErrorString"),
    ("no_app_error_string", "bind::jr:noAppErrorString"),
];

/// Choices aliases (pyxform's `list_header`).
const CHOICES: &[(&str, &str)] = &[
    ("list name", "list_name"),
    ("caption", "label"),
    ("value", "name"),
    ("image", "media::image"),
    ("big-image", "media::big-image"),
    ("audio", "media::audio"),
    ("video", "media::video"),
];

/// Columns pyxform reads and this engine keeps without acting on them, with the feature each one is
/// (for the load warning). `bind::`, `control::`, `body::` and `instance::` columns are XForm
/// attributes, also kept.
const NOT_ACTED_ON: &[(&str, &str)] = &[
    ("guidance_hint", "guidance hints"),
    ("media::image", "images in labels"),
    ("media::big-image", "large images in labels"),
    ("media::audio", "audio in labels"),
    ("media::video", "video in labels"),
    ("parameters", "question parameters"),
    ("trigger", "calculations triggered by another question"),
    ("save_to", "saving to an entity"),
    ("sms_field", "SMS submission"),
];

/// Prefixes of columns that pyxform passes to the XForm as attributes.
const XFORM_ATTRIBUTES: &[&str] = &["bind::", "control::", "body::", "instance::"];

/// Columns that take a language (`label::Urdu (ur)`), canonical names.
const TRANSLATABLE: &[&str] = &[
    "label",
    "hint",
    "guidance_hint",
    "constraint_message",
    "required_message",
    "media::image",
    "media::big-image",
    "media::audio",
    "media::video",
];

/// Whether `s` starts with `prefix` in any case (a prefix cut inside a character does not match).
fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// The canonical name of a survey or choices header: an alias or a known column in any case becomes
/// its canonical name, a language after it is kept as `::LANGUAGE`; any other header is kept as
/// written. `known` is the sheet's canonical columns.
pub(crate) fn column(sheet: &str, header: &str, known: &[&str]) -> String {
    let header = header.trim();
    let aliases = if sheet == "choices" { CHOICES } else { SURVEY };
    let single_colon = !header.contains("::");
    // Every name the header may start with, and the canonical column it stands for.
    let names = aliases
        .iter()
        .copied()
        .chain(known.iter().map(|k| (*k, *k)))
        .chain(TRANSLATABLE.iter().map(|k| (*k, *k)))
        .chain(NOT_ACTED_ON.iter().map(|(k, _)| (*k, *k)));
    let mut best: Option<(usize, &str, Option<&str>)> = None;
    for (name, canonical) in names {
        if !starts_with_ci(header, name) || best.is_some_and(|(len, _, _)| len >= name.len()) {
            continue;
        }
        let rest = header[name.len()..].trim_start();
        let lang = if rest.is_empty() {
            None
        } else if let Some(l) = rest.strip_prefix("::") {
            Some(l.trim())
        } else if let Some(l) = rest.strip_prefix(':').filter(|_| single_colon) {
            if !TRANSLATABLE.contains(&canonical) {
                continue;
            }
            Some(l.trim())
        } else {
            continue;
        };
        best = Some((name.len(), canonical, lang));
    }
    match best {
        Some((_, canonical, Some(lang))) if !lang.is_empty() => format!("{canonical}::{lang}"),
        Some((_, canonical, _)) => canonical.to_string(),
        None => header.to_string(),
    }
}

/// A canonical column split into its base and its language: `label::Urdu (ur)` is `label` and
/// `Urdu (ur)`, `media::image::English (en)` is `media::image` and `English (en)`.
pub(crate) fn split(col: &str) -> (&str, Option<&str>) {
    let base = TRANSLATABLE
        .iter()
        .copied()
        .filter(|t| t.contains("::"))
        .find(|t| col.starts_with(t))
        .unwrap_or_else(|| col.split("::").next().unwrap_or(col));
    match col[base.len()..].strip_prefix("::") {
        Some(lang) => (base, Some(lang.trim())),
        None => (col, None),
    }
}

/// The feature a column stands for when pyxform reads it and this engine does not act on it
/// (`media::image::English (en)` is "images in labels"); `None` for any other column.
pub(crate) fn not_acted_on(col: &str) -> Option<&'static str> {
    let (base, _) = split(col);
    NOT_ACTED_ON
        .iter()
        .find(|(k, _)| *k == base)
        .map(|(_, f)| *f)
        .or_else(|| {
            XFORM_ATTRIBUTES
                .iter()
                .any(|p| col.starts_with(p))
                .then_some("an XForm attribute")
        })
}
