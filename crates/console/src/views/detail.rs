//! One household: its review state and the decision form, its answers by section with the
//! questionnaire's labels in the page's language, its members, where it was interviewed (with an
//! OpenStreetMap link), its proxy means test (`pmt.rs`), its open conflicts with their authors, and
//! its history (`history.rs`).
//!
//! Answers are laid out by walking the questionnaire (`shumari_forms::household_form`): a top-level
//! group is a section, a question answered at household level a row; member-level questions (inside
//! the roster's repeat) are shown with each member. An answer the questionnaire does not name (an
//! older version's question) is still shown, under "Other answers", by its field name.

use super::layout::{csrf_field, page, Chrome};
use super::{when, yes_no};
use crate::i18n::{Lang, T};
use maud::{html, Markup};
use serde_json::Value;
use shumari_domain::{Household, Member, Status};
use shumari_forms::model::{Form, QuestionType};
use shumari_registry::HouseholdDetail;
use std::collections::BTreeSet;

/// What the detail page shows besides the household.
#[derive(Debug, Clone, Copy)]
pub struct DetailState<'a> {
    /// The user reviews (a supervisor or district officer); the form shows when the household's
    /// status is one a decision follows.
    pub may_review: bool,
    /// A decision was just recorded.
    pub decided: bool,
    /// Why the last decision was refused.
    pub error: Option<&'a str>,
    /// The household's eligibility per programme and its enrolments (`programmes.rs`).
    pub programmes: (
        &'a [shumari_registry::service::ProgrammeEligibility],
        &'a [shumari_registry::service::Enrolment],
    ),
}

/// One section of answers: its title and (label, value) rows.
struct Section {
    title: String,
    rows: Vec<(String, String)>,
}

/// An answer as text: a choice's label, several choices' labels, yes/no, or the value.
fn value_text(form: &Form, name: &str, v: &Value, lang: Lang) -> String {
    let q = form.question(name);
    match (q.map(|q| &q.kind), v) {
        (Some(QuestionType::SelectOne(list)), Value::String(s)) => {
            form.choice_label(list, s, lang.code()).to_string()
        }
        (Some(QuestionType::SelectMultiple(list)), Value::String(s)) => s
            .split_whitespace()
            .map(|c| form.choice_label(list, c, lang.code()))
            .collect::<Vec<_>>()
            .join(", "),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Bool(b)) => yes_no(lang, *b).to_string(),
        (_, Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

/// A question's label in `lang` (its name when the questionnaire does not know it).
pub(super) fn label(form: &Form, name: &str, lang: Lang) -> String {
    form.question(name)
        .and_then(|q| form.text(&q.label, lang.code()))
        .unwrap_or(name)
        .to_string()
}

/// The household-level answers by the questionnaire's sections, then the ones it does not name.
fn sections(form: &Form, h: &Household, lang: Lang) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    let mut used = BTreeSet::new();
    let (mut depth, mut in_repeat) = (0usize, 0usize);
    for q in &form.survey {
        match q.kind {
            QuestionType::BeginGroup => {
                if depth == 0 && in_repeat == 0 {
                    out.push(Section {
                        title: form
                            .text(&q.label, lang.code())
                            .unwrap_or(&q.name)
                            .to_string(),
                        rows: Vec::new(),
                    });
                }
                depth += 1;
            }
            QuestionType::EndGroup => depth = depth.saturating_sub(1),
            QuestionType::BeginRepeat => {
                in_repeat += 1;
                depth += 1;
            }
            QuestionType::EndRepeat => {
                in_repeat = in_repeat.saturating_sub(1);
                depth = depth.saturating_sub(1);
            }
            _ if in_repeat == 0 => {
                if let Some(v) = h.answers.get(&q.name) {
                    used.insert(q.name.clone());
                    let row = (
                        label(form, &q.name, lang),
                        value_text(form, &q.name, v, lang),
                    );
                    match out.last_mut() {
                        Some(s) if depth > 0 => s.rows.push(row),
                        _ => out.push(Section {
                            title: lang.t(T::Answers).to_string(),
                            rows: vec![row],
                        }),
                    }
                }
            }
            _ => {}
        }
    }
    let other: Vec<(String, String)> = h
        .answers
        .iter()
        .filter(|(k, _)| !used.contains(*k))
        .map(|(k, v)| (k.clone(), value_text(form, k, v, lang)))
        .collect();
    if !other.is_empty() {
        out.push(Section {
            title: lang.t(T::OtherAnswers).to_string(),
            rows: other,
        });
    }
    out.retain(|s| !s.rows.is_empty());
    out
}

/// The questions a decision may name: every answered one, household level then member level.
fn answered_questions(h: &Household) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let member_keys = h.members.iter().flat_map(|m| m.answers.keys());
    for k in h.answers.keys().chain(member_keys) {
        if seen.insert(k.clone()) {
            out.push(k.clone());
        }
    }
    out
}

