//! The questionnaire the field app renders: `shumari_forms::household_form()` (the shipped NSER
//! household questionnaire) shaped for the UI.
//!
//! The UI never evaluates rules. It receives this definition once (`get_form`) and, after each saved
//! answer, the interview evaluated by the forms engine (see [`crate::form_view`]). The shape:
//!
//! - **sections** are the form's top-level groups; the repeat (`members`) is the one `repeat` section,
//!   asked once per member; consecutive top-level questions outside any group form an untitled section;
//!   a repeat inside groups is a `repeat` section too, splitting its groups around it;
//! - a group inside a section is a question of kind `group` with its own `questions`;
//! - each question carries its type, English and Urdu label and hint, choices, `required` (when the
//!   form says `yes`; conditional requirements show up as issues), `read_only` and `appearance`.
//!
//! Two kinds are the app's own: `id_number` is a `cnic` (the UI masks it 5-7-1 and the domain checks it),
//! and `area` is read-only (a household's area is chosen when it is created, and fixes who may see it).
//!
//! Every XLSForm question type has a kind ([`kind`]): `time`, `date_time`, `range` (with its
//! [`RangeDef`]), `rank` (with its choices), `barcode` (typed in), `geotrace`/`geoshape` (a list of
//! points stored as the engine reads them, `lat lon alt acc;...`), `file` for image, audio, video and
//! file questions (the UI offers a file picker and records the picked file's name: the engine takes
//! any text for these types, and the app stores no binary yet), selects from a file or the
//! `external_choices` sheet as `select_one`/`select_multiple` whose choices may be empty (the UI then
//! takes the choice's name as text), and `unsupported` for what this device cannot ask (a repeat
//! inside another repeat): shown as a plain note that never blocks the interview. Metadata, `hidden` and
//! external data rows are recorded, never asked, like calculations.

use crate::dto::Text;
use serde::Serialize;
use shumari_forms::{Flag, Form, Media, QuestionType};

/// Kinds of question the UI knows how to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "QuestionKind")]
pub enum Kind {
    /// Free text.
    Text,
    /// Whole number.
    Integer,
    /// Number with decimals.
    Decimal,
    /// One choice.
    SelectOne,
    /// Several choices (the UI edits a list; the document stores ODK's space-separated names).
    SelectMultiple,
    /// A date `YYYY-MM-DD`.
    Date,
    /// CNIC / B-form number (5-7-1 mask).
    Cnic,
    /// GPS point.
    Gps,
    /// Text to read out; no answer.
    Note,
    /// A box to tick; its value is `OK`.
    Acknowledge,
    /// Computed by the form; never shown.
    Calculate,
    /// Questions asked together (relevance of the group applies to all of them).
    Group,
    /// A time of day: ODK's `HH:MM:SS.sss` with the device's zone (`14:30:00.000+05:00`).
    Time,
    /// A date and time: `YYYY-MM-DDTHH:MM:SS.sss` with the device's zone.
    DateTime,
    /// A number on a scale (`range` gives its start, end and step).
    Range,
    /// The choices put in order (stored as their names, space-separated, most preferred first).
    Rank,
    /// A scanned code, typed in (this device has no scanner).
    Barcode,
    /// A line of GPS points, `lat lon alt acc;...` (two or more).
    Geotrace,
    /// A closed shape of GPS points (four or more, the last equal to the first).
    Geoshape,
    /// An image, audio, video or other file (`media` says which); the answer is the file's name.
    File,
    /// A question this device cannot ask: shown as a note, never blocks the interview.
    Unsupported,
}

/// A `range` question's scale.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ts_rs::TS)]
pub struct RangeDef {
    /// First value (the lowest, unless `end` is lower).
    pub start: f64,
    /// Last value.
    pub end: f64,
    /// Distance between allowed values (never zero).
    pub step: f64,
}

/// A choice of a select question.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Choice {
    /// Stored value.
    pub value: String,
    /// Label.
    pub label: Text,
}

/// One question (or a group of questions).
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// Name (answers are keyed by it).
    pub name: String,
    /// Kind.
    pub kind: Kind,
    /// Label.
    pub label: Text,
    /// Help text.
    #[ts(optional = nullable)]
    pub hint: Option<Text>,
    /// The form marks it required (`yes`); conditional requirements are reported as issues.
    pub required: bool,
    /// Shown but not editable.
    #[ts(as = "Option<bool>", optional)]
    pub read_only: bool,
    /// XLSForm appearance (`minimal`, `numbers`, `field-list`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub appearance: Option<String>,
    /// Choices for select questions (all of them; see `filtered`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Choice>>", optional)]
    pub choices: Vec<Choice>,
    /// The choices depend on other answers: the interview lists the ones offered (`choices`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub filtered: bool,
    /// The scale of a `range` question.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub range: Option<RangeDef>,
    /// For a `file` question: `image`, `audio`, `video` or `file`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub media: Option<String>,
    /// The questions of a group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Question>>", optional)]
    pub questions: Vec<Question>,
}

