//! Forms besides the household questionnaire in the console: the list of forms published to the
//! user's areas with their versions (and, for an administrator, the form that publishes one by
//! upload, with the forms crate's located errors when it is refused), a form's page: its
//! reports per site per day within the user's areas, the reports missing, and the reports of those
//! days with where each stands; and a report's page: its chain of corrections, each report with
//! its answers and decisions (who, when, the note), and for a reviewer the decision form. Texts of
//! this view are [`F`], beside it.

use super::layout::{csrf_field, page, Chrome};
use crate::i18n::texts;
use maud::{html, Markup};
use shumari_domain::roles::{allows, Action};
use shumari_registry::service::{FormInfo, FormReport, ReportChain, Submission};

texts! {
    pub enum F;
    Title => "Forms", "فارم";
    None => "No form is published to your areas yet.", "آپ کے علاقوں میں ابھی کوئی فارم شائع نہیں ہوا۔";
    Form => "Form", "فارم";
    Versions => "Versions", "ورژن";
    Areas => "Areas", "علاقے";
    Open => "Reports", "رپورٹیں";
    Publish => "Publish a form", "فارم شائع کریں";
    PublishHelp => "An XLSForm (.xlsx) or the TOML text format. Tablets of these areas receive it with their next sync; every version is kept.", "XLSForm (.xlsx) یا TOML متن۔ ان علاقوں کے ٹیبلٹ اگلے سنک پر اسے وصول کریں گے؛ ہر ورژن محفوظ رہتا ہے۔";
    File => "Form file", "فارم فائل";
    AreaCodes => "Area codes (separated by spaces)", "علاقوں کے کوڈ (خالی جگہ سے الگ)";
    Submit => "Publish", "شائع کریں";
    Refused => "The form was not published", "فارم شائع نہیں ہوا";
    Published => "Published", "شائع ہو گیا";
    Site => "Site", "مرکز";
    Area => "Area", "علاقہ";
    Total => "Reports in these days", "ان دنوں کی رپورٹیں";
    Missing => "Missing reports", "غائب رپورٹیں";
    NoMissing => "Every site reported every day.", "ہر مرکز نے ہر دن رپورٹ دی۔";
    NoSite => "no site has reported", "کسی مرکز نے رپورٹ نہیں دی";
    NoReports => "No report in these days.", "ان دنوں میں کوئی رپورٹ نہیں۔";
    From => "From", "سے";
    Until => "Until", "تک";
    Show => "Show", "دکھائیں";
    Reports => "Reports of these days", "ان دنوں کی رپورٹیں";
    Day => "Day", "دن";
    Status => "Status", "حیثیت";
    OpenReport => "Open", "کھولیں";
    Report => "Report", "رپورٹ";
    Chain => "Reports and corrections, oldest first", "رپورٹیں اور درستیاں، پرانی پہلے";
    Replaces => "Corrects the report above", "اوپر والی رپورٹ کی درستی";
    Answers => "Answers", "جوابات";
    Decisions => "Decisions", "فیصلے";
    NoDecision => "Not reviewed yet.", "ابھی جائزہ نہیں ہوا۔";
    Decide => "Review", "جائزہ";
    Note => "Note (required to return or reject)", "نوٹ (واپس یا مسترد کرنے کے لیے ضروری)";
    Approve => "Approve", "منظور کریں";
    Return => "Return with the note", "نوٹ کے ساتھ واپس کریں";
    Reject => "Reject", "مسترد کریں";
    Decided => "The decision is recorded; the tablet that sent the report receives it with its next sync.", "فیصلہ محفوظ ہو گیا؛ رپورٹ بھیجنے والا ٹیبلٹ اگلے سنک پر اسے وصول کرے گا۔";
    NoDecisionNow => "No decision can be made on this report now.", "اس رپورٹ پر ابھی کوئی فیصلہ نہیں ہو سکتا۔";
    StatusSubmitted => "submitted", "جمع شدہ";
    StatusApproved => "approved", "منظور";
    StatusReturned => "returned", "واپس";
    StatusRejected => "rejected", "مسترد";
    StatusReplaced => "replaced by a correction", "درستی سے بدلی گئی";
}

/// A report's status in words.
fn status_text(lang: crate::i18n::Lang, status: &str) -> String {
    match status {
        "submitted" => lang.t(F::StatusSubmitted).to_string(),
        "approved" => lang.t(F::StatusApproved).to_string(),
        "returned" => lang.t(F::StatusReturned).to_string(),
        "rejected" => lang.t(F::StatusRejected).to_string(),
        "replaced" => lang.t(F::StatusReplaced).to_string(),
        other => other.to_string(),
    }
}

