//! What the registry tells a citizen by SMS, in English or Urdu, each notice one segment.
//!
//! The fixed words are short on purpose: an Urdu message is UCS-2 and holds 70 characters, of which
//! a tracking number (`GRV-PK603-000123`) takes 16. A value that can grow (a programme's name) is
//! clipped so the whole still fits; the tests try every notice with the longest values it carries.

use crate::encoding::{clip, segments};
use serde::{Deserialize, Serialize};
use shumari_domain::money::Paisa;

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// English (GSM-7).
    #[default]
    En,
    /// Urdu (UCS-2).
    Ur,
}

impl Lang {
    /// `en` or `ur`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ur => "ur",
        }
    }

    /// From `en`/`ur`; anything else is English.
    pub fn parse(s: &str) -> Lang {
        if s == "ur" {
            Lang::Ur
        } else {
            Lang::En
        }
    }

    /// The language a citizen wrote `text` in: Urdu when it holds a letter of the Arabic script,
    /// else English. A reply goes back in the language the citizen wrote.
    pub fn of_text(text: &str) -> Lang {
        let arabic = |c: char| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}');
        if text.chars().any(arabic) {
            Lang::Ur
        } else {
            Lang::En
        }
    }
}

/// A household's standing in a programme, as a citizen is told it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeStatus {
    /// Found eligible.
    Eligible,
    /// Found not eligible.
    NotEligible,
    /// Enrolled: payments follow.
    Enrolled,
    /// Payments suspended.
    Suspended,
    /// Left the programme.
    Exited,
}

/// Something a citizen is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    /// A grievance was filed: its tracking number.
    GrievanceFiled {
        /// `GRV-PK603-000123`.
        tracking: String,
    },
    /// A grievance is being worked on (an officer took it up).
    GrievanceUpdated {
        /// Tracking number.
        tracking: String,
    },
    /// A grievance passed its deadline and went to the provincial office.
    GrievanceEscalated {
        /// Tracking number.
        tracking: String,
    },
    /// A grievance was resolved.
    GrievanceResolved {
        /// Tracking number.
        tracking: String,
    },
    /// A payment reached the citizen.
    PaymentCredited {
        /// The programme's name (clipped to fit).
        programme: String,
        /// The amount paid.
        amount: Paisa,
    },
    /// The household's standing in a programme changed.
    StatusChanged {
        /// The programme's name (clipped to fit).
        programme: String,
        /// The new standing.
        status: ProgrammeStatus,
    },
}

/// Longest tracking number a notice carries in full (`GRV-` + a union council's code + 6 digits
/// would be longer than a district's; tracking numbers are per district, so 16 is the length).
const TRACKING_MAX: usize = 20;
/// Longest programme name a notice carries in full.
const PROGRAMME_MAX: usize = 16;

