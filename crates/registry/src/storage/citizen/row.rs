//! The citizen row (migration V22): what the status page and the SMS service show of a household
//! beyond its list row, kept beside the ID-number index so that a look-up decodes no document.
//!
//! The ingest writes it in the same transaction as the household (`commit_ingest`, from the
//! [`Projection`] it already reads), so the row is never older or newer than the household it sits
//! beside; households stored before V22 get theirs from the registry's start-up catch-up
//! (`service/citizen_rows.rs`), and until then a look-up reads their document. Names are stored
//! masked ([`mask_name`]): the row holds no more than the page shows, plus the ID numbers the
//! index already holds.

use shumari_domain::Projection;
use uuid::Uuid;

/// One member as the row keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RosterLine {
    /// Member id.
    pub id: Uuid,
    /// The name, masked.
    pub name: String,
    /// The member's ID number (13 digits), if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// The card's date of issue recorded beside the number (`YYYY-MM-DD`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
}

/// A household's citizen row as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenRow {
    /// When the household was first recorded (ms since epoch).
    pub surveyed_at: i64,
    /// The household's phone answer, if text.
    pub phone: Option<String>,
    /// The roster ([`RosterLine`]s) as JSON, in roster order.
    pub roster: String,
}

impl CitizenRow {
    /// The row of the household `p` projects.
    pub fn of(p: &Projection) -> Self {
        let roster: Vec<RosterLine> = p
            .roster
            .iter()
            .map(|m| {
                let number = m.id_number.as_ref().map(|n| n.digits().to_string());
                RosterLine {
                    id: m.id,
                    name: mask_name(&m.name),
                    issued: number.as_ref().and_then(|n| p.id_issued.get(n).cloned()),
                    number,
                }
            })
            .collect();
        CitizenRow {
            surveyed_at: p.created_at.timestamp_millis(),
            phone: p.phone.clone(),
            // A list of plain structs always serialises.
            roster: serde_json::to_string(&roster).unwrap_or_else(|_| "[]".into()),
        }
    }
}

/// A stored roster read back (`None` when it is not one this module wrote).
pub fn roster_of(text: &str) -> Option<Vec<RosterLine>> {
    serde_json::from_str(text).ok()
}

/// Masks a name for a page anyone with the card can open: each word keeps its first letter (two
/// when it is longer than four), the rest becomes `*`, so a family recognises itself and a stranger
/// learns little ("Ayesha Bibi" → "Ay**** B***").
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|w| {
            let n = w.chars().count();
            let keep = if n > 4 { 2 } else { 1 };
            let mut s: String = w.chars().take(keep).collect();
            s.extend(std::iter::repeat_n('*', n - keep));
            s
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_first_letters_only() {
        assert_eq!(mask_name("Ayesha Bibi"), "Ay**** B***");
        assert_eq!(mask_name("Ali"), "A**");
        assert_eq!(mask_name("  Muhammad   Aslam Khan "), "Mu****** As*** K***");
        assert_eq!(mask_name("عائشہ بی بی"), "عا*** ب* ب*");
    }

    #[test]
    fn a_roster_reads_back_as_written() {
        let lines = vec![
            RosterLine {
                id: Uuid::from_u128(1),
                name: "Ay**** B***".into(),
                number: Some("3520212345671".into()),
                issued: Some("2015-08-14".into()),
            },
            RosterLine {
                id: Uuid::from_u128(2),
                name: "Im*** K***".into(),
                number: None,
                issued: None,
            },
        ];
        let text = serde_json::to_string(&lines).unwrap();
        assert!(!text.contains("null"), "absent fields are left out: {text}");
        assert_eq!(roster_of(&text), Some(lines));
        assert_eq!(roster_of("not json"), None);
    }
}
