//! Data-quality flags: what in a merged household deserves a second look, each with a plain-words
//! reason in English and Urdu.
//!
//! Seven kinds ([`FlagKind`]), thresholds in [`QualitySettings`] (the `[quality]` table of the
//! registry's settings file):
//!
//! - **from the household alone**, read from its document and paradata (the field app's record of
//!   how the interview was made, `shumari_domain::Paradata`): an interview shorter than
//!   `min_interview_minutes` from first opening to completion; no GPS fix; a fix whose accuracy
//!   radius is above `max_gps_accuracy_m`; an answer changed after approval (the household was
//!   changed, by a tablet's late edit or any later write, after the approval it still carries);
//! - **by comparing households**, through small aggregates kept per household in `quality_facts`
//!   (`storage::quality`), so one household's pass reads one index range and never the registry:
//!   more households by one surveyor on one day than `max_households_per_day` (the group keyed by
//!   (surveyor, day)); `identical_assets_count` or more households by one surveyor with the very same
//!   answers to the asset questions (keyed by (surveyor, fingerprint of those answers)); and a GPS
//!   point far from the other households of its tehsil ([`far_from_median`]).
//!
//! The pass itself (`flag_pass.rs`) runs in the registry's background queue after each merge, like
//! scoring; this file is its pure part: the facts and the per-household flags of one document, the
//! tehsil statistic, and the wording of each reason.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use shumari_domain::{Decision, Household, Paradata};

/// Thresholds of the flags (the `[quality]` table of the settings file; an absent key keeps the
/// default).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QualitySettings {
    /// An interview completed sooner than this after it was first opened is flagged (minutes; the
    /// NSER questionnaire takes 30-45 minutes for a family of six).
    pub min_interview_minutes: f64,
    /// A GPS fix whose accuracy radius is above this is flagged (metres; a phone outdoors manages
    /// 5-15 m, indoors 20-50 m).
    pub max_gps_accuracy_m: f64,
    /// A point is far from its tehsil when its distance from the tehsil's median point is more than
    /// this many times the median distance ...
    pub far_factor: f64,
    /// ... and more than this many kilometres.
    pub far_min_km: f64,
    /// Tehsils with fewer GPS points than this are not judged (the median of a few points says
    /// little).
    pub far_min_points: usize,
    /// More households than this by one surveyor on one day are flagged (all of that day's).
    pub max_households_per_day: usize,
    /// This many households or more by one surveyor with identical asset answers are flagged.
    pub identical_assets_count: usize,
    /// The asset questions whose answers are fingerprinted (the NSER questionnaire's by default).
    pub asset_questions: Vec<String>,
}

