//! The duplicates screens: the district's queue of open cases (a page at a time), one case with its
//! households side by side (each member carrying the case's number highlighted) and the forms that
//! close it (keep the member in one household, data error, not a duplicate), and the possible
//! duplicates of an area with their similarity and reasons, each with a dismiss form. Texts of
//! these screens are [`D`], beside them.

use super::layout::{csrf_field, page, Chrome};
use super::{query, when};
use crate::i18n::{texts, Lang, T};
use maud::{html, Markup};
use shumari_registry::service::{CaseKind, CaseState, DuplicateCase, PossibleDuplicate};
use shumari_registry::HouseholdDetail;

texts! {
    pub enum D;
    Duplicates => "Duplicate cases", "دہرے اندراج کے کیس";
    OpenCases => "Open cases in your areas", "آپ کے علاقوں کے کھلے کیس";
    NoCases => "No open cases.", "کوئی کھلا کیس نہیں۔";
    Case => "Case", "کیس";
    Kind => "What", "نوعیت";
    SharedNumber => "One CNIC/B-form number in several households", "ایک شناختی نمبر کئی گھرانوں میں";
    NotFound => "NADRA did not find the number", "نادرا کو یہ نمبر نہیں ملا";
    Mismatch => "NADRA holds other details", "نادرا کے ریکارڈ میں مختلف تفصیلات";
    MismatchedFields => "Details that differ", "مختلف تفصیلات";
    District => "District", "ضلع";
    Opened => "Opened", "کھلا";
    CaseHouseholds => "Households", "گھرانے";
    OutsideAreas => "outside your areas", "آپ کے علاقوں سے باہر";
    Head => "Head", "سربراہ";
    CarriesNumber => "carries the number", "یہ نمبر رکھتا ہے";
    KeepHere => "Keep the member in this household and remove from the others", "فرد کو اس گھرانے میں رکھیں اور دوسروں سے ہٹا دیں";
    DataError => "The number was recorded wrongly (data error)", "نمبر غلط درج ہوا (ڈیٹا کی غلطی)";
    Dismiss => "Not a duplicate: dismiss", "دہرا اندراج نہیں: خارج کریں";
    Note => "Note", "نوٹ";
    Closed => "This case is closed", "یہ کیس بند ہو چکا ہے";
    StateOpen => "open", "کھلا";
    StateResolved => "resolved", "حل شدہ";
    StateDataError => "data error", "اندراج کی غلطی";
    StateDismissed => "dismissed", "مسترد";
    Resolved => "The case is closed; the tablets receive the change on their next sync.", "کیس بند ہو گیا؛ ٹیبلٹس کو اگلی ہم آہنگی پر تبدیلی مل جائے گی۔";
    Possible => "Possible duplicates", "ممکنہ دہرے اندراج";
    NoPossible => "No possible duplicates in this area.", "اس علاقے میں کوئی ممکنہ دہرا اندراج نہیں۔";
    Similarity => "Names alike", "ناموں کی مماثلت";
    Reasons => "Also shared", "مزید مشترک";
    Phone => "phone number", "فون نمبر";
    Relative => "father's or husband's name", "والد یا شوہر کا نام";
    Gps => "location within 50 m", "50 میٹر کے اندر مقام";
    Dismissed => "The pair is set aside as two households.", "یہ جوڑا دو الگ گھرانوں کے طور پر الگ کر دیا گیا۔";
    Show => "Show", "دکھائیں";
    Next => "Next page", "اگلا صفحہ";
    Previous => "Previous page", "پچھلا صفحہ";
    Households => "Households", "گھرانے";
}

/// What a case is about, in words.
pub fn kind_text(lang: Lang, k: CaseKind) -> &'static str {
    lang.t(match k {
        CaseKind::SharedNumber => D::SharedNumber,
        CaseKind::NotFound => D::NotFound,
        CaseKind::Mismatch => D::Mismatch,
    })
}

fn reason_text(lang: Lang, r: &str) -> &'static str {
    match r {
        "phone" => lang.t(D::Phone),
        "father_or_husband_name" => lang.t(D::Relative),
        "gps" => lang.t(D::Gps),
        _ => "",
    }
}

fn dashed(n: &str) -> String {
    if n.len() == 13 {
        format!("{}-{}-{}", &n[..5], &n[5..12], &n[12..])
    } else {
        n.to_string()
    }
}

fn tabs(lang: Lang, area: &str) -> Markup {
    html! {
        p.tabs {
            a href=(format!("/console/duplicates{}", query(&[("area", area)]))) data-testid="duplicates-queue-link" { (lang.t(D::Duplicates)) }
            " · "
            a href=(format!("/console/duplicates/possible{}", query(&[("area", area)]))) data-testid="possible-link" { (lang.t(D::Possible)) }
        }
    }
}

