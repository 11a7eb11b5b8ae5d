//! The dashboards' field operations sections, over all of the user's areas: the review backlog
//! (households submitted and waiting, by how long) with the open conflicts, open duplicate cases
//! and flagged households beside it, and each device's sync freshness (when it was last seen).
//! Each has a chart or a table, a "download CSV" link, and "no data yet" when there is nothing to
//! count. Texts of this view are [`FO`], beside it.

use super::charts;
use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_registry::service::DeviceInfo;

texts! {
    pub enum FO;
    Field => "Field operations", "فیلڈ آپریشنز";
    Backlog => "Review backlog", "جائزے کے منتظر";
    Waiting => "Households submitted and waiting for review", "جمع شدہ گھرانے جو جائزے کے منتظر ہیں";
    Oldest => "Oldest waiting (days)", "سب سے پرانا انتظار (دن)";
    AgeUnder1 => "under 1 day", "1 دن سے کم";
    Age1To3 => "1–3 days", "1–3 دن";
    Age3To7 => "3–7 days", "3–7 دن";
    Age7Plus => "7 days or more", "7 دن یا زیادہ";
    Conflicts => "Households with open conflicts", "کھلے تضادات والے گھرانے";
    Duplicates => "Open duplicate cases", "کھلے دہرے کیس";
    Flagged => "Flagged households", "نشان زدہ گھرانے";
    Devices => "Sync freshness per device", "ہر آلے کی تازہ ترین ہم آہنگی";
    Device => "Device", "آلہ";
    User => "User", "صارف";
    LastSeen => "Last seen", "آخری بار دیکھا گیا";
    DaysAgo => "Days ago", "کتنے دن پہلے";
    State => "State", "حالت";
    Never => "never", "کبھی نہیں";
    NoData => "No data yet.", "ابھی کوئی ڈیٹا نہیں۔";
    DownloadCsv => "Download CSV", "CSV ڈاؤن لوڈ کریں";
}

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

/// The field figures of a user's areas.
#[derive(Debug, Default)]
pub struct FieldOps {
    /// Households submitted and waiting for review.
    pub waiting: u64,
    /// How long the oldest has waited, in whole days.
    pub oldest_days: Option<i64>,
    /// Waiting households by age: under 1 day, 1–3, 3–7, 7 or more.
    pub by_age: [u64; 4],
    /// Households with open conflicts.
    pub conflicts: u64,
    /// Open duplicate cases.
    pub duplicates: u64,
    /// Flagged households.
    pub flagged: u64,
    /// The devices of the areas' users.
    pub devices: Vec<DeviceInfo>,
}

impl FieldOps {
    /// Counts a waiting household that has waited `age_ms`.
    pub fn wait(&mut self, age_ms: i64) {
        let days = age_ms.max(0) / DAY_MS;
        self.waiting += 1;
        self.oldest_days = Some(self.oldest_days.map_or(days, |d| d.max(days)));
        let bucket = match days {
            0 => 0,
            1..=2 => 1,
            3..=6 => 2,
            _ => 3,
        };
        self.by_age[bucket] += 1;
    }

    /// The backlog's figures as (name, value) rows, for the table and the CSV.
    pub fn measures(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("waiting", self.waiting),
            (
                "oldest_waiting_days",
                self.oldest_days.map_or(0, |d| d.max(0) as u64),
            ),
            ("waiting_under_1_day", self.by_age[0]),
            ("waiting_1_to_3_days", self.by_age[1]),
            ("waiting_3_to_7_days", self.by_age[2]),
            ("waiting_7_days_or_more", self.by_age[3]),
            ("households_with_conflicts", self.conflicts),
            ("open_duplicate_cases", self.duplicates),
            ("flagged_households", self.flagged),
        ]
    }
}

/// Whole days from `then` (ms) to `now` (ms), never negative.
pub fn days_since(then: i64, now: i64) -> i64 {
    (now - then).max(0) / DAY_MS
}

fn csv_link(lang: Lang, name: &str) -> Markup {
    html! {
        p { a href=(format!("/console/dashboards/{name}.csv")) data-testid=(format!("{name}-csv")) download { (lang.t(FO::DownloadCsv)) } }
    }
}

/// The sections (`None`: the role reads no field operations, nothing shown).
pub fn field_ops(lang: Lang, f: Option<&FieldOps>, now: i64) -> Markup {
    let Some(f) = f else { return html! {} };
    let empty = f.waiting == 0 && f.conflicts == 0 && f.duplicates == 0 && f.flagged == 0;
    html! {
        h2 data-testid="field" { (lang.t(FO::Field)) }
        section data-testid="backlog" {
            h3 { (lang.t(FO::Backlog)) }
            @if empty {
                p.no-data data-testid="backlog-no-data" { (lang.t(FO::NoData)) }
            } @else {
                @let labels: Vec<String> = [FO::AgeUnder1, FO::Age1To3, FO::Age3To7, FO::Age7Plus].iter().map(|t| lang.t(*t).to_string()).collect();
                @if f.waiting > 0 { (charts::bars(lang.t(FO::Waiting), &labels, &f.by_age)) }
                table {
                    tbody {
                        tr { th { (lang.t(FO::Waiting)) } td.num data-testid="backlog-waiting" { (f.waiting) } }
                        tr { th { (lang.t(FO::Oldest)) } td.num data-testid="backlog-oldest" { @if let Some(d) = f.oldest_days { (d) } @else { "–" } } }
                        tr { th { (lang.t(FO::Conflicts)) } td.num data-testid="backlog-conflicts" { (f.conflicts) } }
                        tr { th { (lang.t(FO::Duplicates)) } td.num data-testid="backlog-duplicates" { (f.duplicates) } }
                        tr { th { (lang.t(FO::Flagged)) } td.num data-testid="backlog-flagged" { (f.flagged) } }
                    }
                }
            }
            (csv_link(lang, "backlog"))
        }
        section data-testid="devices" {
            h3 { (lang.t(FO::Devices)) }
            @if f.devices.is_empty() {
                p.no-data data-testid="devices-no-data" { (lang.t(FO::NoData)) }
            } @else {
                table {
                    thead { tr {
                        th { (lang.t(FO::Device)) } th { (lang.t(FO::User)) } th { (lang.t(FO::LastSeen)) }
                        th.num { (lang.t(FO::DaysAgo)) } th { (lang.t(FO::State)) }
                    } }
                    tbody {
                        @for d in &f.devices {
                            tr data-testid=(format!("device-{}", d.id)) {
                                td dir="ltr" { (d.label) } td dir="ltr" { (d.user) }
                                td dir="ltr" { @if let Some(t) = d.last_seen_at { (t.format("%Y-%m-%d %H:%M UTC")) } @else { (lang.t(FO::Never)) } }
                                td.num { @if let Some(t) = d.last_seen_at { (days_since(t.timestamp_millis(), now)) } @else { "–" } }
                                td dir="ltr" { (d.state) }
                            }
                        }
                    }
                }
            }
            (csv_link(lang, "devices"))
        }
    }
}
