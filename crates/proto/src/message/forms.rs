//! Questionnaires besides the household one on the wire: the versions of forms a device receives on
//! the page that ends its feed ([`PublishedForm`], behind the pull's flag bit 8, asked for with the
//! request's bit 8), and the reports it submits with them ([`FormSubmission`], a trailing list of
//! the push, answered by a trailing list of [`SubmissionOutcome`]s).
//!
//! Old peers: a registry of an earlier build ignores the request's bit 8 and answers without
//! forms, which reads as "no forms". A device submits only reports filled with forms this registry
//! sent, so an earlier registry, which sends none, never receives the push's trailing list (which
//! its decoder would refuse whole, as a bad request). A device of an earlier build never asks, so
//! it never receives the pull's flag bit its decoder does not know.
//!
//! **Only what the device lacks.** A device names the versions it holds ([`HeldForm`], a trailing
//! list of the pull request after its flag byte), and the registry sends only the versions that
//! reach the device's areas and are not in that list: the first pull brings every version, a
//! quiet pull none (an empty list behind the flag, a few bytes), a new version exactly that one.
//! A request without the list (an earlier device, or one holding nothing) gets every version, as
//! before. A device names versions only once a registry sent it some, so a registry without forms
//! never sees the list; a registry of the build that sent forms before this list existed would
//! refuse the request whole (its decoder refuses trailing bytes), so registries are upgraded
//! before their tablets, as for every trailing field. The registry has no withdrawal of a form: a version once published stays published,
//! and a device keeps every version it received, so a draft started with it can always be opened.
//!
//! Review: reviewers' decisions on the reports a device sent ([`ReportReview`]) trail the
//! assignments on the page that ends its feed (`PullResponse::reviews`); a correction names the
//! report it replaces inside its answers ([`REPLACES_KEY`]), so the push is unchanged. A device
//! asks for decisions by naming the number of the last one it holds
//! (`PullRequest::reviews_after`, flag bit 4 and a number after the held forms), and the registry
//! sends those after it: a page lost on the way (a cut connection) is answered again on the next
//! pull, because the device names a number only once it has stored the decisions up to it. A
//! device of an earlier build never names one, so it is never sent decisions its decoder would
//! refuse. An earlier registry sends no decisions (so it never returns a report to correct), and
//! would refuse a correction by name, `@replaces` being no question of the form.

use crate::codec::{DecodeError, Reader, Writer};
use uuid::Uuid;

/// One published version of a form, as the registry sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedForm {
    /// The form's id.
    pub form_id: String,
    /// The version.
    pub version: String,
    /// Its title.
    pub title: String,
    /// The file name it was published as (tells the TOML text format from a workbook).
    pub file_name: String,
    /// The source, as published.
    pub source: Vec<u8>,
}

/// A version of a form a device holds, as its pull names it (no source: the registry has it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HeldForm {
    /// The form's id.
    pub form_id: String,
    /// The version.
    pub version: String,
}

/// The answers' key under which a report correcting a returned one names it (the returned
/// report's id). A question's name never starts with `@` (XLSForm names start with a letter or
/// `_`), so the key is never an answer; the registry takes it out before checking the answers.
pub const REPLACES_KEY: &str = "@replaces";

/// A report's answers as a push carries them: a correction of the report `replaces` names it under
/// [`REPLACES_KEY`]; other answers, and answers that are not a JSON object, go as they are.
pub fn answers_naming_replaced(answers: &str, replaces: Option<&str>) -> String {
    use serde_json::Value;
    match (replaces, serde_json::from_str::<Value>(answers)) {
        (Some(old), Ok(Value::Object(mut m))) => {
            m.insert(REPLACES_KEY.into(), Value::String(old.to_string()));
            Value::Object(m).to_string()
        }
        _ => answers.to_string(),
    }
}

/// One report filled on a device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSubmission {
    /// Its id (the device's).
    pub id: Uuid,
    /// The form.
    pub form_id: String,
    /// The version it was filled with.
    pub version: String,
    /// The device's area it reports from.
    pub area: String,
    /// The answers: a JSON object by question name, as text.
    pub answers: String,
    /// When it was filled (ms since epoch).
    pub filled_at: u64,
}

