//! The dashboards page: coverage of the area looked at and each area one level down (enumerated
//! against the target, as a percentage and a bar, each row a link one level further down to the
//! union councils), the district map coloured by coverage, households by status, and the PMT
//! distribution with the programmes' thresholds drawn. Every chart has its figures in a table or a
//! "download CSV" link, and says "no data yet" when there is nothing to draw. Texts of this view are
//! [`DB`], beside it.

use super::charts;
use super::layout::{page, Chrome};
use crate::district_map::{self, Figures};
use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_domain::{AreaLevel, Status};
use shumari_registry::service::{AreaCoverage, CoverageReport, PmtHistogram};

texts! {
    pub enum DB;
    Title => "Dashboards", "ڈیش بورڈ";
    AllAreas => "All your areas", "آپ کے تمام علاقے";
    Coverage => "Coverage", "احاطہ";
    Area => "Area", "علاقہ";
    Households => "Households", "گھرانے";
    Enumerated => "Enumerated", "شمار شدہ";
    Target => "Target", "ہدف";
    Percent => "Coverage %", "احاطہ %";
    Total => "Total", "کل";
    Here => "Recorded at this area itself", "اسی علاقے میں درج";
    NoData => "No data yet.", "ابھی کوئی ڈیٹا نہیں۔";
    NoTarget => "no target", "کوئی ہدف نہیں";
    DownloadCsv => "Download CSV", "CSV ڈاؤن لوڈ کریں";
    Map => "Coverage by district", "ضلع وار احاطہ";
    MapOut => "outside your areas", "آپ کے علاقوں سے باہر";
    Legend => "Share of the target enumerated", "ہدف کا شمار شدہ حصہ";
    ByStatus => "Households by status", "حیثیت کے لحاظ سے گھرانے";
    Pmt => "PMT score distribution", "پی ایم ٹی اسکور کی تقسیم";
    Score => "PMT score", "پی ایم ٹی اسکور";
    Scored => "Households scored", "اسکور شدہ گھرانے";
    Thresholds => "Programme thresholds", "پروگرام کی حدیں";
    Model => "Model", "ماڈل";
}

/// `?area=CODE` (nothing for the user's areas together).
fn area_query(area: Option<&str>) -> String {
    crate::views::query(&[("area", area.unwrap_or(""))])
}

fn area_name(lang: Lang, a: &AreaCoverage, parent: &str) -> String {
    if a.code == parent {
        return lang.t(DB::Here).to_string();
    }
    match &a.name {
        Some(n) => format!("{n} ({})", a.code),
        None => a.code.clone(),
    }
}

fn percent(lang: Lang, a: &AreaCoverage) -> Markup {
    match a.percent() {
        Some(p) => html! {
            (format!("{p:.0}%")) " "
            meter min="0" max="100" value=(format!("{:.1}", p.min(100.0))) { (format!("{p:.0}%")) }
        },
        None => html! { span.no-data { (lang.t(DB::NoTarget)) } },
    }
}

fn coverage_row(lang: Lang, a: &AreaCoverage, parent: &str, total: bool) -> Markup {
    html! {
        tr data-testid=(if total { "coverage-total".to_string() } else { format!("coverage-{}", a.code) }) {
            td {
                @if total { strong { (lang.t(DB::Total)) } }
                @else if a.drillable {
                    a href=(format!("/console/dashboards{}", area_query(Some(&a.code)))) { (area_name(lang, a, parent)) }
                } @else { (area_name(lang, a, parent)) }
            }
            td.num { (a.households()) }
            td.num data-testid="enumerated" { (a.enumerated) }
            td.num data-testid="target" { @if let Some(t) = a.target { (t) } @else { "–" } }
            td { (percent(lang, a)) }
        }
    }
}

