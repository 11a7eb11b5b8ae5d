//! The scoring page: the PMT model in force and the registry's rescoring runs with their progress
//! (a run started by `shumari registry pmt rescore` or by installing a model). While a run is going
//! the page reloads itself every few seconds with a `<meta http-equiv="refresh">`, so progress moves
//! without any script.

use super::layout::{page, Chrome};
use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_registry::service::PmtJob;

texts! {
    pub enum R;
    Title => "Scoring", "اسکورنگ";
    Model => "Model in force", "نافذ ماڈل";
    Runs => "Rescoring runs", "دوبارہ اسکورنگ";
    NoRuns => "No rescoring run yet: households are scored as they arrive.", "ابھی کوئی دوبارہ اسکورنگ نہیں: گھرانے آتے ہی اسکور ہوتے ہیں۔";
    Started => "Started", "آغاز";
    Finished => "Finished", "اختتام";
    Progress => "Progress", "پیش رفت";
    State => "State", "حالت";
    Running => "running", "جاری";
    Done => "done", "مکمل";
    Failed => "failed", "ناکام";
    RefreshNote => "This page refreshes itself while a run is going.", "دوبارہ اسکورنگ جاری ہونے تک یہ صفحہ خود تازہ ہوتا ہے۔";
}

fn state(lang: Lang, s: &str) -> &'static str {
    lang.t(match s {
        "running" => R::Running,
        "done" => R::Done,
        _ => R::Failed,
    })
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| super::when(&t))
        .unwrap_or_default()
}

/// Whether the page should reload itself (a run is going).
pub fn refreshing(jobs: &[PmtJob]) -> bool {
    jobs.iter().any(|j| j.state == "running")
}

/// The page.
pub fn scoring(c: &Chrome<'_>, model: &str, jobs: &[PmtJob]) -> Markup {
    let lang = c.lang;
    page(
        c,
        lang.t(R::Title),
        html! {
            @if refreshing(jobs) {
                meta http-equiv="refresh" content="5";
                p data-testid="scoring-refreshing" { (lang.t(R::RefreshNote)) }
            }
            dl { dt { (lang.t(R::Model)) } dd dir="ltr" data-testid="scoring-model" { (model) } }
            h2 { (lang.t(R::Runs)) }
            @if jobs.is_empty() {
                p data-testid="scoring-no-runs" { (lang.t(R::NoRuns)) }
            } @else {
                table data-testid="scoring-runs" {
                    thead { tr {
                        th { (lang.t(R::Model)) } th { (lang.t(R::State)) } th { (lang.t(R::Progress)) }
                        th { (lang.t(R::Started)) } th { (lang.t(R::Finished)) }
                    } }
                    tbody {
                        @for j in jobs {
                            tr data-testid="scoring-run" data-state=(j.state) {
                                td dir="ltr" { (j.model_version) }
                                td { (state(lang, j.state)) }
                                td {
                                    progress max=(j.total.max(1)) value=(j.done) aria-label=(lang.t(R::Progress)) {}
                                    " " span dir="ltr" data-testid="scoring-progress" { (j.done) " / " (j.total) }
                                }
                                td dir="ltr" { (time(j.started_at)) }
                                td dir="ltr" { (j.finished_at.map(time).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        },
    )
}
