//! Who may do what: the one table of role x action that the registry enforces on every enrollment and
//! push, and that ARCHITECTURE.md prints.
//!
//! A [`Role`] is what a user is at the registry; its name travels in the enrollment answer and is
//! stored by the registry, so the names are part of the protocol (`shumari_proto` re-exports this
//! type). An [`Action`] is something a user does through a device or the console. [`allows`] answers
//! every pair; it is a `match` on the role, so adding a role or an action does not compile until the
//! table says what it may do.
//!
//! Status changes are steps between [`Status`]es (the workflow draft → complete → submitted →
//! approved / returned / rejected). A device may make several steps between two syncs, so the
//! registry sees only where a household was and where it is now: [`may_move`] asks whether the role
//! can get from one to the other through steps it may each make.
//!
//! ```
//! use shumari_domain::roles::{allows, may_move, Action, Role};
//! use shumari_domain::Status;
//! assert!(allows(Role::Surveyor, Action::EnrollTablet));
//! assert!(!allows(Role::Province, Action::EnrollTablet)); // console users: no tablet holds a province
//! assert!(may_move(Role::Surveyor, Status::Draft, Status::Submitted)); // complete, then submit
//! assert!(!may_move(Role::Surveyor, Status::Submitted, Status::Approved));
//! assert!(may_move(Role::Supervisor, Status::Submitted, Status::Approved));
//! ```

use crate::Status;
use std::fmt;
use std::str::FromStr;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Enumerates households on a tablet.
    Surveyor,
    /// Oversees a team of surveyors: approves, returns or rejects their households.
    Supervisor,
    /// District officer: a supervisor's rights, plus correcting approved households.
    District,
    /// Provincial monitor: reads its province at the console; never on a tablet.
    Province,
    /// Federal monitor: reads the country at the console; never on a tablet.
    Federal,
    /// Community organisation: registers households in its area, but cannot approve them.
    Community,
    /// Administrator: manages users and enrollment codes at the console; no household data.
    Administrator,
    /// Programme officer: loads programmes, runs eligibility and enrolment, prepares payment cycles
    /// and imports the bank's results; never on a tablet.
    Programme,
    /// Finance officer: approves the payment cycles a programme officer prepared and releases their
    /// lists to the bank; never on a tablet.
    Finance,
    /// A district hub: a machine, not a person. It enrolls with the registry like a tablet, holds
    /// its district, relays the changes its own tablets signed (their authors' roles are what the
    /// registry checks) and receives the district's feed to pass down. It makes no change of its
    /// own, so no status step is its.
    Hub,
}

impl Role {
    /// Every role, from the field upwards, then the console-only administrator.
    pub const ALL: [Role; 10] = [
        Role::Surveyor,
        Role::Community,
        Role::Supervisor,
        Role::District,
        Role::Province,
        Role::Federal,
        Role::Administrator,
        Role::Programme,
        Role::Finance,
        Role::Hub,
    ];

    /// The role's name, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Surveyor => "surveyor",
            Role::Supervisor => "supervisor",
            Role::District => "district",
            Role::Province => "province",
            Role::Federal => "federal",
            Role::Community => "community",
            Role::Administrator => "administrator",
            Role::Programme => "programme",
            Role::Finance => "finance",
            Role::Hub => "hub",
        }
    }

    /// What the role is called in plain words.
    pub fn title(self) -> &'static str {
        match self {
            Role::Surveyor => "surveyor",
            Role::Supervisor => "supervisor",
            Role::District => "district officer",
            Role::Province => "provincial monitor",
            Role::Federal => "federal monitor",
            Role::Community => "community organisation",
            Role::Administrator => "administrator",
            Role::Programme => "programme officer",
            Role::Finance => "finance officer",
            Role::Hub => "district hub",
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
#[error(
    "`{0}` is not a role; use one of surveyor, community, supervisor, district, province, federal, administrator, programme, finance, hub"
)]
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

/// The author a store records on its changes before it is enrolled: it names no user.
pub const UNENROLLED_AUTHOR: &str = "local";

/// The author the registry records on the changes it makes itself (acknowledging a submission,
/// recording a review decision), under its own actor; the reviewer is named in the decision.
pub const REGISTRY_AUTHOR: &str = "registry";

