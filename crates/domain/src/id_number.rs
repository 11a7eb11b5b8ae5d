//! CNIC and B-form numbers.
//!
//! NADRA numbers (adult CNICs and children's B-form/CRC numbers) have 13 digits, written
//! `XXXXX-XXXXXXX-X`. We accept the dashed form or 13 bare digits and store the bare digits. There is no
//! public checksum, so the only checks beyond shape are two *warnings*: the first digit should be a known
//! province digit (1-7), and the last digit's parity usually tells the sex (odd male, even female; not
//! applied to transgender citizens, whose cards carry sex "X").

use crate::error::{DomainError, Result};
use crate::household::Sex;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The member answer holding the card's date of issue (`YYYY-MM-DD`), which the NSER questionnaire
/// asks with the CNIC: the citizen's second factor on the status page.
pub const ISSUE_DATE_ANSWER: &str = "id_issued";

/// A normalised 13-digit CNIC or B-form number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdNumber(String);

/// Something odd about an ID number that does not make it invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Path of the field the warning is about.
    pub field: String,
    /// What looks wrong.
    pub message: String,
}

impl IdNumber {
    /// Parses `raw` (dashed `12345-1234567-1` or 13 digits), naming `field` in the error.
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let raw = raw.trim();
        let bytes = raw.as_bytes();
        let digits: String = match bytes.len() {
            13 => {
                if !bytes.iter().all(u8::is_ascii_digit) {
                    return Err(DomainError::invalid(
                        field,
                        "an ID number has only digits (13 digits, or 12345-1234567-1)",
                    ));
                }
                raw.to_string()
            }
            15 => {
                let shape_ok = bytes.iter().enumerate().all(|(i, b)| match i {
                    5 | 13 => *b == b'-',
                    _ => b.is_ascii_digit(),
                });
                if !shape_ok {
                    return Err(DomainError::invalid(
                        field,
                        "dashes go after the 5th and 12th digits, as in 12345-1234567-1",
                    ));
                }
                raw.chars().filter(char::is_ascii_digit).collect()
            }
            0 => return Err(DomainError::invalid(field, "the ID number is empty")),
            n => {
                let digit_count = raw.chars().filter(char::is_ascii_digit).count();
                return Err(DomainError::invalid(
                    field,
                    format!(
                        "a CNIC or B-form number has 13 digits; this one has {digit_count} digits in {n} characters"
                    ),
                ));
            }
        };
        Ok(IdNumber(digits))
    }

    /// The 13 digits.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The dashed display form `12345-1234567-1`.
    pub fn dashed(&self) -> String {
        format!("{}-{}-{}", &self.0[..5], &self.0[5..12], &self.0[12..])
    }

    /// Soft checks: province digit and sex parity. `sex` is the member's recorded sex, if known.
    pub fn warnings(&self, field: &str, sex: Option<Sex>) -> Vec<Warning> {
        let mut out = Vec::new();
        let first = self.0.as_bytes()[0];
        if !(b'1'..=b'7').contains(&first) {
            out.push(Warning {
                field: field.to_string(),
                message: format!(
                    "first digit {} is not a known province digit (1-7)",
                    first as char
                ),
            });
        }
        let last = self.0.as_bytes()[12] - b'0';
        let parity_sex = if last % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        };
        match sex {
            Some(s @ (Sex::Male | Sex::Female)) if s != parity_sex => out.push(Warning {
                field: field.to_string(),
                message: format!(
                    "last digit {last} is usually given to {} persons, but the member is recorded as {}",
                    parity_sex.as_str(),
                    s.as_str()
                ),
            }),
            _ => {}
        }
        out
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dashed())
    }
}

impl TryFrom<String> for IdNumber {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self> {
        IdNumber::parse("id_number", &s)
    }
}

impl From<IdNumber> for String {
    fn from(n: IdNumber) -> String {
        n.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dashed_and_bare_and_normalises() {
        let a = IdNumber::parse("f", "35202-1234567-1").unwrap();
        let b = IdNumber::parse("f", "3520212345671").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.digits(), "3520212345671");
        assert_eq!(a.dashed(), "35202-1234567-1");
        assert_eq!(IdNumber::parse("f", "  3520212345671 ").unwrap(), a);
    }

    #[test]
    fn rejects_other_shapes_naming_field_and_problem() {
        for bad in [
            "",
            "123",
            "35202-1234567",
            "352021234567X",
            "3520-21234567-1",
            "35202 1234567 1",
            "35202-1234567-12",
            "٣٥٢٠٢١٢٣٤٥٦٧١",
        ] {
            let err = IdNumber::parse("members[0].id_number", bad).unwrap_err();
            let msg = err.to_string();
            assert!(msg.starts_with("members[0].id_number: "), "{bad:?}: {msg}");
        }
        let msg = IdNumber::parse("x", "123").unwrap_err().to_string();
        assert!(
            msg.contains("13 digits") && msg.contains("has 3 digits"),
            "{msg}"
        );
        let msg = IdNumber::parse("x", "3520-21234567-1")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("dashes go after"), "{msg}");
    }

    #[test]
    fn parity_warning_only_when_sex_disagrees() {
        let odd = IdNumber::parse("f", "35202-1234567-1").unwrap();
        let even = IdNumber::parse("f", "35202-1234567-2").unwrap();
        assert!(odd.warnings("f", Some(Sex::Male)).is_empty());
        assert!(even.warnings("f", Some(Sex::Female)).is_empty());
        assert_eq!(odd.warnings("f", Some(Sex::Female)).len(), 1);
        assert_eq!(even.warnings("f", Some(Sex::Male)).len(), 1);
        assert!(odd.warnings("f", Some(Sex::Transgender)).is_empty());
        assert!(odd.warnings("f", None).is_empty());
    }

    #[test]
    fn province_digit_warning() {
        for (n, warn) in [
            ("0520212345671", true),
            ("8520212345671", true),
            ("9520212345671", true),
        ] {
            assert_eq!(
                !IdNumber::parse("f", n)
                    .unwrap()
                    .warnings("f", None)
                    .is_empty(),
                warn
            );
        }
        for d in 1..=7 {
            let n = format!("{d}520212345671");
            assert!(IdNumber::parse("f", &n)
                .unwrap()
                .warnings("f", None)
                .is_empty());
        }
    }

    #[test]
    fn serde_round_trip_uses_digits() {
        let n = IdNumber::parse("f", "35202-1234567-1").unwrap();
        let j = serde_json::to_string(&n).unwrap();
        assert_eq!(j, "\"3520212345671\"");
        let back: IdNumber = serde_json::from_str("\"35202-1234567-1\"").unwrap();
        assert_eq!(back, n);
        assert!(serde_json::from_str::<IdNumber>("\"12\"").is_err());
    }
}
