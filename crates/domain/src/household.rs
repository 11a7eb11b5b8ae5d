//! Households and members: the plain Rust view of a household, the JSON a user gives (`HouseholdInput`),
//! and the rules that turn one into the other.

use crate::area::AreaRegistry;
use crate::error::{DomainError, Result};
use crate::id_number::{IdNumber, Warning};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Form answers: question name to a scalar JSON value (text, number, boolean or null).
///
/// A select_multiple answer is ODK's space-separated list (`"tv fridge"`), a geopoint ODK's
/// `"lat lon alt accuracy"`; nothing is nested, so every answer merges as one value.
pub type Answers = BTreeMap<String, Value>;

/// A member's sex as NADRA records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
    /// Transgender (CNIC sex "X").
    Transgender,
}

impl Sex {
    /// The JSON/choice name.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
            Sex::Transgender => "transgender",
        }
    }
}

/// Relation to the head of household, as the questionnaire's choice names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The head of household.
    Head,
    /// Wife or husband of the head.
    Spouse,
    /// Son.
    Son,
    /// Daughter.
    Daughter,
    /// Mother or father.
    Parent,
    /// Brother or sister.
    Sibling,
    /// Grandson or granddaughter.
    Grandchild,
    /// Son- or daughter-in-law.
    InLaw,
    /// Any other relative or unrelated member.
    Other,
}

impl Relation {
    /// Every relation, in questionnaire order.
    pub const ALL: [Relation; 9] = [
        Relation::Head,
        Relation::Spouse,
        Relation::Son,
        Relation::Daughter,
        Relation::Parent,
        Relation::Sibling,
        Relation::Grandchild,
        Relation::InLaw,
        Relation::Other,
    ];

    /// The JSON/choice name.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Head => "head",
            Relation::Spouse => "spouse",
            Relation::Son => "son",
            Relation::Daughter => "daughter",
            Relation::Parent => "parent",
            Relation::Sibling => "sibling",
            Relation::Grandchild => "grandchild",
            Relation::InLaw => "in_law",
            Relation::Other => "other",
        }
    }

    fn parse(field: &str, s: &str) -> Result<Self> {
        Relation::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Relation::ALL.iter().map(|r| r.as_str()).collect();
                DomainError::invalid(
                    field,
                    format!("`{s}` is not a relation; use one of {}", names.join(", ")),
                )
            })
    }
}

impl Sex {
    fn parse(field: &str, s: &str) -> Result<Self> {
        match s {
            "male" => Ok(Sex::Male),
            "female" => Ok(Sex::Female),
            "transgender" => Ok(Sex::Transgender),
            other => Err(DomainError::invalid(
                field,
                format!("`{other}` is not a sex; use male, female or transgender"),
            )),
        }
    }
}

/// Where a household's interview is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Being filled in; may be incomplete.
    Draft,
    /// The surveyor marked it complete (the form was valid).
    Complete,
    /// Sent to a supervisor.
    Submitted,
    /// Accepted by a supervisor or the registry.
    Approved,
    /// Sent back to the surveyor for corrections.
    Returned,
    /// Refused (e.g. a duplicate).
    Rejected,
}

impl Status {
    /// Every status in workflow order.
    pub const ALL: [Status; 6] = [
        Status::Draft,
        Status::Complete,
        Status::Submitted,
        Status::Approved,
        Status::Returned,
        Status::Rejected,
    ];

    /// The JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Complete => "complete",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Returned => "returned",
            Status::Rejected => "rejected",
        }
    }

    /// Parses a status name.
    pub fn parse(s: &str) -> Result<Self> {
        Status::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            DomainError::invalid(
                "status",
                format!("`{s}` is not a status; use draft, complete, submitted, approved, returned or rejected"),
            )
        })
    }

    /// Whether the workflow allows moving from `self` to `to` (staying put is always allowed).
    pub fn can_move_to(self, to: Status) -> bool {
        self == to || crate::roles::STEPS.contains(&(self, to))
    }
}

/// A GPS fix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Accuracy radius in metres, if the device reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
}

impl GeoPoint {
    /// Checks the ranges.
    pub fn validate(&self) -> Result<()> {
        if !(-90.0..=90.0).contains(&self.lat) || !(-180.0..=180.0).contains(&self.lon) {
            return Err(DomainError::invalid(
                "gps",
                "latitude must be -90..90 and longitude -180..180",
            ));
        }
        if self
            .accuracy
            .is_some_and(|a| !(0.0..=100_000.0).contains(&a))
        {
            return Err(DomainError::invalid(
                "gps",
                "accuracy must be 0..100000 metres",
            ));
        }
        Ok(())
    }

