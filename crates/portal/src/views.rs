//! The citizen's pages as HTML: small (each well under 20 KB), no JavaScript, no web fonts, no
//! images — one inline stylesheet that reads at 320 px wide, and a symbol beside each answer for
//! readers who read little.

use crate::texts::{self as tx, Lang, Tx};
use maud::{html, Markup, DOCTYPE};
use shumari_registry::service::{CitizenStage, CitizenView};

/// The stylesheet, inline: one request per page on a slow link.
const STYLE: &str = "body{font:16px/1.5 sans-serif;margin:0;color:#111;background:#fff}\
header{background:#0b5d3b;color:#fff;padding:.5em .75em;display:flex;justify-content:space-between;gap:.5em}\
header a{color:#fff}main{padding:.75em;max-width:36em}h1{font-size:1.3em;margin:.3em 0}\
h2{font-size:1.1em;margin:1em 0 .3em;border-bottom:1px solid #ccc}\
label{display:block;font-weight:bold;margin-top:.6em}input,select,textarea{font-size:1em;padding:.3em;max-width:100%;box-sizing:border-box}\
.date input{width:4em}.date label{display:inline;font-weight:normal}\
button{font-size:1.05em;padding:.4em 1.2em;margin-top:.8em;background:#0b5d3b;color:#fff;border:0;border-radius:3px}\
.err{color:#a00;font-weight:bold}.ok{color:#0b5d3b}.box{border:1px solid #ccc;padding:.5em;margin:.5em 0}\
ul{padding-inline-start:1.2em}.big{font-size:1.4em;font-weight:bold}small{color:#444}";

/// Symbols beside answers (text, so they need no image and scale with the font).
const YES: &str = "✔";
const NO: &str = "✖";
const WAIT: &str = "…";
const INFO: &str = "ℹ";

/// A whole page.
pub fn page(lang: Lang, title: Tx, body: Markup) -> Markup {
    let other = lang.other();
    html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (lang.t(title)) " · " (lang.t(tx::SITE)) }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                header {
                    strong { (lang.t(tx::SITE)) }
                    a href={ "/status?lang=" (other.code()) } lang=(other.code()) data-testid="lang" { (other.t(tx::LANG_NAME)) }
                }
                main { (body) }
            }
        }
    }
}

/// What the citizen typed, given back when the form is shown again.
#[derive(Debug, Default, Clone)]
pub struct Typed {
    /// CNIC as typed.
    pub cnic: String,
    /// Day, month and year as typed.
    pub day: String,
    /// Month.
    pub month: String,
    /// Year.
    pub year: String,
}

/// The look-up form, with an error above it when there is one.
pub fn form(lang: Lang, typed: &Typed, error: Option<Tx>) -> Markup {
    page(
        lang,
        tx::TITLE,
        html! {
            h1 { (lang.t(tx::TITLE)) }
            p { (lang.t(tx::INTRO)) }
            @if let Some(e) = error { p.err role="alert" data-testid="error" { (NO) " " (lang.t(e)) } }
            form method="post" action="/status" {
                input type="hidden" name="lang" value=(lang.code());
                label for="cnic" { (lang.t(tx::CNIC)) }
                input id="cnic" name="cnic" inputmode="numeric" autocomplete="off" maxlength="15" size="16" value=(typed.cnic) aria-describedby="cnic-hint" data-testid="cnic";
                br; small id="cnic-hint" { (lang.t(tx::CNIC_HINT)) }
                fieldset.date {
                    legend { (lang.t(tx::ISSUED)) }
                    label for="day" { (lang.t(tx::DAY)) } " "
                    input id="day" name="day" inputmode="numeric" maxlength="2" value=(typed.day) data-testid="day";
                    " " label for="month" { (lang.t(tx::MONTH)) } " "
                    input id="month" name="month" inputmode="numeric" maxlength="2" value=(typed.month) data-testid="month";
                    " " label for="year" { (lang.t(tx::YEAR)) } " "
                    input id="year" name="year" inputmode="numeric" maxlength="4" value=(typed.year) data-testid="year";
                }
                button type="submit" data-testid="check" { (lang.t(tx::CHECK)) }
            }
            p { small { (INFO) " " (lang.t(tx::PRIVACY)) } }
        },
    )
}

/// The one answer for an unknown CNIC and for a wrong date.
pub fn no_match(lang: Lang) -> Markup {
    page(
        lang,
        tx::NO_MATCH_TITLE,
        html! {
            h1 data-testid="no-match" { (NO) " " (lang.t(tx::NO_MATCH_TITLE)) }
            p { (lang.t(tx::NO_MATCH)) }
            p { a href={ "/status?lang=" (lang.code()) } { (lang.t(tx::TRY_AGAIN)) } }
        },
    )
}