fn area_form(lang: Lang, action: &str, area: &str) -> Markup {
    html! {
        form.filters method="get" action=(action) data-testid="area-filter" {
            label { (lang.t(T::Area)) " " input type="text" name="area" value=(area) dir="ltr" data-testid="filter-area"; }
            button type="submit" data-testid="filter-apply" { (lang.t(D::Show)) }
        }
    }
}

/// The queue: `cases` is one page; `page` its number (0-based), `more` whether another follows.
pub fn queue(
    c: &Chrome<'_>,
    area: &str,
    cases: &[DuplicateCase],
    page_no: usize,
    more: bool,
) -> Markup {
    let lang = c.lang;
    let link = |p: usize| {
        let p = p.to_string();
        format!(
            "/console/duplicates{}",
            query(&[("area", area), ("page", if p == "0" { "" } else { &p })])
        )
    };
    page(
        c,
        lang.t(D::Duplicates),
        html! {
            (tabs(lang, area))
            (area_form(lang, "/console/duplicates", area))
            h2 { (lang.t(D::OpenCases)) }
            @if cases.is_empty() {
                p data-testid="no-cases" { (lang.t(D::NoCases)) }
            } @else {
                table data-testid="cases" {
                    thead { tr {
                        th { (lang.t(D::Case)) } th { (lang.t(D::Kind)) } th { (lang.t(T::Cnic)) }
                        th { (lang.t(D::District)) } th { (lang.t(D::Opened)) } th { (lang.t(D::CaseHouseholds)) }
                    } }
                    tbody { @for k in cases {
                        tr data-testid="case-row" data-case=(k.id) {
                            td { a href=(format!("/console/duplicates/{}", k.id)) data-testid="case-link" dir="ltr" { (k.id) } }
                            td data-testid="case-kind" data-kind=(k.kind.as_str()) { (kind_text(lang, k.kind)) }
                            td dir="ltr" { (dashed(&k.id_number)) }
                            td dir="ltr" { (k.area) }
                            td dir="ltr" { (when(&k.opened_at)) }
                            td { @for (i, h) in k.households.iter().enumerate() {
                                @if i > 0 { ", " }
                                @match &h.household {
                                    Some(r) => span dir="ltr" { (r.reference) },
                                    None => span.muted { (lang.t(D::OutsideAreas)) },
                                }
                            } }
                        }
                    } }
                }
            }
            p.pager {
                @if page_no > 0 { a href=(link(page_no - 1)) data-testid="page-previous" { (lang.t(D::Previous)) } " " }
                @if more { a href=(link(page_no + 1)) data-testid="page-next" { (lang.t(D::Next)) } }
            }
        },
    )
}

/// One household of a case, as a column.
fn household_column(lang: Lang, number: &str, d: &HouseholdDetail, kept: bool) -> Markup {
    let h = &d.household;
    html! {
        div.case-household data-testid="case-household" data-household=(h.id) {
            h3 { a href=(format!("/console/households/{}", h.id)) dir="ltr" data-testid="case-household-link" { (h.reference) } }
            dl {
                dt { (lang.t(T::Area)) } dd dir="ltr" { (h.area) }
                dt { (lang.t(T::Status)) } dd data-testid="case-household-status" { (lang.status(h.status)) }
                dt { (lang.t(D::Head)) } dd { (h.head().map(|m| m.name.as_str()).unwrap_or("")) }
            }
            @if kept { p.notice { (lang.t(D::Resolved)) } }
            table {
                thead { tr { th { (lang.t(T::Line)) } th { (lang.t(T::Name)) } th { (lang.t(T::Relation)) } th { (lang.t(T::Cnic)) } } }
                tbody { @for m in &h.members {
                    @let shared = m.id_number.as_ref().is_some_and(|n| n.digits() == number);
                    tr class=[shared.then_some("shared")] data-testid=(if shared { "shared-member" } else { "case-member" }) {
                        td { (m.line) }
                        td { (m.name) @if shared { " " strong { "(" (lang.t(D::CarriesNumber)) ")" } } }
                        td { (super::relation(lang, &m.relation)) }
                        td dir="ltr" { (m.id_number.as_ref().map(|n| n.dashed()).unwrap_or_default()) }
                    }
                } }
            }
        }
    }
}

