//! What a user is at the registry. The role travels in the enrollment answer as its name and is
//! stored by the registry as its name; the names are part of the protocol.

use std::fmt;
use std::str::FromStr;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Enumerates households on a tablet.
    Surveyor,
    /// Oversees a team of surveyors.
    Supervisor,
    /// District office.
    District,
    /// Province office.
    Province,
    /// Federal office.
    Federal,
}

impl Role {
    /// Every role, from the field upwards.
    pub const ALL: [Role; 5] = [
        Role::Surveyor,
        Role::Supervisor,
        Role::District,
        Role::Province,
        Role::Federal,
    ];

    /// The role's name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Surveyor => "surveyor",
            Role::Supervisor => "supervisor",
            Role::District => "district",
            Role::Province => "province",
            Role::Federal => "federal",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role; use one of surveyor, supervisor, district, province, federal")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_from_their_names_only() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
            assert_eq!(r.to_string(), r.as_str());
        }
        let e = "admin".parse::<Role>().unwrap_err();
        assert!(e.to_string().contains("surveyor, supervisor"), "{e}");
        assert_eq!(
            "Surveyor".parse::<Role>(),
            Err(UnknownRole("Surveyor".into()))
        );
        // JSON (the CLI's `--json`) uses the same names.
        assert_eq!(
            serde_json::to_string(&Role::Province).unwrap(),
            "\"province\""
        );
    }
}
