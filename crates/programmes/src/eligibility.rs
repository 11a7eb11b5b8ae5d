//! Eligibility: a household's PMT score against the programme's limit (or an override's), its
//! exclusion rules and the members it needs, with the reasons in plain words in English and Urdu.
//!
//! The reasons are what a citizen is told and a grievance officer reads: "PMT 28.4 ≤ 32", "no
//! exclusion applies", "excluded: a member is a government employee". Every exclusion that holds is
//! named (not only the first), so an appeal can answer all of them.

use crate::conditions::View;
use crate::file::Programme;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use shumari_domain::Household;

/// One reason, in English and Urdu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// English.
    pub en: String,
    /// Urdu.
    pub ur: String,
}

impl Reason {
    /// A reason from its two texts.
    pub fn new(en: impl Into<String>, ur: impl Into<String>) -> Reason {
        Reason {
            en: en.into(),
            ur: ur.into(),
        }
    }
}

/// Whether a household is eligible for a programme, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Eligibility {
    /// Eligible.
    pub eligible: bool,
    /// The PMT limit that applied (an override's when one applied).
    pub threshold: f64,
    /// The exclusion rules that hold (their ids).
    pub excluded_by: Vec<String>,
    /// The reasons, in order: the score against the limit, the exclusions (or that none applies),
    /// the members the programme needs.
    pub reasons: Vec<Reason>,
}

impl Eligibility {
    /// The reasons as one line each in English and Urdu ("PMT 28.4 ≤ 32; no exclusion applies").
    pub fn summary(&self) -> Reason {
        Reason {
            en: self
                .reasons
                .iter()
                .map(|r| r.en.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            ur: self
                .reasons
                .iter()
                .map(|r| r.ur.as_str())
                .collect::<Vec<_>>()
                .join("؛ "),
        }
    }
}

/// A score or limit as people write it: one decimal, none when whole (28.4, 32).
pub fn number(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Decides `household`'s eligibility for `programme` from its PMT score, with ages as of `as_of`.
pub fn eligibility(
    programme: &Programme,
    household: &Household,
    pmt_score: f64,
    as_of: NaiveDate,
) -> Eligibility {
    let view = View::new(household, as_of);
    let mut reasons = Vec::new();
    let applied = programme
        .overrides
        .iter()
        .find(|o| view.holds(&o.condition));
    let threshold = applied.map_or(programme.pmt_at_most, |o| o.pmt_at_most);
    let (s, t) = (number(pmt_score), number(threshold));
    let under = pmt_score <= threshold;
    let because = |o: Option<&crate::file::Override>| {
        o.map_or((String::new(), String::new()), |o| {
            (format!(" ({})", o.because.0), format!(" ({})", o.because.1))
        })
    };
    let (be, bu) = because(applied);
    reasons.push(if under {
        Reason::new(
            format!("PMT {s} ≤ {t}{be}"),
            format!("پی ایم ٹی اسکور {s} ≤ {t}{bu}"),
        )
    } else {
        Reason::new(
            format!("PMT {s} is above the limit of {t}{be}"),
            format!("پی ایم ٹی اسکور {s} حد {t} سے زیادہ ہے{bu}"),
        )
    });
    let excluded: Vec<&crate::file::Exclusion> = programme
        .exclusions
        .iter()
        .filter(|x| view.holds(&x.condition))
        .collect();
    if excluded.is_empty() {
        reasons.push(Reason::new(
            "no exclusion applies",
            "کوئی اخراجی شرط لاگو نہیں",
        ));
    }
    for x in &excluded {
        reasons.push(Reason::new(
            format!("excluded: {}", x.reason.0),
            format!("خارج: {}", x.reason.1),
        ));
    }
    let mut has_needed = true;
    if !programme.needs_member.is_empty() {
        let groups: Vec<&crate::file::Group> = programme
            .needs_member
            .iter()
            .filter_map(|g| programme.group(g))
            .collect();
        let count = (0..view.member_count())
            .filter(|&i| groups.iter().any(|g| view.holds_for(&g.condition, i)))
            .count();
        let labels_en = groups
            .iter()
            .map(|g| g.label.0.as_str())
            .collect::<Vec<_>>();
        let labels_ur = groups
            .iter()
            .map(|g| g.label.1.as_str())
            .collect::<Vec<_>>();
        has_needed = count > 0;
        reasons.push(if has_needed {
            Reason::new(
                format!("{count} member(s) count: {}", labels_en.join(", ")),
                format!("{count} افراد شامل: {}", labels_ur.join("، ")),
            )
        } else {
            Reason::new(
                format!(
                    "no member counts for this programme ({})",
                    labels_en.join(", ")
                ),
                format!(
                    "اس پروگرام کے لیے کوئی فرد شامل نہیں ({})",
                    labels_ur.join("، ")
                ),
            )
        });
    }
    Eligibility {
        eligible: under && excluded.is_empty() && has_needed,
        threshold,
        excluded_by: excluded.iter().map(|x| x.id.clone()).collect(),
        reasons,
    }
}