/// The author an enrolled device records on its changes, as conflicts show it: the user's name and,
/// in brackets, the registry's id for them. The registry accepts changes only with its own record of
/// this (or [`UNENROLLED_AUTHOR`]).
pub fn author_name(name: &str, user_id: &str) -> String {
    format!("{name} ({user_id})")
}

/// Something a user does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Redeem an enrollment code on a tablet, which then holds every household of the user's areas.
    EnrollTablet,
    /// Push households (new ones, and edits of ones in scope) from a tablet.
    PushHouseholds,
    /// Move a household from one status to another in one step.
    Step(Status, Status),
    /// Edit a household whose status is `approved` (other than moving it out of `approved`).
    EditApproved,
    /// Read the households in the user's areas (tablet feed, console list and detail).
    ReadHouseholds,
    /// Add and disable users, make enrollment codes, revoke devices.
    AdministerUsers,
    /// Assign enumeration areas or single households to a surveyor, and withdraw an assignment.
    AssignWork,
    /// Exchange an area's ID numbers with the national ID authority: export them, import its results.
    VerifyIdentity,
    /// Load programme files, run eligibility and enrol eligible households, suspend or exit them.
    ManageProgrammes,
    /// Prepare a payment cycle's lists and import the bank's result files.
    PreparePayments,
    /// Approve a prepared payment cycle and release its lists to the bank.
    ApprovePayments,
    /// Read programmes, enrolments, payment cycles and their reconciliation in the user's areas.
    ReadPayments,
    /// File a grievance on a citizen's behalf.
    FileGrievance,
    /// Work on grievances routed to the user's areas: notes, escalation, resolution.
    HandleGrievances,
    /// Export households with their personal data (names, ID numbers, phone, address, GPS); without
    /// it an export leaves those columns out.
    ExportPersonalData,
    /// Publish a questionnaire other than the household one (a service point's daily report) to
    /// areas, for their tablets to fill.
    PublishForms,
}

impl Action {
    /// Every action except the steps (see [`STEPS`]).
    pub const PLAIN: [Action; 15] = [
        Action::EnrollTablet,
        Action::PushHouseholds,
        Action::EditApproved,
        Action::ReadHouseholds,
        Action::AdministerUsers,
        Action::AssignWork,
        Action::VerifyIdentity,
        Action::ManageProgrammes,
        Action::PreparePayments,
        Action::ApprovePayments,
        Action::ReadPayments,
        Action::FileGrievance,
        Action::HandleGrievances,
        Action::ExportPersonalData,
        Action::PublishForms,
    ];

    /// Every action, the steps included: the rows of the table.
    pub fn all() -> Vec<Action> {
        let mut all = Action::PLAIN.to_vec();
        all.extend(STEPS.iter().map(|&(a, b)| Action::Step(a, b)));
        all
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::EnrollTablet => f.write_str("enroll a tablet"),
            Action::PushHouseholds => f.write_str("push households"),
            Action::Step(a, b) => write!(f, "{} → {}", a.as_str(), b.as_str()),
            Action::EditApproved => f.write_str("edit an approved household"),
            Action::ReadHouseholds => f.write_str("read households in scope"),
            Action::AdministerUsers => f.write_str("administer users"),
            Action::AssignWork => f.write_str("assign work to a surveyor"),
            Action::VerifyIdentity => f.write_str("exchange ID numbers with NADRA"),
            Action::ManageProgrammes => {
                f.write_str("load programmes, run eligibility and enrolment")
            }
            Action::PreparePayments => f.write_str("prepare payment cycles, import bank results"),
            Action::ApprovePayments => f.write_str("approve a payment cycle for the bank"),
            Action::ReadPayments => f.write_str("read programmes and payments in scope"),
            Action::FileGrievance => f.write_str("file a grievance for a citizen"),
            Action::HandleGrievances => f.write_str("handle grievances in scope"),
            Action::ExportPersonalData => f.write_str("export personal data (names, ID numbers)"),
            Action::PublishForms => f.write_str("publish a questionnaire to areas"),
        }
    }
}