/// A section; the `repeat` section is asked once per member.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Section {
    /// Id (the group's name, or the first question's for an untitled section).
    pub id: String,
    /// Heading (none for an untitled section).
    pub label: Option<Text>,
    /// Help text.
    #[ts(optional = nullable)]
    pub hint: Option<Text>,
    /// The member roster.
    pub repeat: bool,
    /// Questions in order.
    pub questions: Vec<Question>,
}

/// The whole questionnaire.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FormDef {
    /// Form id (recorded on each household).
    pub id: String,
    /// Form version (recorded on each household).
    pub version: String,
    /// Title.
    #[ts(optional = nullable)]
    pub title: Option<Text>,
    /// Sections in order.
    pub sections: Vec<Section>,
}

/// The questionnaire the app fills: the shipped NSER household form.
pub fn engine_form() -> &'static Form {
    shumari_forms::household_form()
}

/// Questionnaire id recorded on each new household.
pub fn form_id() -> &'static str {
    &engine_form().settings.form_id
}

/// Its version.
pub fn form_version() -> &'static str {
    &engine_form().settings.version
}

/// A text of the form in the UI's two languages (Urdu falls back to English); `None` when the form has
/// none.
pub(crate) fn text(form: &Form, t: &shumari_forms::Text) -> Option<Text> {
    if t.is_empty() {
        return None;
    }
    let en = form.text(t, "en").unwrap_or_default();
    let ur = form.text(t, "ur").unwrap_or(en);
    Some(Text::new(en, ur))
}

fn kind(q: &shumari_forms::Question) -> Kind {
    match &q.kind {
        QuestionType::Text if q.name == "id_number" => Kind::Cnic,
        QuestionType::Text => Kind::Text,
        QuestionType::Integer => Kind::Integer,
        QuestionType::Decimal => Kind::Decimal,
        // Choices from a file or the external_choices sheet: listed when the form carries them, else
        // the UI takes the choice's name as text.
        QuestionType::SelectOne(_)
        | QuestionType::SelectOneFromFile(_)
        | QuestionType::SelectOneExternal(_) => Kind::SelectOne,
        QuestionType::SelectMultiple(_) | QuestionType::SelectMultipleFromFile(_) => {
            Kind::SelectMultiple
        }
        QuestionType::Rank(_) => Kind::Rank,
        QuestionType::Date => Kind::Date,
        QuestionType::Time => Kind::Time,
        QuestionType::DateTime => Kind::DateTime,
        QuestionType::Range(_) => Kind::Range,
        QuestionType::Geopoint => Kind::Gps,
        QuestionType::Geotrace => Kind::Geotrace,
        QuestionType::Geoshape => Kind::Geoshape,
        QuestionType::Barcode => Kind::Barcode,
        // The engine takes any text for a file question: the app records the picked file's name.
        QuestionType::Media(_) => Kind::File,
        // An OpenMapKit feature: a plain note, the rest of the interview goes on.
        QuestionType::Osm(_) => Kind::Unsupported,
        QuestionType::Note => Kind::Note,
        QuestionType::Acknowledge => Kind::Acknowledge,
        QuestionType::Calculate => Kind::Calculate,
        // Recorded by the app or the engine, never asked.
        QuestionType::Hidden | QuestionType::Meta(_) | QuestionType::External(_) => Kind::Calculate,
        QuestionType::BeginGroup
        | QuestionType::EndGroup
        | QuestionType::BeginRepeat
        | QuestionType::EndRepeat => Kind::Group,
    }
}

fn media_name(kind: &QuestionType) -> Option<String> {
    let QuestionType::Media(m) = kind else {
        return None;
    };
    Some(
        match m {
            Media::Image => "image",
            Media::Audio => "audio",
            Media::Video => "video",
            Media::File => "file",
        }
        .to_string(),
    )
}

/// Whether the app lets the surveyor write `name` (at household level when `member` is false).
pub fn writable(form: &Form, name: &str, member: bool) -> bool {
    let Some(q) = form.question(name) else {
        return false;
    };
    // The household's area is chosen when it is created (it decides who may see the household).
    let area = name == "area" && !member;
    let level_ok = form.repeat_of(name).is_some() == member;
    level_ok && q.kind.is_input() && q.read_only != Flag::Yes && !area
}