/// The page.
pub fn dashboards(
    c: &Chrome<'_>,
    cov: &CoverageReport,
    districts: Option<&[AreaCoverage]>,
    pmt: &PmtHistogram,
    more: Markup,
) -> Markup {
    let lang = c.lang;
    let here = cov.area.as_deref();
    let parent = cov.total.code.as_str();
    let title = match (&cov.total.name, here) {
        (Some(n), _) => format!("{} · {n}", lang.t(DB::Title)),
        (None, Some(code)) => format!("{} · {code}", lang.t(DB::Title)),
        (None, None) => lang.t(DB::Title).to_string(),
    };
    let empty = cov.total.households() == 0 && cov.total.target.is_none();
    page(
        c,
        &title,
        html! {
            nav.crumbs data-testid="crumbs" {
                a href="/console/dashboards" { (lang.t(DB::AllAreas)) }
                @for (code, name) in &cov.path {
                    " " a href=(format!("/console/dashboards{}", area_query(Some(code)))) { (name.as_deref().unwrap_or(code)) }
                }
            }
            section data-testid="coverage" {
                h2 { (lang.t(DB::Coverage)) }
                @if empty {
                    p.no-data data-testid="coverage-no-data" { (lang.t(DB::NoData)) }
                } @else {
                    table {
                        thead { tr {
                            th { (lang.t(DB::Area)) } th.num { (lang.t(DB::Households)) }
                            th.num { (lang.t(DB::Enumerated)) } th.num { (lang.t(DB::Target)) } th { (lang.t(DB::Percent)) }
                        } }
                        tbody {
                            @for r in &cov.rows { (coverage_row(lang, r, parent, false)) }
                            (coverage_row(lang, &cov.total, parent, true))
                        }
                    }
                }
                p { a href=(format!("/console/dashboards/coverage.csv{}", area_query(here))) data-testid="coverage-csv" download { (lang.t(DB::DownloadCsv)) } }
            }
            @if let Some(districts) = districts {
                section data-testid="map" {
                    h2 { (lang.t(DB::Map)) }
                    @if districts.is_empty() {
                        p.no-data { (lang.t(DB::NoData)) }
                    } @else {
                        (map(lang, districts))
                    }
                }
            }
            section data-testid="by-status" {
                h2 { (lang.t(DB::ByStatus)) }
                @if cov.total.households() == 0 {
                    p.no-data { (lang.t(DB::NoData)) }
                } @else {
                    @let labels: Vec<String> = Status::ALL.iter().map(|s| lang.status(*s).to_string()).collect();
                    @let values: Vec<u64> = Status::ALL.iter().map(|s| cov.total.by_status.get(s).copied().unwrap_or(0)).collect();
                    (charts::bars(lang.t(DB::ByStatus), &labels, &values))
                }
            }
            section data-testid="pmt" {
                h2 { (lang.t(DB::Pmt)) }
                p { (lang.t(DB::Scored)) ": " span data-testid="pmt-scored" { (pmt.scored()) } " · " (lang.t(DB::Model)) ": " span dir="ltr" { (pmt.model_version) } }
                @if pmt.scored() == 0 {
                    p.no-data data-testid="pmt-no-data" { (lang.t(DB::NoData)) }
                } @else {
                    @let lines: Vec<(String, f64)> = pmt.thresholds.iter().map(|t| (if lang == Lang::Ur { t.label_ur.clone() } else { t.label_en.clone() }, t.score)).collect();
                    (charts::histogram(lang.t(DB::Pmt), &pmt.buckets, &lines, lang.t(DB::Score), lang.t(DB::Households)))
                    h3 { (lang.t(DB::Thresholds)) }
                    ul { @for (name, score) in &lines { li { (name) " ≤ " (score) } } }
                }
                p { a href=(format!("/console/dashboards/pmt.csv{}", area_query(here))) data-testid="pmt-csv" download { (lang.t(DB::DownloadCsv)) } }
            }
            (more)
        },
    )
}

fn map(lang: Lang, districts: &[AreaCoverage]) -> Markup {
    let figures: Figures = districts
        .iter()
        .map(|d| (d.code.clone(), (d.enumerated, d.target)))
        .collect();
    html! {
        (district_map::choropleth(&figures, lang.t(DB::Map), |name, f| match f {
            None => format!("{name}: {}", lang.t(DB::MapOut)),
            Some((done, Some(t))) => format!("{name}: {done} / {t}"),
            Some((done, None)) => format!("{name}: {done} ({})", lang.t(DB::NoTarget)),
        }))
        p.legend {
            (lang.t(DB::Legend)) ":"
            span.map-q1 {} "< 25%" span.map-q2 {} "25–50%" span.map-q3 {} "50–75%" span.map-q4 {} "≥ 75%"
            span.map-none {} (lang.t(DB::NoTarget))
        }
    }
}

/// Whether the page shows the district map: at the top and at a province.
pub fn shows_map(cov: &CoverageReport) -> bool {
    matches!(cov.total.level, None | Some(AreaLevel::Province))
}
