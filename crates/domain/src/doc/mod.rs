//! One automerge document per household.
//!
//! # Layout
//! ```text
//! ROOT (map)
//!   schema: 1            id, ref, area, form_id, form_version, status, gps (ODK text)
//!   created_by/at, updated_by/at (timestamp)
//!   review_decision, review_by, review_by_name, review_at, review_comment, review_questions
//!                        (the last review decision; absent before any)
//!   para_start, para_end (timestamp), para_device, para_section:<name> (counter, seconds),
//!   para_edits_after_complete (counter), para_last_edit_after_complete (timestamp)
//!                        (paradata, `paradata.rs`; absent until the field app records it)
//!   answers (map)        question name -> scalar
//!   members (map)        member id -> map
//!       line, name, relation, sex, dob, age, id_number, removed (bool)
//!       verification, verification_fields, verification_at
//!                        (the ID authority's last result; absent before any)
//!       answers (map)    question name -> scalar
//! ```
//! The key names are constants in [`keys`]; every reader and writer below uses them.
//!
//! Why this shape:
//! - Every answer is a *scalar* (`ScalarValue::Str`, never `Text`): a name edited on two tablets must
//!   conflict as a whole, not merge letter by letter into a third name nobody typed.
//! - Members are a map keyed by member id, not a list: two surveyors adding members offline both keep
//!   theirs, with no index arithmetic.
//! - Removing a member sets `removed = true` instead of deleting the key, so an edit made concurrently on
//!   another device is kept (and the removal can be undone) instead of vanishing.
//! - The whole structure is created in one change on one device; nested maps created independently on two
//!   devices would never merge (see the automerge notes), so households are only ever created by `create`.
//!
//! # Reading
//! [`HouseholdDoc::household`] reads the whole household (`read.rs`); [`HouseholdDoc::projection`]
//! reads only what a list row and duplicate search need, in one pass per map (`projection.rs`, about ten
//! times faster, for the registry's ingest). Both share the parsing rules, so they refuse the same
//! documents; a test holds them to the same answers.
//!
//! # Editing and conflicts
//! [`HouseholdDoc::edit`] runs [`Editor`] operations in one transaction and validates the result
//! (`editor.rs`); paths to settable fields are [`FieldPath`] (`path.rs`). Concurrent values of a field
//! are listed by [`HouseholdDoc::conflicts`] (`conflicts.rs`).
//!
//! # Time
//! This module never reads the clock: the time of an edit comes in [`EditContext`], filled in by the
//! caller.

mod conflicts;
mod editor;
mod history;
pub mod keys;
mod paradata;
mod path;
mod projection;
mod read;
mod review;
mod values;
mod verification;

pub use conflicts::{Conflict, ConflictValue};
pub use editor::Editor;
pub use history::HistoryEntry;
pub use keys::SCHEMA_VERSION;
pub use paradata::Paradata;
pub use path::FieldPath;
pub use read::status;
pub use values::scalar_to_json;

use crate::area::AreaRegistry;
use crate::error::{DomainError, Result};
use crate::household::Household;
use crate::id_number::Warning;
use automerge::hydrate::{Map as HMap, Value as HValue};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, Author, AutoCommit, ChangeHash, ReadDoc, ScalarValue, Value as AmValue, ROOT,
};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;

/// Who is editing and when; stamped on the document and on the automerge change.
///
/// The domain never reads the clock: whoever makes an edit (the store, a test) says when it happens.
#[derive(Debug, Clone)]
pub struct EditContext {
    /// User id of the enumerator (recorded as the change's author).
    pub user: String,
    /// Time of the edit.
    pub at: DateTime<Utc>,
    /// Today's date for age/date checks.
    pub today: NaiveDate,
}

impl EditContext {
    /// A context for `user` editing at `at` (today is `at`'s date in UTC).
    pub fn new(user: impl Into<String>, at: DateTime<Utc>) -> Self {
        EditContext {
            user: user.into(),
            at,
            today: at.date_naive(),
        }
    }
}

/// A household's automerge document.
#[derive(Debug)]
pub struct HouseholdDoc {
    doc: AutoCommit,
}

impl HouseholdDoc {
    /// Writes a new household as one change by `actor`, authored by `ctx.user`.
    ///
    /// The tree is built in memory and inserted with `init_root_from_hydrate`, automerge's batch path
    /// (about 6x faster than one `put` per field for an NSER-sized household).
    pub fn create(h: &Household, actor: ActorId, ctx: &EditContext) -> Result<Self> {
        let s = |v: &str| HValue::Scalar(ScalarValue::Str(v.into()));
        let time = |t: &DateTime<Utc>| HValue::Scalar(ScalarValue::Timestamp(t.timestamp_millis()));
        let mut root: HashMap<String, HValue> = HashMap::new();
        root.insert(
            keys::SCHEMA.into(),
            HValue::Scalar(ScalarValue::Int(SCHEMA_VERSION)),
        );
        root.insert(keys::ID.into(), s(&h.id.to_string()));
        root.insert(keys::REF.into(), s(&h.reference));
        root.insert(keys::AREA.into(), s(&h.area));
        root.insert(keys::FORM_ID.into(), s(&h.form_id));
        root.insert(keys::FORM_VERSION.into(), s(&h.form_version));
        root.insert(keys::STATUS.into(), s(h.status.as_str()));
        if let Some(g) = &h.gps {
            root.insert(keys::GPS.into(), s(&g.to_odk()));
        }
        root.insert(keys::CREATED_BY.into(), s(&h.created_by));
        root.insert(keys::CREATED_AT.into(), time(&h.created_at));
        root.insert(keys::UPDATED_BY.into(), s(&h.updated_by));
        root.insert(keys::UPDATED_AT.into(), time(&h.updated_at));
        root.insert(keys::ANSWERS.into(), editor::answers_value(&h.answers));
        let members: HashMap<String, HValue> = h
            .members
            .iter()
            .map(|m| (m.id.to_string(), editor::member_value(m)))
            .collect();
        root.insert(keys::MEMBERS.into(), HValue::Map(HMap::from(members)));
        let mut doc = AutoCommit::new();
        bind_author(&mut doc, &ctx.user, actor);
        doc.init_root_from_hydrate(&HMap::from(root))?;
        let mut hd = HouseholdDoc { doc };
        hd.commit(ctx, "create");
        Ok(hd)
    }