/// A reviewer's decision on a report the device sent, as the pull carries it to that device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportReview {
    /// The report.
    pub id: Uuid,
    /// `approved`, `returned` or `rejected`.
    pub decision: String,
    /// The reviewer's note ("" for an approval without one).
    pub note: String,
    /// The reviewer's name.
    pub by: String,
    /// When (ms since epoch).
    pub at: u64,
    /// The decision's number at the registry that made it (increasing); the device names the
    /// highest it holds in its next pull ([`super::PullRequest::reviews_after`]).
    pub seq: u64,
}

/// What the registry did with one report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionOutcome {
    /// The report.
    pub id: Uuid,
    /// `None`: stored (now or before); `Some`: refused, and why (the device keeps it to correct).
    pub refused: Option<String>,
}

pub(super) fn write_forms(w: &mut Writer, forms: &[PublishedForm]) {
    w.varint(forms.len() as u64);
    for f in forms {
        w.str(&f.form_id);
        w.str(&f.version);
        w.str(&f.title);
        w.str(&f.file_name);
        w.bytes(&f.source);
    }
}

pub(super) fn read_forms(r: &mut Reader<'_>) -> Result<Vec<PublishedForm>, DecodeError> {
    let n = r.count(5)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(PublishedForm {
            form_id: r.str()?,
            version: r.str()?,
            title: r.str()?,
            file_name: r.str()?,
            source: r.bytes()?.to_vec(),
        });
    }
    Ok(out)
}

pub(super) fn write_held(w: &mut Writer, held: &[HeldForm]) {
    w.varint(held.len() as u64);
    for h in held {
        w.str(&h.form_id);
        w.str(&h.version);
    }
}

pub(super) fn read_held(r: &mut Reader<'_>) -> Result<Vec<HeldForm>, DecodeError> {
    let n = r.count(2)?;
    if n > crate::limits::MAX_HELD_FORMS {
        return Err(DecodeError::Invalid("held forms"));
    }
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(HeldForm {
            form_id: r.str()?,
            version: r.str()?,
        });
    }
    Ok(out)
}

pub(super) fn write_submissions(w: &mut Writer, subs: &[FormSubmission]) {
    w.varint(subs.len() as u64);
    for s in subs {
        w.uuid(&s.id);
        w.str(&s.form_id);
        w.str(&s.version);
        w.str(&s.area);
        w.str(&s.answers);
        w.varint(s.filled_at);
    }
}

pub(super) fn read_submissions(r: &mut Reader<'_>) -> Result<Vec<FormSubmission>, DecodeError> {
    let n = r.count(21)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(FormSubmission {
            id: r.uuid()?,
            form_id: r.str()?,
            version: r.str()?,
            area: r.str()?,
            answers: r.str()?,
            filled_at: r.varint()?,
        });
    }
    Ok(out)
}

pub(super) fn write_outcomes(w: &mut Writer, outcomes: &[SubmissionOutcome]) {
    w.varint(outcomes.len() as u64);
    for o in outcomes {
        w.uuid(&o.id);
        match &o.refused {
            None => w.u8(0),
            Some(reason) => {
                w.u8(1);
                w.str(reason);
            }
        }
    }
}

pub(super) fn read_outcomes(r: &mut Reader<'_>) -> Result<Vec<SubmissionOutcome>, DecodeError> {
    let n = r.count(17)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.uuid()?;
        let refused = match r.u8()? {
            0 => None,
            1 => Some(r.str()?),
            _ => return Err(DecodeError::Invalid("submission outcome tag")),
        };
        out.push(SubmissionOutcome { id, refused });
    }
    Ok(out)
}

pub(super) fn write_reviews(w: &mut Writer, reviews: &[ReportReview]) {
    w.varint(reviews.len() as u64);
    for v in reviews {
        w.uuid(&v.id);
        w.str(&v.decision);
        w.str(&v.note);
        w.str(&v.by);
        w.varint(v.at);
        w.varint(v.seq);
    }
}

pub(super) fn read_reviews(r: &mut Reader<'_>) -> Result<Vec<ReportReview>, DecodeError> {
    let n = r.count(21)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(ReportReview {
            id: r.uuid()?,
            decision: r.str()?,
            note: r.str()?,
            by: r.str()?,
            at: r.varint()?,
            seq: r.varint()?,
        });
    }
    Ok(out)
}
