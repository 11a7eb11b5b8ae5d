//! The data-quality flags on the console's pages: the "Flagged" queue on the home page, the flag
//! filter and each row's marker in the household list, and on a household's page every flag with
//! its reason and the paradata behind it (when the interview was opened and completed, on which
//! device, minutes per section, edits after completion). The flags are the registry's
//! (`shumari_registry::service::Flag`, reasons worded there in both languages); this file only lays
//! them out, with its own texts.

use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_domain::Paradata;
use shumari_registry::service::{Flag, FlagKind};

texts! {
    pub enum FT;
    Flagged => "Flagged for a second look", "دوبارہ دیکھنے کے لیے نشان زد";
    FlagFilter => "Flag", "نشان";
    AnyFlag => "Any flag", "کوئی بھی نشان";
    NoFilter => "—", "—";
    Flags => "Data-quality flags", "ڈیٹا کے معیار کے نشان";
    NoFlags => "No data-quality flags.", "ڈیٹا کے معیار کا کوئی نشان نہیں۔";
    Paradata => "How the interview was made", "انٹرویو کیسے کیا گیا";
    Opened => "First opened", "پہلی بار کھولا گیا";
    Completed => "Completed", "مکمل کیا گیا";
    Duration => "Duration", "دورانیہ";
    Minutes => "min", "منٹ";
    Device => "Device", "آلہ";
    Sections => "Time per section", "ہر حصے میں وقت";
    Section => "Section", "حصہ";
    LateEdits => "Answers changed after completion", "مکمل ہونے کے بعد تبدیل کیے گئے جوابات";
    LastLateEdit => "last", "آخری";
    NotRecorded => "not recorded", "درج نہیں";
}

fn title(lang: Lang, k: FlagKind) -> &'static str {
    let (en, ur) = k.title();
    match lang {
        Lang::En => en,
        Lang::Ur => ur,
    }
}

fn minutes(secs: u64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let m = secs as f64 / 60.0;
    format!("{m:.1}")
}

/// The home page's "Flagged" queue: the count of flagged households, a link to the list of them.
pub fn home_queue(lang: Lang, count: u64) -> Markup {
    html! {
        li {
            a href="/console/households?flag=any" data-testid="queue-flagged" {
                span.count data-testid="queue-flagged-count" { (count) }
                " " (lang.t(FT::Flagged))
            }
        }
    }
}

/// The list's flag filter: any flag, or one kind (`selected` as given in the query).
pub fn filter(lang: Lang, selected: &str) -> Markup {
    html! {
        label { (lang.t(FT::FlagFilter)) " "
            select name="flag" data-testid="filter-flag" {
                option value="" selected[selected.is_empty()] { (lang.t(FT::NoFilter)) }
                option value="any" selected[selected == "any"] { (lang.t(FT::AnyFlag)) }
                @for k in FlagKind::ALL {
                    option value=(k.as_str()) selected[selected == k.as_str()] { (title(lang, k)) }
                }
            }
        }
    }
}

/// The list's column header for the markers.
pub fn column(lang: Lang) -> Markup {
    html! { th { (lang.t(FT::FlagFilter)) } }
}

/// A row's marker: one badge per flag kind on the household (empty cell without).
pub fn marker(lang: Lang, kinds: Option<&Vec<FlagKind>>) -> Markup {
    html! {
        td data-testid="flag-marker" {
            @for k in kinds.map(Vec::as_slice).unwrap_or_default() {
                span.flag data-flag=(k.as_str()) title=(title(lang, *k)) { "⚑ " (title(lang, *k)) }
                " "
            }
        }
    }
}

/// The household page's flags and paradata.
pub fn detail(lang: Lang, flags: &[Flag], p: &Paradata) -> Markup {
    let time = |t: &Option<chrono::DateTime<chrono::Utc>>| {
        t.as_ref()
            .map_or_else(|| lang.t(FT::NotRecorded).to_string(), super::when)
    };
    html! {
        section.flags data-testid="flags" {
            h2 { (lang.t(FT::Flags)) }
            @if flags.is_empty() {
                p data-testid="no-flags" { (lang.t(FT::NoFlags)) }
            } @else {
                ul {
                    @for f in flags {
                        li data-testid="flag" data-flag=(f.kind.as_str()) {
                            strong { (title(lang, f.kind)) } ": "
                            (match lang { Lang::En => &f.reason_en, Lang::Ur => &f.reason_ur })
                        }
                    }
                }
            }
        }
        section.paradata data-testid="paradata" {
            h2 { (lang.t(FT::Paradata)) }
            dl {
                dt { (lang.t(FT::Opened)) } dd dir="ltr" data-testid="paradata-start" { (time(&p.start)) }
                dt { (lang.t(FT::Completed)) } dd dir="ltr" data-testid="paradata-end" { (time(&p.end)) }
                @if let Some(secs) = p.duration_secs() {
                    dt { (lang.t(FT::Duration)) }
                    dd data-testid="paradata-duration" { (minutes(u64::try_from(secs).unwrap_or(0))) " " (lang.t(FT::Minutes)) }
                }
                dt { (lang.t(FT::Device)) }
                dd dir="ltr" { (p.device_id.as_deref().unwrap_or_else(|| lang.t(FT::NotRecorded))) }
                dt { (lang.t(FT::LateEdits)) }
                dd data-testid="paradata-late-edits" {
                    (p.edits_after_complete)
                    @if let Some(t) = &p.last_edit_after_complete {
                        " (" (lang.t(FT::LastLateEdit)) " " span dir="ltr" { (super::when(t)) } ")"
                    }
                }
            }
            @if !p.sections.is_empty() {
                table data-testid="paradata-sections" {
                    caption { (lang.t(FT::Sections)) }
                    thead { tr { th { (lang.t(FT::Section)) } th { (lang.t(FT::Minutes)) } } }
                    tbody { @for (name, secs) in &p.sections {
                        tr data-testid="paradata-section" data-section=(name) {
                            td dir="ltr" { (name) } td { (minutes(*secs)) }
                        }
                    } }
                }
            }
        }
    }
}
