//! The words of grievances: categories with their SLAs ([`GrievanceSettings`], the `[grievances]`
//! table of the settings file), channels, statuses and the plain words a citizen reads for each
//! status in English and Urdu. Pure: the service (`grievances.rs`) stores and checks.

use serde::{Deserialize, Serialize};
use shumari_sms::Lang;

/// Defines a closed list of names stored as text: `as_str`, `parse` and `ALL`.
macro_rules! names {
    ($(#[$m:meta])* $enum:ident, $what:literal { $($(#[$vm:meta])* $v:ident => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $enum { $($(#[$vm])* $v,)* }

        impl $enum {
            /// Every value.
            pub const ALL: &'static [$enum] = &[$($enum::$v,)*];

            /// The stored name.
            pub fn as_str(self) -> &'static str {
                match self { $($enum::$v => $s,)* }
            }

            /// From the stored name; another is a bad request naming the choices.
            pub fn parse(s: &str) -> Result<Self, crate::RegistryError> {
                match s {
                    $($s => Ok($enum::$v),)*
                    other => Err(crate::RegistryError::BadRequest(format!(
                        concat!("`{}` is not a ", $what, "; use one of {}"),
                        other,
                        [$($s),*].join(", ")
                    ))),
                }
            }
        }
    };
}

names!(
    /// What a grievance is about.
    Category, "grievance category" {
        /// A payment the household is owed did not arrive.
        NotPaid => "not_paid",
        /// Less arrived than was paid (an agent's cut, a wrong amount).
        PaidLess => "paid_less",
        /// The registry holds wrong data about the household.
        WrongData => "wrong_data",
        /// The household was found not eligible and says it is.
        ExcludedWrongly => "excluded_wrongly",
        /// An agent, retailer or official behaved badly.
        AgentMisconduct => "agent_misconduct",
        /// Anything else.
        Other => "other",
    }
);

names!(
    /// How a grievance reached the registry.
    Channel, "grievance channel" {
        /// The citizen status portal.
        Portal => "portal",
        /// An SMS from the citizen.
        Sms => "sms",
        /// An officer at the console, on the citizen's behalf.
        Console => "console",
        /// A community organisation, on the citizen's behalf.
        Community => "community",
    }
);

names!(
    /// Where a grievance stands.
    GrievanceStatus, "grievance status" {
        /// Filed; nobody has worked on it yet.
        Open => "open",
        /// An officer is working on it (a note was added).
        InProgress => "in_progress",
        /// Past its SLA unresolved: the province's office has it.
        Escalated => "escalated",
        /// Resolved, with a resolution the citizen reads.
        Resolved => "resolved",
        /// Closed without further action.
        Closed => "closed",
    }
);

impl GrievanceStatus {
    /// Whether someone still has to act on it.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            GrievanceStatus::Open | GrievanceStatus::InProgress | GrievanceStatus::Escalated
        )
    }

    /// The status as a citizen reads it, in plain words.
    pub fn citizen_words(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (GrievanceStatus::Open, Lang::En) => "Received. The district office will look into it.",
            (GrievanceStatus::InProgress, Lang::En) => "The district office is working on it.",
            (GrievanceStatus::Escalated, Lang::En) => {
                "It took too long, so it was sent to the provincial office."
            }
            (GrievanceStatus::Resolved, Lang::En) => "Resolved. Read the answer below.",
            (GrievanceStatus::Closed, Lang::En) => "Closed.",
            (GrievanceStatus::Open, Lang::Ur) => "موصول ہو گئی۔ ضلعی دفتر اس کو دیکھے گا۔",
            (GrievanceStatus::InProgress, Lang::Ur) => "ضلعی دفتر اس پر کام کر رہا ہے۔",
            (GrievanceStatus::Escalated, Lang::Ur) => "تاخیر کی وجہ سے صوبائی دفتر کو بھیج دی گئی۔",
            (GrievanceStatus::Resolved, Lang::Ur) => "حل ہو گئی۔ جواب نیچے پڑھیں۔",
            (GrievanceStatus::Closed, Lang::Ur) => "بند کر دی گئی۔",
        }
    }
}

/// A status in plain words in both languages (what JSON answers carry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    /// English.
    pub en: &'static str,
    /// Urdu.
    pub ur: &'static str,
}

impl Words {
    /// The citizen's words for `s`.
    pub fn of(s: GrievanceStatus) -> Words {
        Words {
            en: s.citizen_words(Lang::En),
            ur: s.citizen_words(Lang::Ur),
        }
    }
}

/// The `[grievances]` table: days each category has before it is escalated, and how often a
/// serving registry looks for overdue grievances. An absent key keeps the default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GrievanceSettings {
    /// Days for `not_paid`.
    pub not_paid_days: u32,
    /// Days for `paid_less`.
    pub paid_less_days: u32,
    /// Days for `wrong_data`.
    pub wrong_data_days: u32,
    /// Days for `excluded_wrongly`.
    pub excluded_wrongly_days: u32,
    /// Days for `agent_misconduct`.
    pub agent_misconduct_days: u32,
    /// Days for `other`.
    pub other_days: u32,
    /// Minutes between two looks for overdue grievances by `registry serve`.
    pub escalate_every_minutes: u64,
}

impl Default for GrievanceSettings {
    fn default() -> Self {
        GrievanceSettings {
            not_paid_days: 7,
            paid_less_days: 7,
            wrong_data_days: 15,
            excluded_wrongly_days: 30,
            // Misconduct is urgent: the agent may be taking cuts from others meanwhile.
            agent_misconduct_days: 7,
            other_days: 15,
            escalate_every_minutes: 15,
        }
    }
}

impl GrievanceSettings {
    /// The SLA of `c`, in days.
    pub fn sla_days(&self, c: Category) -> u32 {
        match c {
            Category::NotPaid => self.not_paid_days,
            Category::PaidLess => self.paid_less_days,
            Category::WrongData => self.wrong_data_days,
            Category::ExcludedWrongly => self.excluded_wrongly_days,
            Category::AgentMisconduct => self.agent_misconduct_days,
            Category::Other => self.other_days,
        }
    }

    /// When a grievance of `c` filed at `filed_at` (ms) is due (ms).
    pub fn due_at(&self, c: Category, filed_at: i64) -> i64 {
        filed_at.saturating_add(i64::from(self.sla_days(c)) * 86_400_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_an_unknown_one_names_the_choices() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()).unwrap(), *c);
        }
        for s in GrievanceStatus::ALL {
            assert_eq!(GrievanceStatus::parse(s.as_str()).unwrap(), *s);
            assert_ne!(s.citizen_words(Lang::En), s.citizen_words(Lang::Ur));
        }
        let e = Channel::parse("fax").unwrap_err().to_string();
        assert!(e.contains("portal, sms, console, community"), "{e}");
    }

    #[test]
    fn the_sla_comes_from_the_settings_by_category() {
        let s: GrievanceSettings = toml::from_str("paid_less_days = 3").unwrap();
        assert_eq!(s.sla_days(Category::PaidLess), 3);
        assert_eq!(s.sla_days(Category::NotPaid), 7);
        assert_eq!(s.due_at(Category::PaidLess, 1_000), 1_000 + 3 * 86_400_000);
        assert!(toml::from_str::<GrievanceSettings>("late_days = 3").is_err());
    }
}