/// Too many failed tries: when to come back (Pakistan time).
pub fn locked(lang: Lang, until_ms: i64) -> Markup {
    let at = chrono::DateTime::from_timestamp_millis(until_ms)
        .map(|t| {
            (t + chrono::Duration::hours(5))
                .format("%d-%m-%Y %H:%M")
                .to_string()
        })
        .unwrap_or_default();
    page(
        lang,
        tx::LOCKED_TITLE,
        html! {
            h1 data-testid="locked" { (WAIT) " " (lang.t(tx::LOCKED_TITLE)) }
            p { (lang.t(tx::LOCKED)) " " strong dir="ltr" { (at) " PKT" } }
        },
    )
}

/// One programme's eligibility, as the status page shows it.
#[derive(Debug, Clone)]
pub struct EligibilityLine {
    /// Programme name in the page's language.
    pub programme: String,
    /// Eligible or not.
    pub eligible: bool,
    /// Why, in plain words, in the page's language.
    pub reason: String,
}

/// One enrolment.
#[derive(Debug, Clone)]
pub struct EnrolmentLine {
    /// Programme name.
    pub programme: String,
    /// Enrolled, suspended, exited (in the page's language).
    pub status: String,
}

/// One payment.
#[derive(Debug, Clone)]
pub struct PaymentLine {
    /// Payment reference (what the citizen quotes in a complaint).
    pub reference: String,
    /// Programme and period.
    pub what: String,
    /// Amount ("Rs 10,500").
    pub amount: String,
    /// Paid, failed, waiting (in the page's language), with the date when paid.
    pub status: String,
    /// Whether it was paid.
    pub paid: bool,
}

/// One complaint.
#[derive(Debug, Clone)]
pub struct GrievanceLine {
    /// Tracking number.
    pub tracking: String,
    /// Its status in plain words (the page's language).
    pub status: String,
}

/// What the other features say about the household, for the status page.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// Eligibility per programme.
    pub eligibility: Vec<EligibilityLine>,
    /// Enrolments.
    pub enrolments: Vec<EnrolmentLine>,
    /// Payments, newest first.
    pub payments: Vec<PaymentLine>,
    /// Complaints.
    pub grievances: Vec<GrievanceLine>,
}

fn stage(lang: Lang, s: CitizenStage) -> (&'static str, &'static str) {
    match s {
        CitizenStage::BeingSurveyed => (WAIT, lang.t(tx::BEING_SURVEYED)),
        CitizenStage::UnderReview => (WAIT, lang.t(tx::UNDER_REVIEW)),
        CitizenStage::BeingCorrected => (WAIT, lang.t(tx::BEING_CORRECTED)),
        CitizenStage::Accepted => (YES, lang.t(tx::ACCEPTED)),
        CitizenStage::NotAccepted => (NO, lang.t(tx::NOT_ACCEPTED)),
    }
}

/// The household's page.
pub fn status(lang: Lang, v: &CitizenView, extras: &Extras, token: &str) -> Markup {
    let (icon, words) = stage(lang, v.stage);
    let areas = v.area_names.join(" › ");
    let when = (v.surveyed_at + chrono::Duration::hours(5))
        .format("%d-%m-%Y")
        .to_string();
    page(
        lang,
        tx::TITLE,
        html! {
            h1 { (lang.t(tx::SITE)) }
            p { (lang.t(tx::REFERENCE)) ": " strong dir="ltr" data-testid="reference" { (v.reference) } }
            h2 { (lang.t(tx::SURVEYED)) }
            p data-testid="surveyed" { (YES) " " span dir="ltr" { (when) } " · " (areas) }
            h2 { (lang.t(tx::STATUS)) }
            p.big data-testid="stage" { (icon) " " (words) }
            @if v.stage == CitizenStage::NotAccepted { p { (lang.t(tx::APPEAL)) } }
            h2 { (lang.t(tx::ELIGIBILITY)) }
            @if extras.eligibility.is_empty() { p { (lang.t(tx::NOTHING_YET)) } }
            ul data-testid="eligibility" {
                @for e in &extras.eligibility {
                    li { (if e.eligible { YES } else { NO }) " " strong { (e.programme) } ": "
                        (lang.t(if e.eligible { tx::ELIGIBLE } else { tx::NOT_ELIGIBLE })) ". " (e.reason)
                        @if !e.eligible { " " (lang.t(tx::APPEAL)) } }
                }
            }
            h2 { (lang.t(tx::PROGRAMMES)) }
            @if extras.enrolments.is_empty() { p { (lang.t(tx::NOTHING_YET)) } }
            ul data-testid="enrolments" { @for e in &extras.enrolments { li { (e.programme) ": " (e.status) } } }
            h2 { (lang.t(tx::PAYMENTS)) }
            @if extras.payments.is_empty() { p { (lang.t(tx::NOTHING_YET)) } }
            ul data-testid="payments" {
                @for p in &extras.payments {
                    li { (if p.paid { YES } else { WAIT }) " " span dir="ltr" { (p.amount) } " · " (p.what) " · " (p.status)
                        " " small dir="ltr" { (p.reference) } }
                }
            }
            h2 { (lang.t(tx::GRIEVANCES)) }
            @if extras.grievances.is_empty() { p { (lang.t(tx::NOTHING_YET)) } }
            ul data-testid="grievances" {
                @for g in &extras.grievances { li { strong dir="ltr" { (g.tracking) } ": " (g.status) } }
            }
            h2 { (lang.t(tx::MEMBERS)) }
            ul data-testid="members" {
                @for m in &v.members { li { span dir="auto" { (m.name) } @if m.is_you { " " (lang.t(tx::YOU)) } } }
            }
            (complaint_form(lang, token, &extras.payments, None))
        },
    )
}