/// The workflow's steps, for every role together ([`Status::can_move_to`] is this list); a step not
/// listed here is made by nobody, and [`allows`] says who makes each one.
pub const STEPS: [(Status, Status); 9] = [
    // The enumerator's own steps.
    (Status::Draft, Status::Complete),
    (Status::Complete, Status::Draft),
    (Status::Complete, Status::Submitted),
    (Status::Returned, Status::Draft),
    (Status::Returned, Status::Complete),
    // Review, and reopening an approval.
    (Status::Submitted, Status::Approved),
    (Status::Submitted, Status::Returned),
    (Status::Submitted, Status::Rejected),
    (Status::Approved, Status::Returned),
];

/// Who registers households: fills them in, completes and submits them, and corrects returned ones.
fn enumerates(r: Role) -> bool {
    matches!(
        r,
        Role::Surveyor | Role::Community | Role::Supervisor | Role::District
    )
}

/// Who reviews: approves, returns and rejects.
fn reviews(r: Role) -> bool {
    matches!(r, Role::Supervisor | Role::District)
}

/// The table: whether `role` may do `action`.
pub fn allows(role: Role, action: Action) -> bool {
    use Status::*;
    match action {
        // A hub enrolls and pushes like a tablet, but only relays: what it pushes is held to the
        // roles of the users who made the changes, so it gains no step of its own.
        Action::EnrollTablet | Action::PushHouseholds => enumerates(role) || role == Role::Hub,
        Action::Step(from, to) => {
            STEPS.contains(&(from, to))
                && match (from, to) {
                    (Draft, Complete)
                    | (Complete, Draft)
                    | (Complete, Submitted)
                    | (Returned, Draft)
                    | (Returned, Complete) => enumerates(role),
                    (Submitted, Approved | Returned | Rejected) | (Approved, Returned) => {
                        reviews(role)
                    }
                    _ => false,
                }
        }
        Action::EditApproved => role == Role::District,
        // Programme and finance officers work on lists, not on households' answers.
        Action::ReadHouseholds => {
            !matches!(role, Role::Administrator | Role::Programme | Role::Finance)
        }
        Action::AdministerUsers => role == Role::Administrator,
        // Those who review a team's work also plan it.
        Action::AssignWork => reviews(role),
        Action::VerifyIdentity => role == Role::District,
        Action::ManageProgrammes | Action::PreparePayments => role == Role::Programme,
        // Four eyes: the one who prepares a cycle is never the one who releases it.
        Action::ApprovePayments => role == Role::Finance,
        Action::ReadPayments => matches!(
            role,
            Role::District | Role::Province | Role::Federal | Role::Programme | Role::Finance
        ),
        Action::FileGrievance => matches!(
            role,
            Role::Community | Role::Supervisor | Role::District | Role::Province
        ),
        // The district office handles its grievances; the province those escalated to it.
        Action::HandleGrievances => matches!(role, Role::District | Role::Province),
        // The district office works with named households; monitors above it get the data without
        // who the households are.
        Action::ExportPersonalData => role == Role::District,
        Action::PublishForms => role == Role::Administrator,
    }
}

/// Whether `role` can take a household from `from` to `to` through steps it may each make (staying
/// put is always possible). This is what the registry checks a push against: it sees a household's
/// status before and after, not the steps a device made in between.
pub fn may_move(role: Role, from: Status, to: Status) -> bool {
    let mut reached = vec![from];
    let mut i = 0;
    while let Some(&at) = reached.get(i) {
        if at == to {
            return true;
        }
        for &(a, b) in &STEPS {
            if a == at && !reached.contains(&b) && allows(role, Action::Step(a, b)) {
                reached.push(b);
            }
        }
        i += 1;
    }
    false
}

