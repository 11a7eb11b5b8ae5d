//! The key names of the household document, in one place.
//!
//! Every reader and writer of the layout (creating, editing, the full read, the fast projection read,
//! the conflict scan, field paths) names keys through these constants, so the layout cannot drift
//! between them. The names are part of the stored data: renaming one needs a new [`SCHEMA_VERSION`]
//! and a migration, never just an edit here.

/// Version of the document layout; bumped only with a migration.
pub const SCHEMA_VERSION: i64 = 1;

/// Root: the layout version (an integer).
pub const SCHEMA: &str = "schema";
/// Root: the household's UUID, as text.
pub const ID: &str = "id";
/// Root: the reference number written on the family's slip.
pub const REF: &str = "ref";
/// Root: the area code.
pub const AREA: &str = "area";
/// Root: the questionnaire id.
pub const FORM_ID: &str = "form_id";
/// Root: the questionnaire version.
pub const FORM_VERSION: &str = "form_version";
/// Root: the workflow status name.
pub const STATUS: &str = "status";
/// Root: the GPS fix as ODK geopoint text (absent when none was taken).
pub const GPS: &str = "gps";
/// Root: the user who created the household.
pub const CREATED_BY: &str = "created_by";
/// Root: when it was created (automerge timestamp).
pub const CREATED_AT: &str = "created_at";
/// Root: the user who changed it last.
pub const UPDATED_BY: &str = "updated_by";
/// Root: when it was changed last (automerge timestamp).
pub const UPDATED_AT: &str = "updated_at";
/// Root and each member: the map of answers, question name to scalar.
pub const ANSWERS: &str = "answers";
/// Root: the map of members, member id to member map.
pub const MEMBERS: &str = "members";

/// Member: roster line number (an integer).
pub const LINE: &str = "line";
/// Member: full name.
pub const NAME: &str = "name";
/// Member: relation to the head (choice name).
pub const RELATION: &str = "relation";
/// Member: sex (choice name).
pub const SEX: &str = "sex";
/// Member: date of birth, `YYYY-MM-DD`.
pub const DOB: &str = "dob";
/// Member: age in completed years (an integer).
pub const AGE: &str = "age";
/// Member: CNIC or B-form number, 13 digits.
pub const ID_NUMBER: &str = "id_number";
/// Member: `true` once removed (a flag, so a concurrent edit of the member survives).
pub const REMOVED: &str = "removed";

/// The member fields with a fixed meaning; any other name under a member is one of its answers.
pub const MEMBER_CORE: [&str; 6] = [NAME, RELATION, SEX, DOB, AGE, ID_NUMBER];

/// Root: the last review decision (`approved`, `returned`, `rejected`; absent before any review).
/// The review is flat root scalars rather than a nested map: each decision overwrites all of them in
/// one change, so two decisions never leave two half-merged maps.
pub const REVIEW_DECISION: &str = "review_decision";
/// Root: the reviewer's user id at the registry.
pub const REVIEW_BY: &str = "review_by";
/// Root: the reviewer's display name.
pub const REVIEW_BY_NAME: &str = "review_by_name";
/// Root: when the decision was made (automerge timestamp).
pub const REVIEW_AT: &str = "review_at";
/// Root: the reviewer's comment (empty for an approval without one).
pub const REVIEW_COMMENT: &str = "review_comment";
/// Root: the questions (field names) the decision concerns, one per line (a scalar, so a later
/// decision replaces the whole list).
pub const REVIEW_QUESTIONS: &str = "review_questions";

/// Member: the identity verification result (`verified`, `not_found`, `mismatch`; absent when never
/// checked). Flat member scalars, like the review, so each result replaces the last in one change.
pub const VERIFICATION: &str = "verification";
/// Member: for a mismatch, the fields the authority holds otherwise, joined by `;`.
pub const VERIFICATION_FIELDS: &str = "verification_fields";
/// Member: when the registry applied the result (automerge timestamp).
pub const VERIFICATION_AT: &str = "verification_at";
/// Prefix of every paradata key: facts about how the interview was made, recorded by the field app
/// beside the answers (`doc/paradata.rs`). They are flat root scalars and counters rather than a
/// nested map, because a map created on two tablets that never saw each other's would not merge.
pub const PARADATA_PREFIX: &str = "para_";
/// Root: when the interview was first opened (automerge timestamp; written once).
pub const PARA_START: &str = "para_start";
/// Root: when the interview was last marked complete (automerge timestamp).
pub const PARA_END: &str = "para_end";
/// Root: the id of the device the interview was first opened on.
pub const PARA_DEVICE: &str = "para_device";
/// Root, one per section: `para_section:<section name>`, a counter of the seconds spent in it, so
/// visits recorded on two tablets add up.
pub const PARA_SECTION_PREFIX: &str = "para_section:";
/// Root: a counter of the answers changed while the household was complete or later.
pub const PARA_EDITS_AFTER_COMPLETE: &str = "para_edits_after_complete";
/// Root: when the last of those changes was made (automerge timestamp).
pub const PARA_LAST_EDIT_AFTER_COMPLETE: &str = "para_last_edit_after_complete";