fn question(form: &Form, q: &shumari_forms::Question, children: Vec<Question>) -> Question {
    // The choices sheet's list, the attached CSV's rows or the external_choices rows (none when a
    // file is not attached: the UI then takes the choice's name as text).
    let choices = form
        .choices_for(q)
        .map(|c| Choice {
            value: c.name.clone(),
            label: text(form, &c.label).unwrap_or_else(|| Text::new(&c.name, &c.name)),
        })
        .collect();
    Question {
        name: q.name.clone(),
        kind: kind(q),
        label: text(form, &q.label).unwrap_or_else(|| Text::new(&q.name, &q.name)),
        hint: text(form, &q.hint),
        required: q.required == Flag::Yes,
        read_only: q.read_only == Flag::Yes
            || (q.name == "area" && form.repeat_of("area").is_none()),
        appearance: q.appearance.clone(),
        choices,
        filtered: q.choice_filter.is_some(),
        range: match q.kind {
            QuestionType::Range(p) => Some(RangeDef {
                start: p.start,
                end: p.end,
                step: p.step,
            }),
            _ => None,
        },
        media: media_name(&q.kind),
        questions: children,
    }
}

/// A stretch of one level's questions, or a repeat met inside a group, which becomes a section of
/// its own (the UI repeats sections, not questions).
enum Piece {
    Questions(Vec<Question>),
    Repeat(Section),
}

fn push_question(pieces: &mut Vec<Piece>, q: Question) {
    match pieces.last_mut() {
        Some(Piece::Questions(qs)) => qs.push(q),
        _ => pieces.push(Piece::Questions(vec![q])),
    }
}

/// The questions of pieces known to hold no repeat.
fn flatten(pieces: Vec<Piece>) -> Vec<Question> {
    pieces
        .into_iter()
        .flat_map(|p| match p {
            Piece::Questions(qs) => qs,
            Piece::Repeat(_) => Vec::new(),
        })
        .collect()
}

fn repeat_section(form: &Form, q: &shumari_forms::Question, i: &mut usize) -> Section {
    Section {
        id: q.name.clone(),
        label: text(form, &q.label),
        hint: text(form, &q.hint),
        repeat: true,
        questions: flatten(body(form, i, true)),
    }
}

/// Reads rows from `*i` until the `end_group`/`end_repeat` closing the current level (consumed).
///
/// A repeat inside groups (not inside another repeat) splits them: the groups' questions before it,
/// the repeat as a section, then the rest of the groups under the same headings. A repeat inside a
/// repeat cannot be asked yet: it becomes an `unsupported` question (shown as a note), its rows
/// left out.
fn body(form: &Form, i: &mut usize, in_repeat: bool) -> Vec<Piece> {
    let mut out = Vec::new();
    while *i < form.survey.len() {
        let q = &form.survey[*i];
        *i += 1;
        match q.kind {
            QuestionType::EndGroup | QuestionType::EndRepeat => break,
            QuestionType::BeginRepeat if in_repeat => {
                body(form, i, true);
                let mut nested = question(form, q, Vec::new());
                nested.kind = Kind::Unsupported;
                push_question(&mut out, nested);
            }
            QuestionType::BeginRepeat => out.push(Piece::Repeat(repeat_section(form, q, i))),
            QuestionType::BeginGroup => {
                for piece in body(form, i, in_repeat) {
                    match piece {
                        Piece::Questions(children) => {
                            push_question(&mut out, question(form, q, children));
                        }
                        repeat => out.push(repeat),
                    }
                }
            }
            _ => push_question(&mut out, question(form, q, Vec::new())),
        }
    }
    out
}

/// The UI's definition of `form`.
pub fn form_def(form: &Form) -> FormDef {
    let mut sections: Vec<Section> = Vec::new();
    let mut loose: Vec<Question> = Vec::new();
    let flush = |loose: &mut Vec<Question>, sections: &mut Vec<Section>| {
        if let Some(first) = loose.first() {
            sections.push(Section {
                id: first.name.clone(),
                label: None,
                hint: None,
                repeat: false,
                questions: std::mem::take(loose),
            });
        }
    };
    let mut i = 0;
    while i < form.survey.len() {
        let q = &form.survey[i];
        i += 1;
        match q.kind {
            QuestionType::BeginRepeat => {
                flush(&mut loose, &mut sections);
                sections.push(repeat_section(form, q, &mut i));
            }
            QuestionType::BeginGroup => {
                flush(&mut loose, &mut sections);
                let mut part = 0;
                for piece in body(form, &mut i, false) {
                    match piece {
                        Piece::Repeat(s) => sections.push(s),
                        Piece::Questions(questions) => {
                            part += 1;
                            sections.push(Section {
                                // Ids are unique: a group split by a repeat continues as `<name>-2`.
                                id: if part == 1 {
                                    q.name.clone()
                                } else {
                                    format!("{}-{part}", q.name)
                                },
                                label: text(form, &q.label),
                                hint: if part == 1 { text(form, &q.hint) } else { None },
                                repeat: false,
                                questions,
                            });
                        }
                    }
                }
            }
            QuestionType::EndGroup | QuestionType::EndRepeat => {}
            _ => loose.push(question(form, q, Vec::new())),
        }
    }
    flush(&mut loose, &mut sections);
    FormDef {
        id: form.settings.form_id.clone(),
        version: form.settings.version.clone(),
        title: form.settings.form_title.as_deref().map(|t| Text::new(t, t)),
        sections,
    }
}