/// The form to report a problem about the household just found.
pub fn complaint_form(
    lang: Lang,
    token: &str,
    payments: &[PaymentLine],
    error: Option<Tx>,
) -> Markup {
    let kinds = [
        ("not_paid", tx::NOT_PAID),
        ("paid_less", tx::PAID_LESS),
        ("wrong_data", tx::WRONG_DATA),
        ("excluded_wrongly", tx::EXCLUDED),
    ];
    html! {
        h2 id="report" { (lang.t(tx::REPORT)) }
        @if let Some(e) = error { p.err role="alert" data-testid="error" { (NO) " " (lang.t(e)) } }
        form method="post" action="/status/report" {
            input type="hidden" name="lang" value=(lang.code());
            input type="hidden" name="token" value=(token);
            fieldset {
                legend { (lang.t(tx::REPORT)) }
                @for (i, (value, label)) in kinds.iter().enumerate() {
                    @let id = format!("k{i}");
                    input type="radio" id=(id) name="category" value=(value) data-testid={ "category-" (value) };
                    " " label for=(id) style="display:inline;font-weight:normal" { (lang.t(*label)) } br;
                }
            }
            @if !payments.is_empty() {
                label for="payment" { (lang.t(tx::WHICH_PAYMENT)) }
                select id="payment" name="payment" data-testid="payment" {
                    option value="" { "—" }
                    @for p in payments { option value=(p.reference) { (p.amount) " · " (p.what) } }
                }
            }
            label for="received" { (lang.t(tx::RECEIVED)) }
            input id="received" name="received" inputmode="numeric" maxlength="12" data-testid="received";
            label for="phone" { (lang.t(tx::PHONE)) }
            input id="phone" name="phone" inputmode="tel" maxlength="16" data-testid="phone";
            label for="text" { (lang.t(tx::DETAILS)) }
            textarea id="text" name="text" rows="3" cols="28" maxlength="500" data-testid="text" {}
            br;
            button type="submit" data-testid="send" { (lang.t(tx::SEND)) }
        }
    }
}

/// The complaint was registered: its tracking number.
pub fn filed(lang: Lang, tracking: &str) -> Markup {
    page(
        lang,
        tx::FILED_TITLE,
        html! {
            h1 { (YES) " " (lang.t(tx::FILED_TITLE)) }
            p { (lang.t(tx::TRACKING)) ":" }
            p.big dir="ltr" data-testid="tracking" { (tracking) }
            p { (lang.t(tx::FILED)) }
            p { a href={ "/status?lang=" (lang.code()) } { (lang.t(tx::BACK)) } }
        },
    )
}

/// A complaint that cannot be taken as sent (expired page, missing category).
pub fn complaint_problem(lang: Lang, token: Option<&str>, error: Tx) -> Markup {
    page(
        lang,
        tx::REPORT,
        html! {
            @match token {
                Some(t) => { (complaint_form(lang, t, &[], Some(error))) }
                None => {
                    h1 { (lang.t(tx::REPORT)) }
                    p.err role="alert" data-testid="error" { (NO) " " (lang.t(error)) }
                    p { a href={ "/status?lang=" (lang.code()) } { (lang.t(tx::TRY_AGAIN)) } }
                }
            }
        },
    )
}
