//! Paths to the fields a user can set, as `set` commands and the app name them.

use super::keys;
use crate::error::{DomainError, Result};
use uuid::Uuid;

/// A parsed path to a settable field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldPath {
    /// `answers.<name>`
    Answer(String),
    /// `members.<id>.<core field>` (name, relation, sex, dob, age, id_number)
    MemberField(Uuid, String),
    /// `members.<id>.answers.<name>` or `members.<id>.<name>` for a non-core name
    MemberAnswer(Uuid, String),
    /// `status`
    Status,
    /// `area`
    Area,
    /// `gps`
    Gps,
    /// `form_version`
    FormVersion,
}

impl FieldPath {
    /// Parses `answers.rooms`, `members.<uuid>.name`, `status`, ...
    ///
    /// A path is the document's own key names joined by dots, so it reads as the layout does.
    pub fn parse(path: &str) -> Result<Self> {
        let bad = || DomainError::UnknownPath(path.to_string());
        let ok_name = |s: &str| {
            !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            [keys::STATUS] => Ok(FieldPath::Status),
            [keys::AREA] => Ok(FieldPath::Area),
            [keys::GPS] => Ok(FieldPath::Gps),
            [keys::FORM_VERSION] => Ok(FieldPath::FormVersion),
            [keys::ANSWERS, name] if ok_name(name) => Ok(FieldPath::Answer(name.to_string())),
            [keys::MEMBERS, id, field] => {
                let id = Uuid::parse_str(id).map_err(|_| bad())?;
                if keys::MEMBER_CORE.contains(field) {
                    Ok(FieldPath::MemberField(id, field.to_string()))
                } else if ok_name(field)
                    && ![keys::ANSWERS, keys::LINE, keys::REMOVED].contains(field)
                {
                    Ok(FieldPath::MemberAnswer(id, field.to_string()))
                } else {
                    Err(bad())
                }
            }
            [keys::MEMBERS, id, keys::ANSWERS, name] if ok_name(name) => {
                let id = Uuid::parse_str(id).map_err(|_| bad())?;
                Ok(FieldPath::MemberAnswer(id, name.to_string()))
            }
            _ => Err(bad()),
        }
    }

    /// The path as text (`members.<id>.<name>` for a member's answer), naming the field in errors.
    pub fn to_text(&self) -> String {
        match self {
            FieldPath::Answer(n) => format!("{}.{n}", keys::ANSWERS),
            FieldPath::MemberField(id, f) => format!("{}.{id}.{f}", keys::MEMBERS),
            FieldPath::MemberAnswer(id, n) => format!("{}.{id}.{n}", keys::MEMBERS),
            FieldPath::Status => keys::STATUS.into(),
            FieldPath::Area => keys::AREA.into(),
            FieldPath::Gps => keys::GPS.into(),
            FieldPath::FormVersion => keys::FORM_VERSION.into(),
        }
    }
}