    /// ODK's geopoint text, `"lat lon alt accuracy"`.
    pub fn to_odk(&self) -> String {
        format!(
            "{} {} 0 {}",
            self.lat,
            self.lon,
            self.accuracy.unwrap_or(0.0)
        )
    }

    /// Parses ODK's geopoint text.
    pub fn from_odk(s: &str) -> Result<Self> {
        let nums: Vec<f64> = s
            .split_whitespace()
            .map(str::parse)
            .collect::<std::result::Result<_, _>>()
            .map_err(|_| DomainError::invalid("gps", "expected `lat lon [alt accuracy]`"))?;
        let p = match nums.as_slice() {
            [lat, lon] | [lat, lon, _] => GeoPoint {
                lat: *lat,
                lon: *lon,
                accuracy: None,
            },
            [lat, lon, _, acc] => GeoPoint {
                lat: *lat,
                lon: *lon,
                accuracy: (*acc > 0.0).then_some(*acc),
            },
            _ => {
                return Err(DomainError::invalid(
                    "gps",
                    "expected `lat lon [alt accuracy]`",
                ))
            }
        };
        p.validate()?;
        Ok(p)
    }
}

/// A member of a household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    /// Made on the device that added the member.
    pub id: Uuid,
    /// Line number on the roster (1 = first listed).
    pub line: u32,
    /// Full name.
    pub name: String,
    /// Relation to the head.
    pub relation: Relation,
    /// Sex.
    pub sex: Sex,
    /// Date of birth, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<NaiveDate>,
    /// Age in completed years, when the date of birth is not known (or as given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    /// CNIC or B-form number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<IdNumber>,
    /// Member-level form answers.
    #[serde(default)]
    pub answers: Answers,
}

/// A household as the rest of the product sees it (the winning value of every field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    /// UUIDv7 made on the device.
    pub id: Uuid,
    /// Short reference number written on the family's slip.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Area code (P-code or deeper).
    pub area: String,
    /// Where the interview took place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gps: Option<GeoPoint>,
    /// Questionnaire id.
    pub form_id: String,
    /// Questionnaire version it was filled with.
    pub form_version: String,
    /// Household-level answers.
    pub answers: Answers,
    /// Members in roster order.
    pub members: Vec<Member>,
    /// Workflow status.
    pub status: Status,
    /// User who created it.
    pub created_by: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// User who changed it last.
    pub updated_by: String,
    /// When it was changed last.
    pub updated_at: DateTime<Utc>,
    /// The last review decision (absent before any review).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::review::Review>,
}

impl Household {
    /// The member recorded as head, if any (the first one if several).
    pub fn head(&self) -> Option<&Member> {
        self.members.iter().find(|m| m.relation == Relation::Head)
    }

    /// The whole-household rules that span members: ID numbers unique, ranges valid. Returns warnings.
    pub fn validate(&self, areas: &AreaRegistry, today: NaiveDate) -> Result<Vec<Warning>> {
        areas.get(&self.area)?;
        if let Some(g) = &self.gps {
            g.validate()?;
        }
        let mut seen: BTreeMap<&str, String> = BTreeMap::new();
        let mut warnings = Vec::new();
        for (i, m) in self.members.iter().enumerate() {
            let base = format!("members[{i}]");
            if m.name.trim().is_empty() {
                return Err(DomainError::invalid(
                    format!("{base}.name"),
                    "the name is empty",
                ));
            }
            if let Some(age) = m.age {
                if age > 125 {
                    return Err(DomainError::invalid(
                        format!("{base}.age"),
                        "age must be 0 to 125 years",
                    ));
                }
            }
            if let Some(dob) = m.dob {
                if dob > today {
                    return Err(DomainError::invalid(
                        format!("{base}.dob"),
                        "date of birth is in the future",
                    ));
                }
                if today.years_since(dob).is_some_and(|y| y > 125) {
                    return Err(DomainError::invalid(
                        format!("{base}.dob"),
                        "date of birth is over 125 years ago",
                    ));
                }
            }
            for (k, v) in &m.answers {
                check_scalar(&format!("{base}.answers.{k}"), v)?;
            }
            if let Some(n) = &m.id_number {
                let field = format!("{base}.id_number");
                if let Some(first) = seen.get(n.digits()) {
                    return Err(DomainError::DuplicateIdNumber {
                        field,
                        other: first.clone(),
                    });
                }
                warnings.extend(n.warnings(&field, Some(m.sex)));
                seen.insert(n.digits(), field);
            }
        }
        for (k, v) in &self.answers {
            check_scalar(&format!("answers.{k}"), v)?;
        }
        Ok(warnings)
    }
}