fn osm_link(lat: f64, lon: f64) -> String {
    format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}")
}

/// The page.
pub fn detail(c: &Chrome<'_>, form: &Form, d: &HouseholdDetail, state: DetailState<'_>) -> Markup {
    let lang = c.lang;
    let h = &d.household;
    let title = format!("{} {}", lang.t(T::Reference), h.reference);
    page(
        c,
        &title,
        html! {
            p.summary {
                span dir="ltr" data-testid="household-area" { (h.area) } " · "
                span class=(format!("status {}", h.status.as_str())) data-testid="household-status" data-status=(h.status.as_str()) { (lang.status(h.status)) }
            }
            @if state.decided { p.notice role="status" data-testid="decision-recorded" { (lang.t(T::Decided)) } }
            @if let Some(e) = state.error { p.error role="alert" data-testid="decision-error" { (e) } }
            (review_box(c, form, h, state))
            (super::flags::detail(lang, &d.flags, &d.paradata))
            @for s in sections(form, h, lang) {
                section.answers {
                    h2 { (s.title) }
                    dl { @for (k, v) in &s.rows { dt { (k) } dd { (v) } } }
                }
            }
            (super::pmt::section(lang, d.pmt.as_ref(), d.device_pmt.as_ref()))
            (super::programmes::section(lang, state.programmes.0, state.programmes.1))
            section data-testid="members" {
                h2 { (lang.t(T::Members)) }
                table {
                    thead { tr {
                        th { (lang.t(T::Line)) } th { (lang.t(T::Name)) } th { (lang.t(T::Relation)) }
                        th { (lang.t(T::Sex)) } th { (lang.t(T::Age)) } th { (lang.t(T::DateOfBirth)) }
                        th { (lang.t(T::Cnic)) } th { (lang.t(T::Answers)) }
                    } }
                    tbody { @for m in &h.members { (member_row(form, m, d.verifications.get(&m.id), lang)) } }
                }
            }
            section data-testid="location" {
                h2 { (lang.t(T::Location)) }
                @match &h.gps {
                    Some(g) => p {
                        span dir="ltr" data-testid="gps" { (format!("{:.6}, {:.6}", g.lat, g.lon)) }
                        @if let Some(a) = g.accuracy { " (" (lang.t(T::Accuracy)) " " (format!("{a:.0}")) " m)" }
                        " · "
                        a href=(osm_link(g.lat, g.lon)) rel="noopener noreferrer" target="_blank" data-testid="osm-link" { (lang.t(T::OpenMap)) }
                    },
                    None => p { (lang.t(T::NoLocation)) },
                }
            }
            section data-testid="conflicts" {
                h2 { (lang.t(T::Conflicts)) }
                @if d.conflicts.is_empty() {
                    p { (lang.t(T::NoConflicts)) }
                } @else {
                    @for k in &d.conflicts {
                        h3 dir="ltr" { (k.path) }
                        table {
                            thead { tr { th { (lang.t(T::Value)) } th { (lang.t(T::Author)) } th { (lang.t(T::Updated)) } } }
                            tbody { @for v in &k.values { tr {
                                td { (match &v.value { Value::String(s) => s.clone(), o => o.to_string() }) }
                                td { (v.author) }
                                td dir="ltr" { (v.at.as_deref().unwrap_or("")) }
                            } } }
                        }
                    }
                }
            }
            (super::history::section(form, h, &d.history, lang))
        },
    )
}