/// What a report's page shows besides the report.
#[derive(Debug)]
pub struct ReportState<'a> {
    /// The user reviews (the role table's review steps).
    pub may_review: bool,
    /// A decision was just recorded.
    pub decided: bool,
    /// Why the last decision was refused.
    pub error: Option<&'a str>,
}

/// The list of forms, with the publish form for an administrator; `outcome` is the last
/// publication's result (`Ok`: what was published; `Err`: why it was refused, a line per problem).
pub fn list(c: &Chrome<'_>, forms: &[FormInfo], outcome: Option<Result<String, String>>) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    let publisher = c
        .signed
        .is_some_and(|(u, _)| allows(u.role, Action::PublishForms));
    page(
        c,
        lang.t(F::Title),
        html! {
            @match &outcome {
                Some(Ok(what)) => p.note role="status" data-testid="form-published" { (lang.t(F::Published)) ": " bdi dir="ltr" { (what) } },
                Some(Err(why)) => div.error role="alert" data-testid="form-refused" {
                    p { (lang.t(F::Refused)) }
                    ul { @for line in why.lines().filter(|l| !l.trim().is_empty()) { li dir="ltr" { (line.trim()) } } }
                },
                None => {},
            }
            @if forms.is_empty() {
                p data-testid="no-forms" { (lang.t(F::None)) }
            } @else {
                table data-testid="forms" {
                    thead { tr { th { (lang.t(F::Form)) } th { (lang.t(F::Versions)) } th { (lang.t(F::Areas)) } th {} } }
                    tbody {
                        @for f in forms {
                            tr data-testid="form-row" data-form=(f.form_id) {
                                td { (f.title) " " bdi dir="ltr" { (f.form_id) } }
                                td dir="ltr" { (f.versions.iter().map(|v| v.version.as_str()).collect::<Vec<_>>().join(", ")) }
                                td dir="ltr" {
                                    (f.versions.last().map(|v| v.areas.join(", ")).unwrap_or_default())
                                }
                                td { a href=(format!("/console/forms/{}", f.form_id)) data-testid="form-open" { (lang.t(F::Open)) } }
                            }
                        }
                    }
                }
            }
            @if publisher {
                section.card {
                    h2 { (lang.t(F::Publish)) }
                    p.hint { (lang.t(F::PublishHelp)) }
                    form method="post" action="/console/forms/publish" enctype="multipart/form-data" data-testid="form-publish" {
                        (csrf_field(csrf))
                        label { (lang.t(F::File)) " " input type="file" name="file" required accept=".xlsx,.xls,.ods,.toml"; }
                        label { (lang.t(F::AreaCodes)) " " input type="text" name="areas" required dir="ltr"; }
                        button type="submit" { (lang.t(F::Submit)) }
                    }
                }
            }
        },
    )
}

