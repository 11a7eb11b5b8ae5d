//! The dashboards' targeting and delivery sections, over the area the page looks at (all of the
//! user's areas without one; each CSV link carries the same `?area=`): households
//! eligible and enrolled per programme, each payment cycle's payments planned against paid, failed
//! and not yet answered, and grievances per category with those past their SLA. Each section is a
//! chart with its numbers in a table beside it and a "download CSV" link, says "no data yet" when
//! there is nothing to count, and is left out for a role that may not read its feature. Texts of
//! this view are [`DL`], beside it.

use super::charts;
use super::grievances::category_text;
use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_registry::service::{CategoryTally, CycleProgress, ProgrammeReach};

texts! {
    pub enum DL;
    Delivery => "Targeting and delivery", "ہدف بندی اور ترسیل";
    InAllAreas => "In all your areas.", "آپ کے تمام علاقوں میں۔";
    InThisArea => "In the area shown above.", "اوپر دکھائے گئے علاقے میں۔";
    Programmes => "Eligible and enrolled households per programme", "ہر پروگرام میں اہل اور شامل گھرانے";
    Programme => "Programme", "پروگرام";
    Eligible => "Eligible", "اہل";
    Enrolled => "Enrolled", "شامل";
    Payments => "Payments per cycle", "ہر مرحلے کی ادائیگیاں";
    Cycle => "Cycle", "مرحلہ";
    Period => "Period", "مدت";
    Planned => "Planned", "طے شدہ";
    Paid => "Paid", "ادا شدہ";
    Failed => "Failed", "ناکام";
    Unanswered => "No result yet", "ابھی کوئی نتیجہ نہیں";
    Grievances => "Grievances by category", "زمرہ وار شکایات";
    Category => "Category", "زمرہ";
    Filed => "Filed", "درج شدہ";
    Unresolved => "Unresolved", "غیر حل شدہ";
    PastSla => "Past their SLA", "مقررہ مدت سے تجاوز";
    NoData => "No data yet.", "ابھی کوئی ڈیٹا نہیں۔";
    DownloadCsv => "Download CSV", "CSV ڈاؤن لوڈ کریں";
}

/// What the sections show; `None`: the user's role does not read that feature (section left out).
#[derive(Debug, Default)]
pub struct Delivery {
    /// Households per programme.
    pub programmes: Option<Vec<ProgrammeReach>>,
    /// Payments per cycle.
    pub payments: Option<Vec<CycleProgress>>,
    /// Grievances per category.
    pub grievances: Option<Vec<CategoryTally>>,
}

fn csv_link(lang: Lang, name: &str, area: Option<&str>) -> Markup {
    let href = format!(
        "/console/dashboards/{name}.csv{}",
        super::query(&[("area", area.unwrap_or(""))])
    );
    html! {
        p { a href=(href) data-testid=(format!("{name}-csv")) download { (lang.t(DL::DownloadCsv)) } }
    }
}

fn no_data(lang: Lang, id: &str) -> Markup {
    html! { p.no-data data-testid=(format!("{id}-no-data")) { (lang.t(DL::NoData)) } }
}

/// The sections of `area` (`None`: all the user's areas).
pub fn delivery(lang: Lang, d: &Delivery, area: Option<&str>) -> Markup {
    if d.programmes.is_none() && d.payments.is_none() && d.grievances.is_none() {
        return html! {};
    }
    html! {
        h2 data-testid="delivery" { (lang.t(DL::Delivery)) }
        p { (lang.t(if area.is_some() { DL::InThisArea } else { DL::InAllAreas })) }
        @if let Some(p) = &d.programmes { (programmes(lang, p, area)) }
        @if let Some(p) = &d.payments { (payments(lang, p, area)) }
        @if let Some(g) = &d.grievances { (grievances(lang, g, area)) }
    }
}

