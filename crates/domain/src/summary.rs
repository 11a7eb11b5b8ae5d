//! A household as a list shows it: [`HouseholdSummary`], the one list row of the device's store, the
//! registry, the app and the command line; and [`Projection`], what a store indexes about a household
//! (its row plus every member's ID number, for duplicate search).
//!
//! Both are derived from a [`Household`] here ([`HouseholdSummary::of`], [`Projection::of`]) or read
//! straight from its document by [`crate::HouseholdDoc::projection`]; a test holds the two ways to the
//! same answer.
//!
//! The JSON names are the ones `household list --json` and the registry's `GET /households` have always
//! printed: `ref` for the reference number, the status by its name, `updated_at` in RFC 3339.

use crate::household::{Household, Status};
use crate::id_number::IdNumber;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One row of a household list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdSummary {
    /// Household id.
    pub id: Uuid,
    /// Reference number.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Area code.
    pub area: String,
    /// The head of household's name (the first member recorded as head), if there is a head.
    pub head_name: Option<String>,
    /// The head's CNIC or B-form number (13 digits in JSON).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, pattern = "^[0-9]{13}$"))]
    pub head_id_number: Option<IdNumber>,
    /// Members on the roster (removed members not counted).
    pub member_count: u32,
    /// Workflow status.
    pub status: Status,
    /// Fields holding concurrent values.
    pub conflict_count: u32,
    /// When the household was last changed.
    #[serde(with = "rfc3339")]
    pub updated_at: DateTime<Utc>,
}

impl HouseholdSummary {
    /// The list row of `h`, which has `conflict_count` open conflicts.
    pub fn of(h: &Household, conflict_count: u32) -> Self {
        let head = h.head();
        HouseholdSummary {
            id: h.id,
            reference: h.reference.clone(),
            area: h.area.clone(),
            head_name: head.map(|m| m.name.clone()),
            head_id_number: head.and_then(|m| m.id_number.clone()),
            member_count: u32::try_from(h.members.len()).unwrap_or(u32::MAX),
            status: h.status,
            conflict_count,
            updated_at: h.updated_at,
        }
    }
}

/// What a store indexes about a household.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The list row.
    pub summary: HouseholdSummary,
    /// Every member's ID number, in roster order (members without one are skipped).
    pub id_numbers: Vec<IdNumber>,
    /// The card's date of issue (`YYYY-MM-DD`) of each member who has an ID number and gave it
    /// (the member answer [`crate::id_number::ISSUE_DATE_ANSWER`]), by the number's 13 digits: what
    /// the registry indexes beside the number, so a citizen's look-up needs no document.
    pub id_issued: std::collections::BTreeMap<String, String>,
    /// When the household was first recorded (the citizen status page's "surveyed on").
    pub created_at: DateTime<Utc>,
    /// The household's phone answer ([`PHONE_ANSWER`]) when it is text: the SMS service replies
    /// with details only to this line.
    pub phone: Option<String>,
    /// Every member on the roster (removed members not listed), in roster order: what the
    /// registry keeps beside its ID-number index for the citizen status page, so a look-up reads
    /// no document.
    pub roster: Vec<RosterMember>,
}

/// The household answer holding the family's phone number.
pub const PHONE_ANSWER: &str = "phone";

/// One member of a [`Projection`]'s roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterMember {
    /// Member id.
    pub id: Uuid,
    /// The name as recorded.
    pub name: String,
    /// The member's CNIC or B-form number, if recorded.
    pub id_number: Option<IdNumber>,
}

impl Projection {
    /// The projection of `h`, which has `conflict_count` open conflicts.
    pub fn of(h: &Household, conflict_count: u32) -> Self {
        Projection {
            summary: HouseholdSummary::of(h, conflict_count),
            id_numbers: h
                .members
                .iter()
                .filter_map(|m| m.id_number.clone())
                .collect(),
            id_issued: h
                .members
                .iter()
                .filter_map(|m| {
                    let n = m.id_number.as_ref()?;
                    let d = m
                        .answers
                        .get(crate::id_number::ISSUE_DATE_ANSWER)?
                        .as_str()?;
                    Some((n.digits().to_string(), d.to_string()))
                })
                .collect(),
            created_at: h.created_at,
            phone: h
                .answers
                .get(PHONE_ANSWER)
                .and_then(|v| v.as_str())
                .map(str::to_string),
            roster: h
                .members
                .iter()
                .map(|m| RosterMember {
                    id: m.id,
                    name: m.name.clone(),
                    id_number: m.id_number.clone(),
                })
                .collect(),
        }
    }
}

/// `updated_at` as RFC 3339 with an explicit offset (`+00:00`), the form lists have always printed.
mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.to_rfc3339())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_json_row_keeps_the_names_lists_have_always_printed() {
        let row = HouseholdSummary {
            id: Uuid::nil(),
            reference: "PK10101-K7QD2-1".into(),
            area: "PK10101".into(),
            head_name: Some("Bilal Khan".into()),
            head_id_number: Some(IdNumber::parse("cnic", "35202-1234567-1").unwrap()),
            member_count: 3,
            status: Status::Complete,
            conflict_count: 1,
            updated_at: DateTime::from_timestamp_millis(1_700_000_000_123).unwrap(),
        };
        let v = serde_json::to_value(&row).unwrap();
        assert_eq!(
            v,
            json!({
                "id": "00000000-0000-0000-0000-000000000000",
                "ref": "PK10101-K7QD2-1",
                "area": "PK10101",
                "head_name": "Bilal Khan",
                "head_id_number": "3520212345671",
                "member_count": 3,
                "status": "complete",
                "conflict_count": 1,
                "updated_at": "2023-11-14T22:13:20.123+00:00",
            })
        );
        let back: HouseholdSummary = serde_json::from_value(v).unwrap();
        assert_eq!(back, row);
    }
}