impl Default for QualitySettings {
    fn default() -> Self {
        QualitySettings {
            min_interview_minutes: 15.0,
            max_gps_accuracy_m: 50.0,
            far_factor: 5.0,
            far_min_km: 10.0,
            far_min_points: 5,
            max_households_per_day: 25,
            identical_assets_count: 5,
            asset_questions: [
                "assets",
                "has_livestock",
                "cattle",
                "buffalo",
                "goats",
                "sheep",
                "camels",
                "poultry",
                "land_owned",
                "land_rented",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// What a flag says about a household.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    /// Completed sooner than the minimum after it was first opened.
    ShortInterview,
    /// No GPS fix.
    GpsMissing,
    /// A GPS fix less accurate than the threshold.
    GpsInaccurate,
    /// A GPS point far from the other households of its tehsil.
    GpsFar,
    /// One of more households by its surveyor that day than the threshold.
    ManyPerDay,
    /// One of several households by its surveyor with identical asset answers.
    IdenticalAssets,
    /// Changed after it was approved.
    EditedAfterApproval,
}

impl FlagKind {
    /// Every kind.
    pub const ALL: [FlagKind; 7] = [
        FlagKind::ShortInterview,
        FlagKind::GpsMissing,
        FlagKind::GpsInaccurate,
        FlagKind::GpsFar,
        FlagKind::ManyPerDay,
        FlagKind::IdenticalAssets,
        FlagKind::EditedAfterApproval,
    ];

    /// The kinds judged from the household alone.
    pub const OWN: [FlagKind; 4] = [
        FlagKind::ShortInterview,
        FlagKind::GpsMissing,
        FlagKind::GpsInaccurate,
        FlagKind::EditedAfterApproval,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            FlagKind::ShortInterview => "short_interview",
            FlagKind::GpsMissing => "gps_missing",
            FlagKind::GpsInaccurate => "gps_inaccurate",
            FlagKind::GpsFar => "gps_far",
            FlagKind::ManyPerDay => "many_per_day",
            FlagKind::IdenticalAssets => "identical_assets",
            FlagKind::EditedAfterApproval => "edited_after_approval",
        }
    }

    /// The kind a stored name names.
    pub fn parse(s: &str) -> Option<FlagKind> {
        FlagKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// A short title, in English and Urdu.
    pub fn title(self) -> (&'static str, &'static str) {
        match self {
            FlagKind::ShortInterview => ("Short interview", "مختصر انٹرویو"),
            FlagKind::GpsMissing => ("No GPS", "جی پی ایس نہیں"),
            FlagKind::GpsInaccurate => ("Inaccurate GPS", "غیر درست جی پی ایس"),
            FlagKind::GpsFar => ("Far from its tehsil", "تحصیل سے دور"),
            FlagKind::ManyPerDay => ("Many in one day", "ایک دن میں بہت زیادہ"),
            FlagKind::IdenticalAssets => ("Identical assets", "یکساں اثاثے"),
            FlagKind::EditedAfterApproval => ("Edited after approval", "منظوری کے بعد ترمیم"),
        }
    }
}

/// A flag's reason in plain words, from its kind and the numbers stored with it.
pub fn reason(kind: FlagKind, d: &Value) -> (String, String) {
    let num = |k: &str| d.get(k).and_then(Value::as_f64).unwrap_or_default();
    let text = |k: &str| {
        d.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match kind {
        FlagKind::ShortInterview => (
            format!(
                "The interview took {:.0} minutes from first opening to completion; at least {:.0} are expected.",
                num("minutes"),
                num("min_minutes")
            ),
            format!(
                "انٹرویو پہلی بار کھولنے سے مکمل ہونے تک {:.0} منٹ میں ہوا؛ کم از کم {:.0} منٹ متوقع ہیں۔",
                num("minutes"),
                num("min_minutes")
            ),
        ),
        FlagKind::GpsMissing => (
            "No GPS location was recorded for the dwelling.".into(),
            "گھر کا جی پی ایس مقام درج نہیں کیا گیا۔".into(),
        ),
        FlagKind::GpsInaccurate => (
            format!(
                "The GPS location is accurate only to {:.0} m; at most {:.0} m is accepted.",
                num("accuracy_m"),
                num("max_m")
            ),
            format!(
                "جی پی ایس مقام صرف {:.0} میٹر تک درست ہے؛ زیادہ سے زیادہ {:.0} میٹر قابل قبول ہے۔",
                num("accuracy_m"),
                num("max_m")
            ),
        ),
        FlagKind::GpsFar => (
            format!(
                "The GPS location is {:.1} km from the middle of tehsil {}'s households, where half of them lie within {:.1} km.",
                num("km"),
                text("tehsil"),
                num("median_km")
            ),
            format!(
                "جی پی ایس مقام تحصیل {} کے گھرانوں کے وسط سے {:.1} کلومیٹر دور ہے، جبکہ آدھے گھرانے {:.1} کلومیٹر کے اندر ہیں۔",
                text("tehsil"),
                num("km"),
                num("median_km")
            ),
        ),
        FlagKind::ManyPerDay => (
            format!(
                "{} recorded {:.0} households on {}; more than {:.0} in a day is unusual.",
                text("surveyor"),
                num("count"),
                text("day"),
                num("max")
            ),
            format!(
                "{} نے {} کو {:.0} گھرانے درج کیے؛ ایک دن میں {:.0} سے زیادہ غیر معمولی ہے۔",
                text("surveyor"),
                text("day"),
                num("count"),
                num("max")
            ),
        ),
        FlagKind::IdenticalAssets => (
            format!(
                "{} recorded {:.0} households with exactly the same answers to the asset questions.",
                text("surveyor"),
                num("count")
            ),
            format!(
                "{} نے {:.0} گھرانوں کے اثاثوں کے سوالات کے بالکل ایک جیسے جوابات درج کیے۔",
                text("surveyor"),
                num("count")
            ),
        ),
        FlagKind::EditedAfterApproval => (
            format!(
                "The household was changed on {} after it was approved on {}.",
                text("edited_at"),
                text("approved_at")
            ),
            format!(
                "گھرانے میں {} کو منظوری کے بعد تبدیلی کی گئی؛ منظوری {} کو ہوئی تھی۔",
                text("edited_at"),
                text("approved_at")
            ),
        ),
    }
}

/// Pakistan Standard Time (UTC+5, no daylight saving): the day an interview counts for.
fn pkt() -> FixedOffset {
    FixedOffset::east_opt(5 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// The interview's day, `YYYY-MM-DD` in Pakistan time: its first opening, else its creation.
pub(crate) fn interview_day(h: &Household, p: &Paradata) -> String {
    p.start
        .unwrap_or(h.created_at)
        .with_timezone(&pkt())
        .format("%Y-%m-%d")
        .to_string()
}

/// The fingerprint of the answers to `questions` (`None` when none is answered): equal exactly
/// when every one of them has the same answer.
pub(crate) fn asset_print(h: &Household, questions: &[String]) -> Option<String> {
    let mut any = false;
    let mut hash = Sha256::new();
    for q in questions {
        let v = h.answers.get(q).filter(|v| !v.is_null());
        any |= v.is_some();
        hash.update(q.as_bytes());
        hash.update(b"=");
        hash.update(v.map(Value::to_string).unwrap_or_default().as_bytes());
        hash.update(b"\n");
    }
    any.then(|| hex::encode(&hash.finalize()[..12]))
}

fn day_time(t: &DateTime<Utc>) -> String {
    t.with_timezone(&pkt()).format("%Y-%m-%d %H:%M").to_string()
}

/// The flags one household raises on its own, with the numbers of each reason.
pub(crate) fn own_flags(
    h: &Household,
    p: &Paradata,
    s: &QualitySettings,
) -> Vec<(FlagKind, Value)> {
    let mut out = Vec::new();
    if let Some(secs) = p.duration_secs() {
        #[allow(clippy::cast_precision_loss)]
        let minutes = secs as f64 / 60.0;
        if minutes < s.min_interview_minutes {
            out.push((
                FlagKind::ShortInterview,
                json!({"minutes": minutes.floor(), "min_minutes": s.min_interview_minutes}),
            ));
        }
    }
    match &h.gps {
        None => out.push((FlagKind::GpsMissing, json!({}))),
        Some(g) => {
            if let Some(acc) = g.accuracy.filter(|a| *a > s.max_gps_accuracy_m) {
                out.push((
                    FlagKind::GpsInaccurate,
                    json!({"accuracy_m": acc, "max_m": s.max_gps_accuracy_m}),
                ));
            }
        }
    }
    if let Some(r) = h
        .review
        .as_ref()
        .filter(|r| r.decision == Decision::Approved)
    {
        // The approval itself stamps the household's time; anything later is a change after it.
        let late = [Some(h.updated_at), p.last_edit_after_complete]
            .into_iter()
            .flatten()
            .filter(|t| *t > r.at + chrono::Duration::seconds(1))
            .max();
        if let Some(edited) = late {
            out.push((
                FlagKind::EditedAfterApproval,
                json!({"edited_at": day_time(&edited), "approved_at": day_time(&r.at)}),
            ));
        }
    }
    out
}

/// Whether one surveyor's `count` households on one day are too many.
pub(crate) fn too_many_per_day(count: usize, s: &QualitySettings) -> bool {
    count > s.max_households_per_day
}

/// Whether `count` households of one surveyor with the same asset answers are too many (two alike
/// are never enough: neighbours may well own the same things).
pub(crate) fn too_many_identical(count: usize, s: &QualitySettings) -> bool {
    count >= s.identical_assets_count.max(2)
}

/// Great-circle distance in kilometres (haversine on a 6371 km sphere).
pub(crate) fn km_between(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The points of one tehsil that lie far from the others: `(index, km from the median point)`,
/// with the median distance.
///
/// The statistic is robust, so the very points it looks for cannot hide themselves: the tehsil's
/// **median point** is the median latitude and the median longitude of its households (a handful
/// of wild points move it hardly at all, where they would drag a mean), and the typical spread is
/// the **median distance** of the households from that point (their median absolute deviation,
/// measured in kilometres). A point is far when its distance is more than `far_factor` times that
/// median distance *and* more than `far_min_km` (in a compact town half the households may lie
/// within 300 m, and 1.5 km is not suspicious). Fewer than `far_min_points` points are not judged.
pub fn far_from_median(points: &[(f64, f64)], s: &QualitySettings) -> (Vec<(usize, f64)>, f64) {
    if points.len() < s.far_min_points.max(1) {
        return (Vec::new(), 0.0);
    }
    let centre = (
        median(points.iter().map(|p| p.0).collect()),
        median(points.iter().map(|p| p.1).collect()),
    );
    let dist: Vec<f64> = points.iter().map(|p| km_between(*p, centre)).collect();
    let mad = median(dist.clone());
    let far = dist
        .iter()
        .enumerate()
        .filter(|(_, d)| **d > s.far_factor * mad && **d > s.far_min_km)
        .map(|(i, d)| (i, *d))
        .collect();
    (far, mad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use shumari_domain::{GeoPoint, Review};

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).unwrap()
    }

    fn household() -> Household {
        serde_json::from_value(json!({
            "id": "0195d3a2-7a6c-7000-8000-000000000001",
            "ref": "PK60301-K7QD2-1",
            "area": "PK60301",
            "gps": {"lat": 31.5, "lon": 74.3, "accuracy": 8.0},
            "form_id": "nser", "form_version": "1",
            "answers": {"assets": "tv fridge", "cattle": 2},
            "members": [],
            "status": "submitted",
            "created_by": "Ali (u1)", "created_at": "2026-03-01T08:00:00Z",
            "updated_by": "Ali (u1)", "updated_at": "2026-03-01T09:40:00Z"
        }))
        .unwrap()
    }

    fn kinds(v: &[(FlagKind, Value)]) -> Vec<FlagKind> {
        v.iter().map(|(k, _)| *k).collect()
    }

    fn timed(minutes: u32) -> Paradata {
        Paradata {
            start: Some(at(9, 0)),
            end: Some(at(9, minutes)),
            ..Paradata::default()
        }
    }

    #[test]
    fn a_short_interview_is_flagged_and_a_long_one_or_one_without_times_is_not() {
        let s = QualitySettings::default();
        let h = household();
        let short = own_flags(&h, &timed(6), &s);
        assert_eq!(kinds(&short), [FlagKind::ShortInterview]);
        let (en, ur) = reason(FlagKind::ShortInterview, &short[0].1);
        assert_eq!(
            en,
            "The interview took 6 minutes from first opening to completion; at least 15 are expected."
        );
        assert!(ur.contains('6') && ur.contains("15"));
        assert!(own_flags(&h, &timed(40), &s).is_empty());
        assert!(own_flags(&h, &Paradata::default(), &s).is_empty());
    }

    #[test]
    fn gps_missing_or_inaccurate_is_flagged_and_a_good_fix_is_not() {
        let s = QualitySettings::default();
        let mut h = household();
        assert!(own_flags(&h, &timed(40), &s).is_empty());
        h.gps = Some(GeoPoint {
            lat: 31.5,
            lon: 74.3,
            accuracy: Some(120.0),
        });
        let f = own_flags(&h, &timed(40), &s);
        assert_eq!(kinds(&f), [FlagKind::GpsInaccurate]);
        assert_eq!(
            reason(FlagKind::GpsInaccurate, &f[0].1).0,
            "The GPS location is accurate only to 120 m; at most 50 m is accepted."
        );
        h.gps = None;
        assert_eq!(
            kinds(&own_flags(&h, &timed(40), &s)),
            [FlagKind::GpsMissing]
        );
    }

    #[test]
    fn a_change_after_approval_is_flagged_and_the_approval_alone_is_not() {
        let s = QualitySettings::default();
        let mut h = household();
        let approved =
            Review::new(Decision::Approved, "sup1", "Sara", at(10, 0), "", vec![]).unwrap();
        h.review = Some(approved);
        h.updated_at = at(10, 0);
        assert!(own_flags(&h, &timed(40), &s).is_empty());
        // A tablet's edit after completion, made after the approval.
        let mut p = timed(40);
        p.last_edit_after_complete = Some(at(11, 30));
        let f = own_flags(&h, &p, &s);
        assert_eq!(kinds(&f), [FlagKind::EditedAfterApproval]);
        assert_eq!(
            reason(FlagKind::EditedAfterApproval, &f[0].1).0,
            "The household was changed on 2026-03-01 16:30 after it was approved on 2026-03-01 15:00."
        );
        // Any later write to the household counts too.
        h.updated_at = at(12, 0);
        assert_eq!(
            kinds(&own_flags(&h, &timed(40), &s)),
            [FlagKind::EditedAfterApproval]
        );
    }

    #[test]
    fn the_day_is_pakistan_time_and_the_asset_print_follows_the_answers() {
        let mut h = household();
        let p = Paradata {
            start: Some(Utc.with_ymd_and_hms(2026, 3, 1, 20, 0, 0).unwrap()),
            ..Paradata::default()
        };
        assert_eq!(interview_day(&h, &p), "2026-03-02");
        assert_eq!(interview_day(&h, &Paradata::default()), "2026-03-01");
        let q = QualitySettings::default().asset_questions;
        let a = asset_print(&h, &q).unwrap();
        assert_eq!(asset_print(&h.clone(), &q), Some(a.clone()));
        h.answers.insert("cattle".into(), json!(3));
        assert_ne!(asset_print(&h, &q), Some(a));
        h.answers.clear();
        assert_eq!(asset_print(&h, &q), None);
    }

    #[test]
    fn a_point_far_from_its_tehsils_median_is_found_and_the_spread_is_not() {
        let s = QualitySettings::default();
        // Ten households within ~2 km of each other around Lahore, one 80 km away.
        let mut pts: Vec<(f64, f64)> = (0..10)
            .map(|i| {
                (
                    31.50 + f64::from(i) * 0.002,
                    74.30 + f64::from(i % 3) * 0.003,
                )
            })
            .collect();
        pts.push((32.2, 74.3));
        let (far, mad) = far_from_median(&pts, &s);
        assert_eq!(far.len(), 1);
        assert_eq!(far[0].0, 10);
        assert!(far[0].1 > 70.0 && mad < 2.0, "{far:?} {mad}");
        // Without the outlier nothing is far, and too few points are not judged.
        assert!(far_from_median(&pts[..10], &s).0.is_empty());
        assert!(far_from_median(&pts[8..], &s).0.is_empty());
    }

    #[test]
    fn households_per_day_above_the_threshold_are_too_many_and_at_it_are_not() {
        let s = QualitySettings {
            max_households_per_day: 3,
            ..QualitySettings::default()
        };
        assert!(!too_many_per_day(3, &s));
        assert!(too_many_per_day(4, &s));
        let d = json!({"surveyor": "Ali (u1)", "day": "2026-03-01", "count": 4, "max": 3});
        let (en, ur) = reason(FlagKind::ManyPerDay, &d);
        assert_eq!(
            en,
            "Ali (u1) recorded 4 households on 2026-03-01; more than 3 in a day is unusual."
        );
        assert!(ur.contains("Ali (u1)") && ur.contains("2026-03-01"));
    }

    #[test]
    fn identical_assets_from_the_threshold_on_are_flagged_and_a_pair_never_is() {
        let s = QualitySettings {
            identical_assets_count: 3,
            ..QualitySettings::default()
        };
        assert!(!too_many_identical(2, &s));
        assert!(too_many_identical(3, &s));
        let one = QualitySettings {
            identical_assets_count: 1,
            ..QualitySettings::default()
        };
        assert!(
            !too_many_identical(1, &one),
            "a household alone is never identical"
        );
        let (en, _) = reason(
            FlagKind::IdenticalAssets,
            &json!({"surveyor": "Ali (u1)", "count": 3}),
        );
        assert_eq!(
            en,
            "Ali (u1) recorded 3 households with exactly the same answers to the asset questions."
        );
    }

    #[test]
    fn kinds_round_trip_and_have_titles_in_both_languages() {
        for k in FlagKind::ALL {
            assert_eq!(FlagKind::parse(k.as_str()), Some(k));
            let (en, ur) = k.title();
            assert!(!en.is_empty() && !ur.is_empty());
        }
        assert_eq!(FlagKind::parse("nope"), None);
    }
}