fn programmes(lang: Lang, rows: &[ProgrammeReach], area: Option<&str>) -> Markup {
    let name = |p: &ProgrammeReach| {
        if lang == Lang::Ur {
            p.name_ur.clone()
        } else {
            p.name_en.clone()
        }
    };
    html! {
        section data-testid="programmes" {
            h3 { (lang.t(DL::Programmes)) }
            @if rows.iter().all(|p| p.eligible == 0 && p.enrolled == 0) {
                (no_data(lang, "programmes"))
            } @else {
                @let labels: Vec<String> = rows.iter().flat_map(|p| [format!("{} · {}", name(p), lang.t(DL::Eligible)), format!("{} · {}", name(p), lang.t(DL::Enrolled))]).collect();
                @let values: Vec<u64> = rows.iter().flat_map(|p| [p.eligible, p.enrolled]).collect();
                (charts::bars(lang.t(DL::Programmes), &labels, &values))
                table {
                    thead { tr { th { (lang.t(DL::Programme)) } th.num { (lang.t(DL::Eligible)) } th.num { (lang.t(DL::Enrolled)) } } }
                    tbody {
                        @for p in rows {
                            tr data-testid=(format!("programme-{}", p.id)) {
                                td { (name(p)) }
                                td.num data-testid="eligible" { (p.eligible) }
                                td.num data-testid="enrolled" { (p.enrolled) }
                            }
                        }
                    }
                }
            }
            (csv_link(lang, "programmes", area))
        }
    }
}

fn payments(lang: Lang, rows: &[CycleProgress], area: Option<&str>) -> Markup {
    html! {
        section data-testid="payments" {
            h3 { (lang.t(DL::Payments)) }
            @if rows.is_empty() {
                (no_data(lang, "payments"))
            } @else {
                @let labels: Vec<String> = rows.iter().flat_map(|c| [
                    format!("{} · {}", c.period, lang.t(DL::Paid)),
                    format!("{} · {}", c.period, lang.t(DL::Failed)),
                    format!("{} · {}", c.period, lang.t(DL::Unanswered)),
                ]).collect();
                @let values: Vec<u64> = rows.iter().flat_map(|c| [c.paid, c.failed, c.unanswered]).collect();
                (charts::bars(lang.t(DL::Payments), &labels, &values))
                table {
                    thead { tr {
                        th { (lang.t(DL::Cycle)) } th { (lang.t(DL::Programme)) } th { (lang.t(DL::Period)) }
                        th.num { (lang.t(DL::Planned)) } th.num { (lang.t(DL::Paid)) } th.num { (lang.t(DL::Failed)) } th.num { (lang.t(DL::Unanswered)) }
                    } }
                    tbody {
                        @for c in rows {
                            tr data-testid=(format!("cycle-{}", c.cycle)) {
                                td dir="ltr" { (c.cycle) } td dir="ltr" { (c.programme_id) } td dir="ltr" { (c.period) }
                                td.num data-testid="planned" { (c.planned) }
                                td.num data-testid="paid" { (c.paid) }
                                td.num data-testid="failed" { (c.failed) }
                                td.num data-testid="unanswered" { (c.unanswered) }
                            }
                        }
                    }
                }
            }
            (csv_link(lang, "payments", area))
        }
    }
}

fn grievances(lang: Lang, rows: &[CategoryTally], area: Option<&str>) -> Markup {
    html! {
        section data-testid="grievances" {
            h3 { (lang.t(DL::Grievances)) }
            @if rows.is_empty() {
                (no_data(lang, "grievances"))
            } @else {
                @let labels: Vec<String> = rows.iter().map(|g| category_text(lang, g.category).to_string()).collect();
                @let values: Vec<u64> = rows.iter().map(|g| g.total).collect();
                (charts::bars(lang.t(DL::Grievances), &labels, &values))
                table {
                    thead { tr {
                        th { (lang.t(DL::Category)) } th.num { (lang.t(DL::Filed)) }
                        th.num { (lang.t(DL::Unresolved)) } th.num { (lang.t(DL::PastSla)) }
                    } }
                    tbody {
                        @for g in rows {
                            tr data-testid=(format!("grievances-{}", g.category.as_str())) {
                                td { (category_text(lang, g.category)) }
                                td.num data-testid="filed" { (g.total) }
                                td.num data-testid="unresolved" { (g.unresolved) }
                                td.num data-testid="past-sla" { (g.past_sla) }
                            }
                        }
                    }
                }
            }
            (csv_link(lang, "grievances", area))
        }
    }
}