fn find_in<'a>(qs: &'a [Question], name: &str) -> Option<&'a Question> {
    qs.iter().find_map(|q| {
        if q.name == name && q.kind != Kind::Group {
            Some(q)
        } else {
            find_in(&q.questions, name)
        }
    })
}

/// The question of the roster (`member`) or household level by name.
pub fn find<'a>(form: &'a FormDef, name: &str, member: bool) -> Option<&'a Question> {
    form.sections
        .iter()
        .filter(|s| s.repeat == member)
        .find_map(|s| find_in(&s.questions, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_follow_the_forms_groups_and_repeat() {
        let f = form_def(engine_form());
        assert_eq!(f.id, "nser-household");
        let ids: Vec<&str> = f.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids[0], "identification");
        assert!(ids.contains(&"dwelling") && ids.contains(&"assets"));
        let roster: Vec<&Section> = f.sections.iter().filter(|s| s.repeat).collect();
        assert_eq!(roster.len(), 1);
        assert_eq!(roster[0].id, "members");
        // Groups inside the roster keep their questions.
        let edu = roster[0]
            .questions
            .iter()
            .find(|q| q.name == "education_group")
            .unwrap();
        assert_eq!(edu.kind, Kind::Group);
        assert!(edu.questions.iter().any(|q| q.name == "literate"));
    }

    #[test]
    fn kinds_labels_and_choices_come_from_the_form() {
        let f = form_def(engine_form());
        let id = find(&f, "id_number", true).unwrap();
        assert_eq!(id.kind, Kind::Cnic);
        assert_eq!(id.appearance.as_deref(), Some("numbers"));
        let rooms = find(&f, "rooms", false).unwrap();
        assert_eq!(rooms.kind, Kind::Integer);
        assert!(rooms.required);
        assert!(rooms.label.ur.contains("کمروں"));
        assert_eq!(find(&f, "dob", true).unwrap().kind, Kind::Date);
        assert_eq!(find(&f, "consent", false).unwrap().kind, Kind::Acknowledge);
        assert_eq!(find(&f, "gps", false).unwrap().kind, Kind::Gps);
        assert_eq!(find(&f, "age_years", true).unwrap().kind, Kind::Calculate);
        let sex = find(&f, "sex", true).unwrap();
        assert_eq!(sex.choices.len(), 3);
        assert!(find(&f, "area", false).unwrap().read_only);
        assert!(!writable(engine_form(), "area", false));
        assert!(writable(engine_form(), "rooms", false));
        assert!(!writable(engine_form(), "rooms", true));
        assert!(!writable(engine_form(), "age_years", true));
    }

    #[test]
    fn a_repeat_inside_a_repeat_is_a_note_that_keeps_its_rows_out() {
        // The engine refuses nested repeats for now; the UI definition is built from the rows alone.
        let mut form = engine_form().clone();
        let members = form
            .survey
            .iter()
            .position(|q| q.name == "members")
            .unwrap();
        let mut nested = form.survey[members].clone();
        nested.name = "visits".into();
        let mut inner = shumari_forms::Question::new(0, QuestionType::Text, "visit_place");
        inner.label = nested.label.clone();
        let mut end = form.survey[members].clone();
        end.kind = QuestionType::EndRepeat;
        form.survey
            .splice(members + 1..members + 1, [nested, inner, end]);
        let f = form_def(&form);
        let roster = f.sections.iter().find(|s| s.id == "members").unwrap();
        assert!(roster.repeat);
        let visits = &roster.questions[0];
        assert_eq!(
            (visits.name.as_str(), visits.kind),
            ("visits", Kind::Unsupported)
        );
        assert!(visits.questions.is_empty());
        assert!(find(&f, "visit_place", true).is_none());
        // The roster's own questions follow it.
        assert!(find(&f, "sex", true).is_some());
    }
}