impl Notice {
    /// The message in `lang`, fitting one segment.
    pub fn text(&self, lang: Lang) -> String {
        let t = |s: &str| clip(s, TRACKING_MAX);
        let p = |s: &str| clip(s, PROGRAMME_MAX);
        let text = match (self, lang) {
            (Notice::GrievanceFiled { tracking }, Lang::En) => format!(
                "Your complaint is registered. Tracking number: {}. Keep it to check progress; the district office will reply.",
                t(tracking)
            ),
            (Notice::GrievanceFiled { tracking }, Lang::Ur) => {
                format!("آپ کی شکایت درج ہو گئی۔ ٹریکنگ نمبر: {}", t(tracking))
            }
            (Notice::GrievanceUpdated { tracking }, Lang::En) => format!(
                "Complaint {}: the district office is working on it. You will get an SMS when it is resolved.",
                t(tracking)
            ),
            (Notice::GrievanceUpdated { tracking }, Lang::Ur) => {
                format!("شکایت {}: ضلعی دفتر کارروائی کر رہا ہے۔", t(tracking))
            }
            (Notice::GrievanceEscalated { tracking }, Lang::En) => format!(
                "Complaint {}: not resolved in time, so it was sent to the provincial office.",
                t(tracking)
            ),
            (Notice::GrievanceEscalated { tracking }, Lang::Ur) => {
                format!("شکایت {}: تاخیر پر صوبائی دفتر بھیج دی گئی۔", t(tracking))
            }
            (Notice::GrievanceResolved { tracking }, Lang::En) => format!(
                "Complaint {} is resolved. See the answer on the status page, or reply to this number.",
                t(tracking)
            ),
            (Notice::GrievanceResolved { tracking }, Lang::Ur) => {
                format!("شکایت {} حل ہو گئی۔ جواب اسٹیٹس صفحے پر دیکھیں۔", t(tracking))
            }
            (Notice::PaymentCredited { programme, amount }, Lang::En) => format!(
                "{}: {amount} has been paid to you. Never give anyone a share of it; report any cut as a complaint.",
                p(programme)
            ),
            (Notice::PaymentCredited { programme, amount }, Lang::Ur) => {
                format!("{}: آپ کو {amount} ادا ہو گئے۔ کسی کو حصہ نہ دیں۔", p(programme))
            }
            (Notice::StatusChanged { programme, status }, Lang::En) => {
                let what = match status {
                    ProgrammeStatus::Eligible => "your household is eligible",
                    ProgrammeStatus::NotEligible => "your household is not eligible; you may appeal",
                    ProgrammeStatus::Enrolled => "your household is enrolled; payments will follow",
                    ProgrammeStatus::Suspended => "payments to your household are suspended",
                    ProgrammeStatus::Exited => "your household has left the programme",
                };
                format!("{}: {what}. See the status page for the reason.", p(programme))
            }
            (Notice::StatusChanged { programme, status }, Lang::Ur) => {
                let what = match status {
                    ProgrammeStatus::Eligible => "آپ کا گھرانہ اہل ہے۔",
                    ProgrammeStatus::NotEligible => "گھرانہ اہل نہیں؛ اپیل کر سکتے ہیں۔",
                    ProgrammeStatus::Enrolled => "گھرانہ شامل ہو گیا؛ ادائیگی ہو گی۔",
                    ProgrammeStatus::Suspended => "آپ کی ادائیگی معطل ہے۔",
                    ProgrammeStatus::Exited => "گھرانہ پروگرام سے خارج ہو گیا۔",
                };
                format!("{}: {what}", p(programme))
            }
        };
        debug_assert!(segments(&text).fits_one(), "a notice is one segment");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::Encoding;

    fn every_notice(tracking: &str, programme: &str, amount: Paisa) -> Vec<Notice> {
        let tracking = tracking.to_string();
        let programme = programme.to_string();
        let mut v = vec![
            Notice::GrievanceFiled {
                tracking: tracking.clone(),
            },
            Notice::GrievanceUpdated {
                tracking: tracking.clone(),
            },
            Notice::GrievanceEscalated {
                tracking: tracking.clone(),
            },
            Notice::GrievanceResolved { tracking },
            Notice::PaymentCredited {
                programme: programme.clone(),
                amount,
            },
        ];
        for status in [
            ProgrammeStatus::Eligible,
            ProgrammeStatus::NotEligible,
            ProgrammeStatus::Enrolled,
            ProgrammeStatus::Suspended,
            ProgrammeStatus::Exited,
        ] {
            v.push(Notice::StatusChanged {
                programme: programme.clone(),
                status,
            });
        }
        v
    }

    #[test]
    fn every_notice_fits_one_segment_in_both_languages_with_the_longest_values() {
        let long_name = "Benazir Kafalat Unconditional Cash Transfer Programme";
        let big = Paisa::parse_rupees("9,999,999.99").unwrap();
        for n in every_notice("GRV-PK603-123456", long_name, big) {
            let en = n.text(Lang::En);
            let s = segments(&en);
            assert_eq!(s.encoding, Encoding::Gsm7, "{en}");
            assert!(s.fits_one(), "{en}: {} septets", s.units);
            let ur = n.text(Lang::Ur);
            let s = segments(&ur);
            assert_eq!(s.encoding, Encoding::Ucs2, "{ur}");
            assert!(s.fits_one(), "{ur}: {} code units", s.units);
        }
    }

    #[test]
    fn a_notice_names_its_tracking_number_and_amount() {
        let n = Notice::GrievanceFiled {
            tracking: "GRV-PK603-000123".into(),
        };
        assert!(n.text(Lang::En).contains("GRV-PK603-000123"));
        assert!(n.text(Lang::Ur).contains("GRV-PK603-000123"));
        let p = Notice::PaymentCredited {
            programme: "Kafalat".into(),
            amount: Paisa::rupees(10_500),
        };
        assert!(p
            .text(Lang::En)
            .starts_with("Kafalat: Rs 10,500 has been paid"));
        assert!(p.text(Lang::Ur).contains("Rs 10,500"));
    }

    #[test]
    fn the_language_of_a_text_is_urdu_when_it_has_arabic_script() {
        assert_eq!(Lang::of_text("mujhe paise kam mile"), Lang::En);
        assert_eq!(Lang::of_text("مجھے 9000 روپے ملے"), Lang::Ur);
        assert_eq!(Lang::parse("ur"), Lang::Ur);
        assert_eq!(Lang::parse("xx"), Lang::En);
    }
}