fn member_row(
    form: &Form,
    m: &Member,
    verification: Option<&shumari_domain::Verification>,
    lang: Lang,
) -> Markup {
    html! {
        tr data-testid="member-row" {
            td { (m.line) }
            td { (m.name) }
            td { (super::relation(lang, &m.relation)) }
            td { (super::choice(lang, "sex", m.sex.as_str())) }
            td { (m.age.map(|a| a.to_string()).unwrap_or_default()) }
            td dir="ltr" { (m.dob.map(|d| d.to_string()).unwrap_or_default()) }
            td dir="ltr" {
                (m.id_number.as_ref().map(|n| n.dashed()).unwrap_or_default())
                @if m.id_number.is_some() { " " (super::identity::badge(lang, verification)) }
            }
            td {
                @if !m.answers.is_empty() {
                    details {
                        summary { (m.answers.len()) }
                        dl { @for (k, v) in &m.answers {
                            dt { (label(form, k, lang)) } dd { (value_text(form, k, v, lang)) }
                        } }
                    }
                }
            }
        }
    }
}

fn review_box(c: &Chrome<'_>, form: &Form, h: &Household, state: DetailState<'_>) -> Markup {
    let lang = c.lang;
    let from_submitted = h.status == Status::Submitted;
    let decidable = from_submitted || h.status == Status::Approved;
    html! {
        section.review data-testid="review" {
            h2 { (lang.t(T::Review)) }
            @match &h.review {
                None => p data-testid="review-state" { (lang.t(T::NotReviewed)) },
                Some(r) => div data-testid="review-state" data-decision=(r.decision.as_str()) {
                    p { (lang.decided_by(r.decision)) " " strong { (r.by_name) } " · " span dir="ltr" { (when(&r.at)) } }
                    @if !r.comment.is_empty() { blockquote data-testid="review-comment" { (r.comment) } }
                    @if !r.questions.is_empty() {
                        ul { @for q in &r.questions { li { (label(form, q, lang)) } } }
                    }
                }
            }
            @if let (true, Some((_, csrf))) = (state.may_review && decidable, c.signed) {
                form.card method="post" action=(format!("/console/households/{}/review", h.id)) data-testid="review-form" {
                    (csrf_field(csrf))
                    label for="comment" { (lang.t(T::Comment)) }
                    textarea #comment name="comment" rows="3" maxlength="2000" data-testid="review-comment-input" {}
                    small { (lang.t(T::CommentHint)) }
                    details {
                        summary { (lang.t(T::QuestionsConcerned)) }
                        @for q in answered_questions(h) {
                            label.check {
                                input type="checkbox" name="question" value=(q) data-testid=(format!("review-question-{q}"));
                                " " (label(form, &q, lang))
                            }
                        }
                    }
                    div.buttons {
                        @if from_submitted {
                            button type="submit" name="decision" value="approved" data-testid="review-approve" { (lang.t(T::Approve)) }
                        }
                        button type="submit" name="decision" value="returned" data-testid="review-return" { (lang.t(T::Return)) }
                        @if from_submitted {
                            button type="submit" name="decision" value="rejected" data-testid="review-reject" { (lang.t(T::Reject)) }
                        }
                    }
                }
            } @else if state.may_review {
                p { (lang.t(T::NoDecisionNow)) }
            }
        }
    }
}
