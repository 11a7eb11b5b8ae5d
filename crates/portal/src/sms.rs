//! The SMS service's inbound side: a citizen texts a CNIC number to the programme's short code, the
//! gateway posts the message here, and the answer is the reply text (the gateway sends it).
//!
//! Details go only to the phone the household gave at the survey: anyone can text anyone's CNIC,
//! so a message from another phone gets the same sentence whether or not the number is registered,
//! and learns nothing. Every reply fits one SMS: 160 characters in GSM-7 (English), 70 in UCS-2
//! (Urdu) — the tests count them.

use crate::texts::{Lang, Tx};
use shumari_registry::service::CitizenStage;

/// Whether a message was written in Urdu (any Arabic-script letter): the reply answers in kind.
pub fn lang_of(text: &str) -> Lang {
    if text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
        Lang::Ur
    } else {
        Lang::En
    }
}

/// The CNIC number in a message: the first run of 13 digits, dashes and spaces allowed between
/// (Urdu-Indic digits read as digits too, since phones type them).
pub fn cnic_in(text: &str) -> Option<String> {
    let mut digits = String::new();
    for c in text.chars() {
        let d = match c {
            '0'..='9' => Some(c),
            '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
            '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
            _ => None,
        };
        match d {
            Some(d) => {
                digits.push(d);
                if digits.len() == 13 {
                    return Some(digits);
                }
            }
            None if matches!(c, '-' | ' ') && !digits.is_empty() => {}
            None => digits.clear(),
        }
    }
    None
}

const HELP: Tx = Tx(
    "Shumari: send your 13-digit CNIC number to get your household's status.",
    "گھرانے کی حیثیت جاننے کے لیے 13 ہندسوں کا شناختی کارڈ نمبر بھیجیں۔",
);
const ELSEWHERE: Tx = Tx(
    "Shumari: a household's status is sent only to the phone number given at its survey.",
    "گھرانے کی حیثیت صرف سروے میں دیے گئے فون نمبر پر بھیجی جاتی ہے۔",
);

/// What the reply is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The message held no CNIC number.
    Help,
    /// Unknown CNIC, or a phone other than the household's: the same sentence.
    Elsewhere,
    /// The household's own phone asked.
    Details {
        /// Household reference.
        reference: String,
        /// Where it is in the workflow.
        stage: CitizenStage,
        /// The latest payment, written out ("Rs 10,500 paid 12-10-2026"), if any.
        last_payment: Option<String>,
    },
}

fn stage_words(stage: CitizenStage) -> Tx {
    match stage {
        CitizenStage::BeingSurveyed => Tx("survey not finished", "سروے جاری"),
        CitizenStage::UnderReview => Tx("being checked", "جانچ جاری"),
        CitizenStage::BeingCorrected => Tx("being corrected", "درستی جاری"),
        CitizenStage::Accepted => Tx("in the registry", "رجسٹری میں شامل"),
        CitizenStage::NotAccepted => Tx("not accepted, you may appeal", "قبول نہیں، اپیل ممکن"),
    }
}

/// The reply text in `lang`. A detail that would push it past one SMS is left out (the payment
/// first), never cut mid-word.
pub fn text(lang: Lang, reply: &Reply, fits: impl Fn(&str) -> bool) -> String {
    match reply {
        Reply::Help => lang.t(HELP).to_string(),
        Reply::Elsewhere => lang.t(ELSEWHERE).to_string(),
        Reply::Details {
            reference,
            stage,
            last_payment,
        } => {
            let head = match lang {
                Lang::En => format!("Shumari {reference}: {}.", lang.t(stage_words(*stage))),
                Lang::Ur => format!("{reference}: {}۔", lang.t(stage_words(*stage))),
            };
            if let Some(p) = last_payment {
                let full = match lang {
                    Lang::En => format!("{head} Last payment {p}."),
                    Lang::Ur => format!("{head} آخری ادائیگی {p}"),
                };
                if fits(&full) {
                    return full;
                }
            }
            head
        }
    }
}

/// Whether `text` fits one SMS (the SMS crate's count: 160 GSM-7 characters, extension characters
/// counting two, else 70 UCS-2 units).
pub fn fits_one(text: &str) -> bool {
    shumari_sms::segments(text).fits_one()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_fits_one_sms_in_both_languages() {
        let longest_ref = "PK9999999-UC123-ZZZZZZ-99999";
        let replies = [
            Reply::Help,
            Reply::Elsewhere,
            Reply::Details {
                reference: longest_ref.into(),
                stage: CitizenStage::NotAccepted,
                last_payment: Some("Rs 1,234,567.89 28-12-2026".into()),
            },
        ];
        for lang in [Lang::En, Lang::Ur] {
            for r in &replies {
                let t = text(lang, r, fits_one);
                assert!(
                    fits_one(&t),
                    "{lang:?} {r:?}: {t} ({:?})",
                    shumari_sms::segments(&t)
                );
            }
        }
        // A detail that would not fit is left out whole, never cut.
        let long = Reply::Details {
            reference: longest_ref.into(),
            stage: CitizenStage::Accepted,
            last_payment: Some("x".repeat(200)),
        };
        assert!(!text(Lang::En, &long, fits_one).contains("xxx"));
    }

    #[test]
    fn a_cnic_is_found_in_any_message() {
        assert_eq!(
            cnic_in("status 35202-1234567-1 please").as_deref(),
            Some("3520212345671")
        );
        assert_eq!(cnic_in("۳۵۲۰۲۱۲۳۴۵۶۷۱").as_deref(), Some("3520212345671"));
        assert_eq!(cnic_in("call 0300 1234567"), None);
        assert_eq!(lang_of("حیثیت"), Lang::Ur);
        assert_eq!(lang_of("status"), Lang::En);
    }
}
