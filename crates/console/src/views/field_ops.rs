//! The dashboards' field operations sections, over the area the page looks at (all of the user's
//! areas without one; each CSV link carries the same `?area=`): the review backlog (households
//! submitted and waiting, by how long) with the open conflicts, open duplicate cases and flagged
//! households beside it; households per surveyor per day and how long the interviews took (the
//! paradata the field app records: first opening to last completion); and each device's sync
//! freshness (when it was last seen). Each has a chart or a table, a "download CSV" link, and "no
//! data yet" when there is nothing to count. Texts of this view are [`FO`], beside it.

use super::charts;
use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_registry::service::{DeviceInfo, FieldDays, FieldFigures};
use shumari_registry::storage::aggregates::SurveyorDay;

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
    PerSurveyor => "Households per surveyor per day", "ہر سروے کنندہ کے روزانہ گھرانے";
    LastDays => "The last 14 days.", "پچھلے 14 دن۔";
    Day => "Day", "دن";
    Surveyor => "Surveyor", "سروے کنندہ";
    Households => "Households", "گھرانے";
    AverageMinutes => "Average interview (minutes)", "اوسط انٹرویو (منٹ)";
    ShortestMinutes => "Shortest (minutes)", "مختصر ترین (منٹ)";
    LongestMinutes => "Longest (minutes)", "طویل ترین (منٹ)";
    Durations => "Interview durations", "انٹرویو کا دورانیہ";
    DurationsHelp => "Interviews by minutes from first opening to last completion", "پہلی بار کھولنے سے آخری تکمیل تک منٹوں کے لحاظ سے انٹرویو";
    Minutes => "min", "منٹ";
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

/// Days of households per surveyor shown (today and the 13 before).
pub const DAYS_SHOWN: i64 = 14;

/// The field figures of an area.
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
    /// The devices of the area's users.
    pub devices: Vec<DeviceInfo>,
    /// Households per surveyor per day, with durations and the surveyors' names.
    pub days: FieldDays,
}

