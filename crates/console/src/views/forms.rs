//! Forms besides the household questionnaire in the console: the list of forms published to the
//! user's areas with their versions (and, for an administrator, the form that publishes one by
//! upload, with the forms crate's located errors when it is refused), and a form's page: its
//! reports per site per day within the user's areas, and the reports missing. Texts of this view
//! are [`F`], beside it.

use super::layout::{csrf_field, page, Chrome};
use crate::i18n::texts;
use maud::{html, Markup};
use shumari_domain::roles::{allows, Action};
use shumari_registry::service::{FormInfo, FormReport};

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
pub fn report(c: &Chrome<'_>, title: &str, r: &FormReport) -> Markup {
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