/// A case with its households side by side; `households` are those in the user's areas, read in
/// full. `error` is a refused resolution's reason; `done` that it was just closed.
pub fn case(
    c: &Chrome<'_>,
    k: &DuplicateCase,
    households: &[HouseholdDetail],
    error: Option<&str>,
    done: bool,
) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    let action = format!("/console/duplicates/{}/resolve", k.id);
    let open = k.state == shumari_registry::service::CaseState::Open;
    let title = format!("{} {}", lang.t(D::Case), k.id);
    page(
        c,
        &title,
        html! {
            (tabs(lang, ""))
            @if done { p.notice role="status" data-testid="case-resolved" { (lang.t(D::Resolved)) } }
            @if let Some(e) = error { p.error role="alert" data-testid="resolve-error" { (e) } }
            dl.summary {
                dt { (lang.t(D::Kind)) } dd data-testid="case-kind" data-kind=(k.kind.as_str()) { (kind_text(lang, k.kind)) }
                dt { (lang.t(T::Cnic)) } dd dir="ltr" data-testid="case-number" { (dashed(&k.id_number)) }
                @if let Some(f) = &k.detail { dt { (lang.t(D::MismatchedFields)) } dd dir="ltr" data-testid="case-detail" { (f.replace(';', ", ")) } }
                dt { (lang.t(D::District)) } dd dir="ltr" { (k.area) }
                dt { (lang.t(D::Opened)) } dd dir="ltr" { (when(&k.opened_at)) }
                dt { (lang.t(T::Status)) } dd data-testid="case-state" data-state=(k.state.as_str()) { (lang.t(match k.state {
                    CaseState::Open => D::StateOpen,
                    CaseState::Resolved => D::StateResolved,
                    CaseState::DataError => D::StateDataError,
                    CaseState::Dismissed => D::StateDismissed,
                })) }
            }
            div.side-by-side data-testid="case-households" {
                @for d in households {
                    div {
                        (household_column(lang, &k.id_number, d, k.kept == Some(d.household.id)))
                        @if open && k.kind == CaseKind::SharedNumber && households.len() > 1 {
                            form method="post" action=(action) data-testid="keep-form" {
                                (csrf_field(csrf))
                                input type="hidden" name="resolution" value="keep";
                                input type="hidden" name="household" value=(d.household.id);
                                button type="submit" data-testid="keep" { (lang.t(D::KeepHere)) }
                            }
                        }
                    }
                }
            }
            @if open {
                form method="post" action=(action) data-testid="close-form" {
                    (csrf_field(csrf))
                    label { (lang.t(D::Note)) " " textarea name="note" rows="2" data-testid="note" {} }
                    button type="submit" name="resolution" value="data_error" data-testid="data-error" { (lang.t(D::DataError)) }
                    " "
                    button type="submit" name="resolution" value="dismiss" data-testid="dismiss" { (lang.t(D::Dismiss)) }
                }
            } @else {
                p data-testid="case-closed" { (lang.t(D::Closed)) }
            }
        },
    )
}

/// The possible duplicates of `area`; `dismissed` when a pair was just set aside.
pub fn possible(
    c: &Chrome<'_>,
    area: &str,
    pairs: &[PossibleDuplicate],
    dismissed: bool,
) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    page(
        c,
        lang.t(D::Possible),
        html! {
            (tabs(lang, area))
            (area_form(lang, "/console/duplicates/possible", area))
            @if dismissed { p.notice role="status" data-testid="pair-dismissed" { (lang.t(D::Dismissed)) } }
            @if pairs.is_empty() {
                p data-testid="no-possible" { (lang.t(D::NoPossible)) }
            } @else {
                table data-testid="possible" {
                    thead { tr {
                        th { (lang.t(D::Households)) } th { (lang.t(D::Head)) } th { (lang.t(D::Similarity)) }
                        th { (lang.t(D::Reasons)) } th {}
                    } }
                    tbody { @for p in pairs {
                        @let [a, b] = &p.households;
                        tr data-testid="possible-row" {
                            td { a href=(format!("/console/households/{}", a.id)) dir="ltr" { (a.reference) } " / "
                                 a href=(format!("/console/households/{}", b.id)) dir="ltr" { (b.reference) } }
                            td { (a.head_name.as_deref().unwrap_or("")) " / " (b.head_name.as_deref().unwrap_or("")) }
                            td dir="ltr" data-testid="similarity" { (format!("{:.2}", p.name_similarity)) }
                            td data-testid="reasons" { @for (i, r) in p.also.iter().enumerate() { @if i > 0 { ", " } (reason_text(lang, r)) } }
                            td {
                                form method="post" action="/console/duplicates/possible/dismiss" data-testid="dismiss-possible-form" {
                                    (csrf_field(csrf))
                                    input type="hidden" name="a" value=(a.id);
                                    input type="hidden" name="b" value=(b.id);
                                    input type="hidden" name="area" value=(area);
                                    label { (lang.t(D::Note)) " " input type="text" name="note" data-testid="dismiss-note"; }
                                    button type="submit" data-testid="dismiss-possible" { (lang.t(D::Dismiss)) }
                                }
                            }
                        }
                    } }
                }
            }
        },
    )
}