impl FieldOps {
    /// The figures as the registry counted them at `now` (ms since the epoch).
    pub fn new(f: FieldFigures, days: FieldDays, now: i64) -> FieldOps {
        FieldOps {
            waiting: f.counts.waiting,
            oldest_days: f.counts.oldest_at.map(|t| days_since(t, now)),
            by_age: f.counts.by_age,
            conflicts: f.counts.conflicts,
            duplicates: f.counts.open_duplicates,
            flagged: f.flagged,
            devices: f.devices,
            days,
        }
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

/// The first day shown of households per surveyor, `YYYY-MM-DD` in Pakistan time, at `now`.
pub fn first_day_shown(now: i64) -> String {
    // Pakistan is UTC+5 all year; the quality pass records interview days in its time.
    const PKT_MS: i64 = 5 * 3600 * 1000;
    chrono::DateTime::from_timestamp_millis(now + PKT_MS - (DAYS_SHOWN - 1) * DAY_MS)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Minutes, to one decimal, of `secs`.
pub fn minutes(secs: u64) -> String {
    format!("{:.1}", secs as f64 / 60.0)
}

/// A day's average interview in minutes (`None` without a timed interview).
pub fn average_minutes(d: &SurveyorDay) -> Option<String> {
    (d.timed > 0).then(|| minutes(d.duration_secs / d.timed))
}

/// The label of duration bucket `i` (10 minutes wide; the last open-ended).
pub fn duration_label(i: usize, last: usize) -> String {
    if i >= last {
        format!("{}+", i * 10)
    } else {
        format!("{}–{}", i * 10, (i + 1) * 10)
    }
}

fn csv_link(lang: Lang, name: &str, area: Option<&str>) -> Markup {
    let href = format!(
        "/console/dashboards/{name}.csv{}",
        super::query(&[("area", area.unwrap_or(""))])
    );
    html! {
        p { a href=(href) data-testid=(format!("{name}-csv")) download { (lang.t(FO::DownloadCsv)) } }
    }
}

fn no_data(lang: Lang, id: &str) -> Markup {
    html! { p.no-data data-testid=(format!("{id}-no-data")) { (lang.t(FO::NoData)) } }
}

/// The sections of `area` (`None`: all the user's areas; `f` `None`: the role reads no field
/// operations, nothing shown).
pub fn field_ops(lang: Lang, f: Option<&FieldOps>, area: Option<&str>, now: i64) -> Markup {
    let Some(f) = f else { return html! {} };
    let empty = f.waiting == 0 && f.conflicts == 0 && f.duplicates == 0 && f.flagged == 0;
    html! {
        h2 data-testid="field" { (lang.t(FO::Field)) }
        section data-testid="backlog" {
            h3 { (lang.t(FO::Backlog)) }
            @if empty {
                (no_data(lang, "backlog"))
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
            (csv_link(lang, "backlog", area))
        }
        (per_surveyor(lang, &f.days, area))
        (durations(lang, &f.days, area))
        section data-testid="devices" {
            h3 { (lang.t(FO::Devices)) }
            @if f.devices.is_empty() {
                (no_data(lang, "devices"))
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
            (csv_link(lang, "devices", area))
        }
    }
}

/// Households per surveyor per day: a bar per day (all surveyors) and a row per surveyor's day.
fn per_surveyor(lang: Lang, d: &FieldDays, area: Option<&str>) -> Markup {
    let mut per_day: std::collections::BTreeMap<&str, u64> = Default::default();
    for r in &d.days {
        *per_day.entry(r.day.as_str()).or_default() += r.households;
    }
    let labels: Vec<String> = per_day
        .keys()
        .map(|k| k.get(5..).unwrap_or(*k).to_string())
        .collect();
    let values: Vec<u64> = per_day.values().copied().collect();
    html! {
        section data-testid="surveyor-days" {
            h3 { (lang.t(FO::PerSurveyor)) }
            p { (lang.t(FO::LastDays)) }
            @if d.days.is_empty() {
                (no_data(lang, "surveyor-days"))
            } @else {
                (charts::bars(lang.t(FO::PerSurveyor), &labels, &values))
                table {
                    thead { tr {
                        th { (lang.t(FO::Day)) } th { (lang.t(FO::Surveyor)) } th.num { (lang.t(FO::Households)) }
                        th.num { (lang.t(FO::AverageMinutes)) } th.num { (lang.t(FO::ShortestMinutes)) } th.num { (lang.t(FO::LongestMinutes)) }
                    } }
                    tbody {
                        @for r in &d.days {
                            tr data-testid=(format!("surveyor-day-{}-{}", r.surveyor, r.day)) {
                                td dir="ltr" { (r.day) }
                                td { (d.names.get(&r.surveyor).unwrap_or(&r.surveyor)) }
                                td.num { (r.households) }
                                td.num { (average_minutes(r).unwrap_or_else(|| "–".into())) }
                                td.num { (r.shortest_secs.map(minutes).unwrap_or_else(|| "–".into())) }
                                td.num { (r.longest_secs.map(minutes).unwrap_or_else(|| "–".into())) }
                            }
                        }
                    }
                }
            }
            (csv_link(lang, "surveyor-days", area))
        }
    }
}

/// The interviews' durations as a histogram of 10-minute buckets.
fn durations(lang: Lang, d: &FieldDays, area: Option<&str>) -> Markup {
    let last = d.durations.len() - 1;
    let timed: u64 = d.durations.iter().sum();
    let labels: Vec<String> = (0..=last)
        .map(|i| format!("{} {}", duration_label(i, last), lang.t(FO::Minutes)))
        .collect();
    html! {
        section data-testid="durations" {
            h3 { (lang.t(FO::Durations)) }
            @if timed == 0 {
                (no_data(lang, "durations"))
            } @else {
                (charts::bars(lang.t(FO::DurationsHelp), &labels, &d.durations))
                p data-testid="durations-timed" { (lang.t(FO::Households)) ": " (timed) }
            }
            (csv_link(lang, "durations", area))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_day_shown_is_thirteen_days_before_today_in_pakistan() {
        // 2026-03-14 20:00 UTC is already the 15th in Pakistan.
        let now = chrono::DateTime::parse_from_rfc3339("2026-03-14T20:00:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(first_day_shown(now), "2026-03-02");
    }

    #[test]
    fn durations_are_labelled_in_ten_minute_steps() {
        assert_eq!(duration_label(0, 12), "0–10");
        assert_eq!(duration_label(3, 12), "30–40");
        assert_eq!(duration_label(12, 12), "120+");
        let d = SurveyorDay {
            day: "2026-03-01".into(),
            surveyor: "u".into(),
            households: 3,
            timed: 2,
            duration_secs: 2 * 1500,
            shortest_secs: Some(1200),
            longest_secs: Some(1800),
        };
        assert_eq!(average_minutes(&d).as_deref(), Some("25.0"));
    }
}