/// A form's page: reports per site per day and the missing ones.
pub fn report(c: &Chrome<'_>, title: &str, r: &FormReport, listed: &[Submission]) -> Markup {
    let lang = c.lang;
    let from = r.days.first().cloned().unwrap_or_default();
    let until = r.days.last().cloned().unwrap_or_default();
    page(
        c,
        title,
        html! {
            form method="get" action=(format!("/console/forms/{}", r.form_id)) data-testid="form-days" {
                label { (lang.t(F::From)) " " input type="date" name="from" value=(from); }
                label { (lang.t(F::Until)) " " input type="date" name="until" value=(until); }
                button type="submit" { (lang.t(F::Show)) }
            }
            p { (lang.t(F::Total)) ": " strong data-testid="form-total" { (r.total) } }
            @if r.sites.is_empty() {
                p data-testid="no-reports" { (lang.t(F::NoReports)) }
            } @else {
                table data-testid="site-days" {
                    thead { tr {
                        th { (lang.t(F::Area)) } th { (lang.t(F::Site)) }
                        @for d in &r.days { th dir="ltr" { (d) } }
                    } }
                    tbody {
                        @for s in &r.sites {
                            tr data-testid="site-row" data-site=(s.site) {
                                td dir="ltr" { (s.area) } td { (s.site) }
                                @for (d, n) in r.days.iter().zip(&s.per_day) {
                                    td data-day=(d) data-count=(n) class=(if *n == 0 { "missing" } else { "" }) { (n) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t(F::Reports)) }
            @if listed.is_empty() {
                p data-testid="no-listed" { (lang.t(F::NoReports)) }
            } @else {
                table data-testid="reports" {
                    thead { tr { th { (lang.t(F::Day)) } th { (lang.t(F::Area)) } th { (lang.t(F::Site)) } th { (lang.t(F::Status)) } th {} } }
                    tbody {
                        @for x in listed {
                            tr data-testid="listed-report" data-report=(x.id) data-status=(x.status) {
                                td dir="ltr" { (x.day) } td dir="ltr" { (x.area) } td { (x.site) }
                                td { (status_text(lang, &x.status)) }
                                td { a href=(format!("/console/forms/{}/reports/{}", r.form_id, x.id)) data-testid="report-open" { (lang.t(F::OpenReport)) } }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t(F::Missing)) }
            @if r.missing.is_empty() {
                p data-testid="no-missing" { (lang.t(F::NoMissing)) }
            } @else {
                ul data-testid="missing" {
                    @for m in &r.missing {
                        li data-testid="missing-row" data-day=(m.day) data-site=(m.site) {
                            bdi dir="ltr" { (m.day) } " · " bdi dir="ltr" { (m.area) } " · "
                            @if m.site.is_empty() { (lang.t(F::NoSite)) } @else { (m.site) }
                        }
                    }
                }
            }
        },
    )
}

/// A report's page: the chain of corrections it belongs to, oldest first, each with its answers
/// and decisions; the decision form for a reviewer, on the report that stands (the last).
pub fn report_detail(c: &Chrome<'_>, chain: &ReportChain, state: ReportState<'_>) -> Markup {
    let lang = c.lang;
    let stands = chain.chain.last();
    let decidable =
        stands.is_some_and(|x| matches!(x.report.status.as_str(), "submitted" | "approved"));
    let from_submitted = stands.is_some_and(|x| x.report.status == "submitted");
    page(
        c,
        lang.t(F::Report),
        html! {
            @if state.decided { p.notice role="status" data-testid="report-decided" { (lang.t(F::Decided)) } }
            @if let Some(e) = state.error { p.error role="alert" data-testid="report-review-error" { (e) } }
            h2 { (lang.t(F::Chain)) }
            ol data-testid="report-chain" {
                @for x in &chain.chain {
                    li.card data-testid="chain-report" data-report=(x.report.id) data-status=(x.report.status) {
                        p {
                            bdi dir="ltr" { (x.report.day) } " · " (x.report.site) " · "
                            strong data-testid="chain-status" { (status_text(lang, &x.report.status)) }
                        }
                        @if x.report.replaces.is_some() { p.hint data-testid="chain-replaces" { (lang.t(F::Replaces)) } }
                        details open[x.report.id == chain.id] {
                            summary { (lang.t(F::Answers)) }
                            dl {
                                @if let Some(m) = x.report.answers.as_object() {
                                    @for (k, v) in m {
                                        dt dir="ltr" { (k) }
                                        dd { (match v { serde_json::Value::String(s) => s.clone(), other => other.to_string() }) }
                                    }
                                }
                            }
                        }
                        h3 { (lang.t(F::Decisions)) }
                        @if x.decisions.is_empty() {
                            p { (lang.t(F::NoDecision)) }
                        } @else {
                            ul data-testid="decisions" {
                                @for d in &x.decisions {
                                    li data-testid="decision" data-decision=(d.decision) {
                                        (status_text(lang, &d.decision)) " · " strong { (d.by_name) } " · "
                                        span dir="ltr" { (chrono::DateTime::<chrono::Utc>::from_timestamp_millis(d.at).map(|t| super::when(&t)).unwrap_or_default()) }
                                        @if !d.note.is_empty() { blockquote data-testid="decision-note" { (d.note) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if let (true, Some((_, csrf)), Some(x)) = (state.may_review && decidable, c.signed, stands) {
                form.card method="post" action=(format!("/console/forms/{}/reports/{}/review", x.report.form_id, x.report.id)) data-testid="report-review-form" {
                    h2 { (lang.t(F::Decide)) }
                    (csrf_field(csrf))
                    label for="note" { (lang.t(F::Note)) }
                    textarea #note name="note" rows="3" maxlength="2000" data-testid="report-note" {}
                    div.buttons {
                        @if from_submitted {
                            button type="submit" name="decision" value="approved" data-testid="report-approve" { (lang.t(F::Approve)) }
                        }
                        button type="submit" name="decision" value="returned" data-testid="report-return" { (lang.t(F::Return)) }
                        @if from_submitted {
                            button type="submit" name="decision" value="rejected" data-testid="report-reject" { (lang.t(F::Reject)) }
                        }
                    }
                }
            } @else if state.may_review {
                p data-testid="report-no-decision" { (lang.t(F::NoDecisionNow)) }
            }
        },
    )
}