/// The table as Markdown, one row per action and one column per role (what ARCHITECTURE.md shows;
/// its test keeps the two equal).
pub fn markdown_table() -> String {
    let mut s = String::from("| action |");
    for r in Role::ALL {
        if r.title() == r.as_str() {
            s.push_str(&format!(" `{r}` |"));
        } else {
            s.push_str(&format!(" {} (`{r}`) |", r.title()));
        }
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(Role::ALL.len()));
    s.push('\n');
    for a in Action::all() {
        s.push_str(&format!("| {a} |"));
        for r in Role::ALL {
            s.push_str(if allows(r, a) { " yes |" } else { " – |" });
        }
        s.push('\n');
    }
    s
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
        assert!(e.to_string().contains("surveyor, community"), "{e}");
        assert_eq!(
            "Surveyor".parse::<Role>(),
            Err(UnknownRole("Surveyor".into()))
        );
        // JSON (the CLI's `--json`) uses the same names.
        assert_eq!(
            serde_json::to_string(&Role::Province).unwrap(),
            "\"province\""
        );
        assert_eq!(
            serde_json::to_string(&Role::Administrator).unwrap(),
            "\"administrator\""
        );
    }

    #[test]
    fn every_role_and_action_has_an_answer_and_the_table_is_as_documented() {
        let table = markdown_table();
        // One row per action (plus header and rule), one column per role.
        assert_eq!(table.lines().count(), Action::all().len() + 2);
        for line in table.lines() {
            assert_eq!(line.matches('|').count(), Role::ALL.len() + 2, "{line}");
        }
        let doc = include_str!("../../../ARCHITECTURE.md");
        assert!(
            doc.contains(&table),
            "ARCHITECTURE.md's role table is stale; it should read:\n{table}"
        );
    }

    #[test]
    fn field_roles_enroll_and_console_roles_do_not() {
        let on_tablet: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|&r| allows(r, Action::EnrollTablet))
            .collect();
        assert_eq!(
            on_tablet,
            [
                Role::Surveyor,
                Role::Community,
                Role::Supervisor,
                Role::District,
                // A district hub enrolls and pushes as a device, but makes no step of its own.
                Role::Hub
            ]
        );
        assert!(STEPS
            .iter()
            .all(|&(a, b)| !allows(Role::Hub, Action::Step(a, b))));
        for r in Role::ALL {
            // Whoever holds a tablet may push from it, and nobody else.
            assert_eq!(
                allows(r, Action::EnrollTablet),
                allows(r, Action::PushHouseholds)
            );
        }
        assert!(!allows(Role::Administrator, Action::ReadHouseholds));
        assert!(allows(Role::Federal, Action::ReadHouseholds));
        assert!(allows(Role::Administrator, Action::AdministerUsers));
        assert!(!allows(Role::District, Action::AdministerUsers));
    }

    #[test]
    fn only_reviewers_approve_and_only_the_district_edits_after_approval() {
        use Status::*;
        for r in Role::ALL {
            let reviewer = matches!(r, Role::Supervisor | Role::District);
            for from in [Draft, Complete, Submitted, Returned] {
                assert_eq!(may_move(r, from, Approved), reviewer, "{r} {from:?}");
            }
            assert_eq!(allows(r, Action::EditApproved), r == Role::District, "{r}");
        }
        // Steps made offline between two syncs arrive as one move.
        assert!(may_move(Role::Surveyor, Draft, Submitted));
        assert!(may_move(Role::Community, Returned, Submitted));
        assert!(!may_move(Role::Community, Submitted, Returned));
        assert!(
            !may_move(Role::Surveyor, Submitted, Draft),
            "a submission is not withdrawn"
        );
        assert!(!may_move(Role::Surveyor, Approved, Returned));
        assert!(may_move(Role::Supervisor, Approved, Returned));
        assert!(
            may_move(Role::Supervisor, Approved, Rejected),
            "return, resubmit, reject"
        );
        for r in Role::ALL {
            assert!(!may_move(r, Rejected, Returned), "a rejection is final");
        }
        // Staying put is no step; console roles make none.
        for s in Status::ALL {
            assert!(may_move(Role::Federal, s, s));
            for t in Status::ALL {
                if s != t {
                    assert!(!may_move(Role::Province, s, t));
                    assert!(!may_move(Role::Administrator, s, t));
                }
            }
        }
    }

    #[test]
    fn a_step_outside_the_workflow_is_allowed_to_nobody() {
        for r in Role::ALL {
            assert!(!allows(r, Action::Step(Status::Draft, Status::Approved)));
            assert!(!allows(r, Action::Step(Status::Rejected, Status::Approved)));
            assert!(!allows(r, Action::Step(Status::Complete, Status::Approved)));
        }
    }
}