/// Answers must be scalars so that each merges as one value (see [`Answers`]).
pub(crate) fn check_scalar(field: &str, v: &Value) -> Result<()> {
    match v {
        Value::Array(_) | Value::Object(_) => Err(DomainError::invalid(
            field,
            "an answer is one value (text, number, true/false); a multiple choice is a space-separated list",
        )),
        Value::Number(n) if n.as_f64().is_some_and(|f| !f.is_finite()) => {
            Err(DomainError::invalid(field, "number out of range"))
        }
        _ => Ok(()),
    }
}

/// A member as a user gives it in JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    /// Present when editing an existing member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Full name.
    #[serde(default)]
    pub name: String,
    /// Relation to the head (choice name).
    #[serde(default)]
    pub relation: String,
    /// `male`, `female` or `transgender`.
    #[serde(default)]
    pub sex: String,
    /// Age in years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<Value>,
    /// Date of birth `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dob: Option<String>,
    /// CNIC or B-form number, dashed or 13 digits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_number: Option<String>,
    /// Member-level answers.
    #[serde(default)]
    pub answers: Answers,
}

/// A household as a user gives it in JSON (`shumari household add`, import lines).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    /// Area code; may be given on the command line instead.
    #[serde(default)]
    pub area: Option<String>,
    /// Where the interview took place.
    #[serde(default)]
    pub gps: Option<GeoPoint>,
    /// Household-level answers.
    #[serde(default)]
    pub answers: Answers,
    /// The roster.
    #[serde(default)]
    pub members: Vec<MemberInput>,
    /// Ignored on input (present so that `show --json` output can be fed back to `add`).
    #[serde(default, rename = "id", skip_serializing)]
    pub _id: Option<Value>,
    /// Ignored on input.
    #[serde(default, rename = "ref", skip_serializing)]
    pub _reference: Option<Value>,
    /// Ignored on input: a new household always starts as a draft.
    #[serde(default, rename = "status", skip_serializing)]
    pub _status: Option<Value>,
}

impl MemberInput {
    /// Validates one member; `base` is its path (`members[2]`) for error messages.
    pub fn to_member(&self, base: &str, line: u32) -> Result<Member> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(DomainError::invalid(
                format!("{base}.name"),
                "the name is missing",
            ));
        }
        if name.chars().count() > 120 {
            return Err(DomainError::invalid(
                format!("{base}.name"),
                "the name is longer than 120 characters",
            ));
        }
        let relation = if self.relation.is_empty() {
            return Err(DomainError::invalid(
                format!("{base}.relation"),
                "the relation to the head is missing",
            ));
        } else {
            Relation::parse(&format!("{base}.relation"), &self.relation)?
        };
        let sex = if self.sex.is_empty() {
            return Err(DomainError::invalid(
                format!("{base}.sex"),
                "the sex is missing",
            ));
        } else {
            Sex::parse(&format!("{base}.sex"), &self.sex)?
        };
        let age = match &self.age {
            None | Some(Value::Null) => None,
            Some(v) => Some(parse_age(&format!("{base}.age"), v)?),
        };
        let dob = match self.dob.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(parse_date(&format!("{base}.dob"), s)?),
        };
        if age.is_none() && dob.is_none() {
            return Err(DomainError::invalid(
                format!("{base}.age"),
                "give the age in years or the date of birth",
            ));
        }
        let id_number = match self.id_number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(IdNumber::parse(&format!("{base}.id_number"), s)?),
        };
        Ok(Member {
            id: self.id.unwrap_or_else(Uuid::new_v4),
            line,
            name: name.to_string(),
            relation,
            sex,
            dob,
            age,
            id_number,
            answers: self.answers.clone(),
        })
    }
}

