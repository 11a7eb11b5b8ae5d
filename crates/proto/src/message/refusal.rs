//! Why the registry refused one household or one actor: a machine code the device can act on and a
//! sentence a person can read. On the wire the code is its string (`out_of_scope`, ...), so a registry
//! can add a code without breaking older devices: they keep it as [`RefusalCode::Other`].

use crate::codec::{DecodeError, Reader, Writer};
use std::fmt;

/// The machine code of a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RefusalCode {
    /// The household lies (or lay) outside the device's areas.
    OutOfScope,
    /// A change was made by an actor not bound to the pushing device.
    ForgedActor,
    /// The changes or the resulting document could not be read as a household.
    BadDocument,
    /// The changes build on history the registry does not hold; push the whole document.
    MissingHistory,
    /// An actor id already belongs to another device (actor ids are never reused).
    ActorTaken,
    /// The household changed while the push was applied; sync again.
    Busy,
    /// The household's status moved in a way the pushing user's role may not move it (a surveyor
    /// approving, say); see `shumari_domain::roles`.
    ForbiddenTransition,
    /// The household is approved and the pushing user's role may not edit it any more.
    ForbiddenEdit,
    /// A change names as its author a user other than the one the pushing device is enrolled for.
    ForgedAuthor,
    /// A new household's reference number carries another device's short id (references are
    /// unique because each device numbers only within its own).
    ForeignReference,
    /// Another household already has this reference number.
    DuplicateReference,
    /// The household's data is larger than the registry accepts: its saved size, what its compressed
    /// parts inflate to, or the operations it describes (see `shumari_proto::limits`).
    TooLarge,
    /// The household's history names more automerge actors than the registry accepts.
    TooManyActors,
    /// The household holds more answers (keys) than the registry accepts.
    TooManyKeys,
    /// The household's roster holds more members than the registry accepts.
    TooManyMembers,
    /// The household holds more conflicting fields than the registry accepts.
    TooManyConflicts,
    /// A change's signature does not verify against the public key of the device its actor is
    /// registered to (the change was altered, the signature forged or made with another key).
    BadSignature,
    /// A change that must be signed came without a signature: another device's change relayed, or a
    /// change by a device that has registered its key.
    UnsignedChange,
    /// The device already registered another public key (a device's key is never replaced).
    KeyTaken,
    /// A code this build does not know (from a newer registry), kept as sent.
    Other(String),
}

impl RefusalCode {
    /// Every code this build knows, for documentation and tests.
    pub const KNOWN: [RefusalCode; 19] = [
        RefusalCode::OutOfScope,
        RefusalCode::ForgedActor,
        RefusalCode::BadDocument,
        RefusalCode::MissingHistory,
        RefusalCode::ActorTaken,
        RefusalCode::Busy,
        RefusalCode::ForbiddenTransition,
        RefusalCode::ForbiddenEdit,
        RefusalCode::ForgedAuthor,
        RefusalCode::ForeignReference,
        RefusalCode::DuplicateReference,
        RefusalCode::TooLarge,
        RefusalCode::TooManyActors,
        RefusalCode::TooManyKeys,
        RefusalCode::TooManyMembers,
        RefusalCode::TooManyConflicts,
        RefusalCode::BadSignature,
        RefusalCode::UnsignedChange,
        RefusalCode::KeyTaken,
    ];

    /// The code as it travels.
    pub fn as_str(&self) -> &str {
        match self {
            RefusalCode::OutOfScope => "out_of_scope",
            RefusalCode::ForgedActor => "forged_actor",
            RefusalCode::BadDocument => "bad_document",
            RefusalCode::MissingHistory => "missing_history",
            RefusalCode::ActorTaken => "actor_taken",
            RefusalCode::Busy => "busy",
            RefusalCode::ForbiddenTransition => "forbidden_transition",
            RefusalCode::ForbiddenEdit => "forbidden_edit",
            RefusalCode::ForgedAuthor => "forged_author",
            RefusalCode::ForeignReference => "foreign_reference",
            RefusalCode::DuplicateReference => "duplicate_reference",
            RefusalCode::TooLarge => "too_large",
            RefusalCode::TooManyActors => "too_many_actors",
            RefusalCode::TooManyKeys => "too_many_keys",
            RefusalCode::TooManyMembers => "too_many_members",
            RefusalCode::TooManyConflicts => "too_many_conflicts",
            RefusalCode::BadSignature => "bad_signature",
            RefusalCode::UnsignedChange => "unsigned_change",
            RefusalCode::KeyTaken => "key_taken",
            RefusalCode::Other(s) => s,
        }
    }

    /// The code for a wire string (a known code never becomes [`RefusalCode::Other`]).
    pub fn from_wire(s: &str) -> RefusalCode {
        RefusalCode::KNOWN
            .into_iter()
            .find(|c| c.as_str() == s)
            .unwrap_or_else(|| RefusalCode::Other(s.to_string()))
    }
}

impl fmt::Display for RefusalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<RefusalCode> for String {
    fn from(c: RefusalCode) -> String {
        match c {
            RefusalCode::Other(s) => s,
            known => known.as_str().to_string(),
        }
    }
}

/// A refusal with a machine code and an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What the device can act on.
    pub code: RefusalCode,
    /// In plain words.
    pub message: String,
}

impl Refusal {
    /// A refusal with `code` and `message`.
    pub fn new(code: RefusalCode, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }

    pub(super) fn write(&self, w: &mut Writer) {
        w.str(self.code.as_str());
        w.str(&self.message);
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Refusal {
            code: RefusalCode::from_wire(&r.str()?),
            message: r.str()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_travel_as_their_strings_and_unknown_ones_are_kept() {
        assert_eq!(RefusalCode::OutOfScope.to_string(), "out_of_scope");
        assert_eq!(
            RefusalCode::from_wire("forbidden_transition"),
            RefusalCode::ForbiddenTransition
        );
        for c in RefusalCode::KNOWN {
            assert_eq!(RefusalCode::from_wire(c.as_str()), c);
        }
        let newer = RefusalCode::from_wire("quota_exceeded");
        assert_eq!(newer, RefusalCode::Other("quota_exceeded".into()));
        assert_eq!(String::from(newer), "quota_exceeded");
    }
}