    /// Loads a saved document; further edits are made as `actor`, authored by `user`.
    pub fn load(bytes: &[u8], actor: ActorId, user: &str) -> Result<Self> {
        let mut doc = AutoCommit::load(bytes)?;
        bind_author(&mut doc, user, actor);
        let hd = HouseholdDoc { doc };
        hd.check_schema()?;
        Ok(hd)
    }

    /// Wraps an already loaded automerge document (e.g. one the sync engine assembled).
    pub fn from_automerge(doc: AutoCommit) -> Result<Self> {
        let hd = HouseholdDoc { doc };
        hd.check_schema()?;
        Ok(hd)
    }

    fn check_schema(&self) -> Result<()> {
        match self.doc.get(ROOT, keys::SCHEMA)? {
            Some((AmValue::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Int(v) if *v == SCHEMA_VERSION => Ok(()),
                ScalarValue::Int(v) => Err(DomainError::Document(format!(
                    "layout version {v} is newer than this program understands ({SCHEMA_VERSION}); update Shumari"
                ))),
                _ => Err(DomainError::Document("layout version is not a number".into())),
            },
            _ => Err(DomainError::Document("not a household document (no layout version)".into())),
        }
    }

    /// The underlying automerge document, for the store and the sync engine.
    pub fn automerge(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    /// Consumes the wrapper.
    pub fn into_automerge(self) -> AutoCommit {
        self.doc
    }

    /// Current heads.
    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Full compressed save.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// Changes since the last save or incremental save.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
    }

    fn commit(&mut self, ctx: &EditContext, message: &str) -> Option<ChangeHash> {
        self.doc.commit_with(
            CommitOptions::default()
                .with_message(message.to_string())
                .with_time(ctx.at.timestamp_millis()),
        )
    }

    /// Applies `edit` in one transaction, then re-reads and validates the whole household (the same
    /// rules as a new household). On any error nothing is written; on success the change is committed,
    /// stamped with `ctx`, and the household and its warnings are returned.
    pub fn edit<F>(
        &mut self,
        areas: &AreaRegistry,
        ctx: &EditContext,
        message: &str,
        edit: F,
    ) -> Result<(Household, Vec<Warning>)>
    where
        F: FnOnce(&mut Editor<'_>) -> Result<()>,
    {
        let outcome = (|| {
            edit(&mut Editor { doc: &mut self.doc })?;
            self.doc.put(ROOT, keys::UPDATED_BY, ctx.user.as_str())?;
            self.doc.put(
                ROOT,
                keys::UPDATED_AT,
                ScalarValue::Timestamp(ctx.at.timestamp_millis()),
            )?;
            let h = self.household()?;
            let w = h.validate(areas, ctx.today)?;
            Ok((h, w))
        })();
        match outcome {
            Ok(v) => {
                self.commit(ctx, message);
                Ok(v)
            }
            Err(e) => {
                self.doc.rollback();
                Err(e)
            }
        }
    }

    /// Reads the household (the winning value of every field).
    pub fn household(&self) -> Result<Household> {
        read::household(&self.doc)
    }

    /// Each member's identity verification, by member id (members never checked absent).
    pub fn verifications(
        &self,
    ) -> Result<std::collections::BTreeMap<uuid::Uuid, crate::identity::Verification>> {
        verification::verifications(&self.doc)
    }

    /// Reads the paradata the field app recorded (`paradata.rs`).
    pub fn paradata(&self) -> Result<Paradata> {
        let gps = read::parse_gps(read::get_str(&self.doc, &ROOT, keys::GPS)?)?;
        paradata::paradata(&self.doc, gps.as_ref())
    }
}

/// Records `user` as the author of further changes, made as `actor`.
///
/// automerge 0.12 binds an author to an actor through that actor's first change, and its `set_author`
/// replaces the actor with a random one; so the actor is set after it. One actor therefore has one
/// author: the user the document was loaded for (`EditContext::user` is stamped as `updated_by`).
fn bind_author(doc: &mut AutoCommit, user: &str, actor: ActorId) {
    let author = Author::from(user.as_bytes().to_vec());
    if doc.get_author() != Some(&author) {
        doc.set_author(Some(author));
    }
    if *doc.get_actor() != actor {
        doc.set_actor(actor);
    }
}