/// Parses an age given as a JSON number or numeric string.
pub fn parse_age(field: &str, v: &Value) -> Result<u32> {
    let n = match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if n <= 125 => Ok(n as u32),
        _ => Err(DomainError::invalid(
            field,
            "age must be a whole number of years, 0 to 125",
        )),
    }
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| DomainError::invalid(field, "a date is written YYYY-MM-DD, e.g. 1990-02-28"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn member_input_rules() {
        let ok = MemberInput {
            name: " Ayesha Bibi ".into(),
            relation: "head".into(),
            sex: "female".into(),
            age: Some(json!(34)),
            id_number: Some("35202-1234567-2".into()),
            ..Default::default()
        };
        let m = ok.to_member("members[0]", 1).unwrap();
        assert_eq!(m.name, "Ayesha Bibi");
        assert_eq!(m.id_number.unwrap().digits(), "3520212345672");

        let cases: Vec<(MemberInput, &str)> = vec![
            (
                MemberInput {
                    name: "".into(),
                    ..ok.clone()
                },
                "members[0].name: the name is missing",
            ),
            (
                MemberInput {
                    relation: "cousin".into(),
                    ..ok.clone()
                },
                "members[0].relation: `cousin` is not a relation",
            ),
            (
                MemberInput {
                    sex: "f".into(),
                    ..ok.clone()
                },
                "members[0].sex: `f` is not a sex",
            ),
            (
                MemberInput {
                    age: Some(json!(-1)),
                    ..ok.clone()
                },
                "members[0].age: age must be",
            ),
            (
                MemberInput {
                    age: Some(json!(200)),
                    ..ok.clone()
                },
                "members[0].age: age must be",
            ),
            (
                MemberInput {
                    age: None,
                    dob: None,
                    ..ok.clone()
                },
                "give the age in years or the date of birth",
            ),
            (
                MemberInput {
                    dob: Some("23/11/1990".into()),
                    ..ok.clone()
                },
                "members[0].dob: a date is written YYYY-MM-DD",
            ),
            (
                MemberInput {
                    id_number: Some("123".into()),
                    ..ok.clone()
                },
                "members[0].id_number: a CNIC or B-form number has 13 digits",
            ),
        ];
        for (input, want) in cases {
            let err = input.to_member("members[0]", 1).unwrap_err().to_string();
            assert!(err.contains(want), "want {want:?}, got {err:?}");
        }
    }

    #[test]
    fn status_workflow() {
        assert!(Status::Draft.can_move_to(Status::Complete));
        assert!(!Status::Draft.can_move_to(Status::Approved));
        assert!(Status::Submitted.can_move_to(Status::Returned));
        assert_eq!(Status::parse("approved").unwrap(), Status::Approved);
        assert!(Status::parse("done").is_err());
    }

    #[test]
    fn geopoint_odk_round_trip_and_ranges() {
        let g = GeoPoint {
            lat: 33.7,
            lon: 73.1,
            accuracy: Some(5.0),
        };
        assert_eq!(GeoPoint::from_odk(&g.to_odk()).unwrap(), g);
        assert!(GeoPoint::from_odk("91 10").is_err());
        assert!(GeoPoint::from_odk("abc").is_err());
    }

    #[test]
    fn household_input_rejects_unknown_keys_and_nested_answers() {
        let bad: std::result::Result<HouseholdInput, _> =
            serde_json::from_value(json!({"area": "PK10101", "colour": 1}));
        assert!(bad
            .unwrap_err()
            .to_string()
            .contains("unknown field `colour`"));
        assert!(check_scalar("answers.assets", &json!(["tv"])).is_err());
        assert!(check_scalar("answers.rooms", &json!(3)).is_ok());
    }

    #[test]
    fn dob_in_future_is_refused() {
        let m = MemberInput {
            name: "A".into(),
            relation: "son".into(),
            sex: "male".into(),
            dob: Some("2030-01-01".into()),
            ..Default::default()
        }
        .to_member("members[0]", 1)
        .unwrap();
        let h = Household {
            id: Uuid::nil(),
            reference: "r".into(),
            area: "PK10101".into(),
            gps: None,
            form_id: "f".into(),
            form_version: "1".into(),
            answers: Answers::new(),
            members: vec![m],
            status: Status::Draft,
            created_by: "u".into(),
            created_at: DateTime::default(),
            updated_by: "u".into(),
            updated_at: DateTime::default(),
            review: None,
        };
        let err = h.validate(&AreaRegistry::builtin(), today()).unwrap_err();
        assert!(err.to_string().contains("in the future"));
    }
}
