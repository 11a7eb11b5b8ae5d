//! A household's programmes on its detail page: for each programme, whether the household is
//! eligible and why, in the page's language ("PMT 28.4 ≤ 32; no exclusion applies"), with the score
//! the decision used, and its enrolment status with the history of changes (who, when, why).
//! Shown once an eligibility run has decided the household or it has an enrolment.

use super::when;
use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_registry::service::{Enrolment, ProgrammeEligibility};

texts! {
    pub enum P;
    Title => "Programmes", "پروگرام";
    Programme => "Programme", "پروگرام";
    Eligible => "Eligible", "اہل";
    Why => "Why", "وجہ";
    Score => "PMT score used", "استعمال شدہ پی ایم ٹی اسکور";
    Enrolment => "Enrolment", "اندراج";
    Yes => "yes", "ہاں";
    No => "no", "نہیں";
    Enrolled => "enrolled", "شامل";
    Suspended => "suspended", "معطل";
    Exited => "exited", "خارج";
    NotEnrolled => "not enrolled", "شامل نہیں";
    History => "Enrolment history", "اندراج کی تاریخ";
}

fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| when(&t))
        .unwrap_or_default()
}

fn status(lang: Lang, s: &str) -> &'static str {
    lang.t(match s {
        "enrolled" => P::Enrolled,
        "suspended" => P::Suspended,
        "exited" => P::Exited,
        _ => P::NotEnrolled,
    })
}

/// The section (nothing when the household has no decision and no enrolment yet).
pub fn section(
    lang: Lang,
    eligibility: &[ProgrammeEligibility],
    enrolments: &[Enrolment],
) -> Markup {
    if eligibility.is_empty() && enrolments.is_empty() {
        return html! {};
    }
    let enrolment_of = |p: &str| enrolments.iter().find(|e| e.programme == p);
    html! {
        section.programmes data-testid="programmes" {
            h2 { (lang.t(P::Title)) }
            table {
                thead { tr {
                    th { (lang.t(P::Programme)) } th { (lang.t(P::Eligible)) } th { (lang.t(P::Why)) }
                    th { (lang.t(P::Score)) } th { (lang.t(P::Enrolment)) }
                } }
                tbody {
                    @for e in eligibility {
                        tr data-testid="programme-row" data-programme=(e.programme) data-eligible=(e.eligible) {
                            td dir="ltr" { (e.programme) }
                            td { (lang.t(if e.eligible { P::Yes } else { P::No })) }
                            td data-testid="programme-reasons" {
                                (e.reasons.iter().map(|r| if lang == Lang::Ur { r.ur.as_str() } else { r.en.as_str() }).collect::<Vec<_>>().join(if lang == Lang::Ur { "؛ " } else { "; " }))
                            }
                            td dir="ltr" { (e.score.map(|s| format!("{s:.1}")).unwrap_or_default()) }
                            td { (status(lang, enrolment_of(&e.programme).map_or("", |n| n.status.as_str()))) }
                        }
                    }
                }
            }
            @for n in enrolments.iter().filter(|n| !n.history.is_empty()) {
                h3 { (lang.t(P::History)) ": " span dir="ltr" { (n.programme) } }
                ul data-testid="enrolment-history" {
                    @for c in &n.history {
                        li {
                            span dir="ltr" { (time(c.at)) } " · "
                            (c.from.as_deref().map_or("", |f| status(lang, f))) " → " (status(lang, &c.to))
                            " · " span dir="ltr" { (c.by) } " · " (c.reason)
                        }
                    }
                }
            }
        }
    }
}
