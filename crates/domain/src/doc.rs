//! One automerge document per household.
//!
//! # Layout
//! ```text
//! ROOT (map)
//!   schema: 1            id, ref, area, form_id, form_version, status, gps (ODK text)
//!   created_by/at, updated_by/at (timestamp)
//!   answers (map)        question name -> scalar
//!   members (map)        member id -> map
//!       line, name, relation, sex, dob, age, id_number, removed (bool)
//!       answers (map)    question name -> scalar
//! ```
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
//! # Conflicts
//! automerge keeps every concurrent value of a key; `get` picks a deterministic winner (not the latest).
//! [`HouseholdDoc::conflicts`] lists every key with more than one *distinct* value, with the actor, the
//! author (the enumerator, recorded with automerge's author API) and the time of each. Writing the key
//! again supersedes all values and resolves the conflict.

use crate::area::AreaRegistry;
use crate::error::{DomainError, Result};
use crate::household::{
    check_scalar, parse_age, parse_date, Answers, GeoPoint, Household, Member, Relation, Sex,
    Status,
};
use crate::id_number::{IdNumber, Warning};
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, Author, AutoCommit, ChangeHash, ObjId as ExId, ObjType, ReadDoc, ScalarValue,
    Value as AmValue, ROOT,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Version of the document layout above; bumped only with a migration.
pub const SCHEMA_VERSION: i64 = 1;

const MEMBER_CORE: [&str; 6] = ["name", "relation", "sex", "dob", "age", "id_number"];

/// Who is editing and when; stamped on the document and on the automerge change.
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
    /// A context for `user` at the current time.
    pub fn now(user: impl Into<String>) -> Self {
        let at = Utc::now();
        EditContext {
            user: user.into(),
            at,
            today: at.date_naive(),
        }
    }
}

/// One concurrent value of a conflicting field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConflictValue {
    /// The value.
    pub value: Value,
    /// The user recorded as author of the change, or the actor id when none was recorded.
    pub author: String,
    /// The automerge actor (device) that wrote it, hex.
    pub actor: String,
    /// When it was written (RFC 3339), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// A field with more than one concurrent value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// e.g. `answers.rooms`, `members.<id>.name`.
    pub path: String,
    /// Every value, the deterministic winner first.
    pub values: Vec<ConflictValue>,
}

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
            ["status"] => Ok(FieldPath::Status),
            ["area"] => Ok(FieldPath::Area),
            ["gps"] => Ok(FieldPath::Gps),
            ["form_version"] => Ok(FieldPath::FormVersion),
            ["answers", name] if ok_name(name) => Ok(FieldPath::Answer(name.to_string())),
            ["members", id, field] => {
                let id = Uuid::parse_str(id).map_err(|_| bad())?;
                if MEMBER_CORE.contains(field) {
                    Ok(FieldPath::MemberField(id, field.to_string()))
                } else if ok_name(field)
                    && *field != "answers"
                    && *field != "line"
                    && *field != "removed"
                {
                    Ok(FieldPath::MemberAnswer(id, field.to_string()))
                } else {
                    Err(bad())
                }
            }
            ["members", id, "answers", name] if ok_name(name) => {
                let id = Uuid::parse_str(id).map_err(|_| bad())?;
                Ok(FieldPath::MemberAnswer(id, name.to_string()))
            }
            _ => Err(bad()),
        }
    }
}

/// A household's automerge document.
#[derive(Debug)]
pub struct HouseholdDoc {
    doc: AutoCommit,
}

/// Converts a JSON scalar to an automerge scalar (strings stay immutable strings, never Text).
fn to_scalar(v: &Value) -> ScalarValue {
    match v {
        Value::Null => ScalarValue::Null,
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => ScalarValue::Int(i),
            (None, Some(f)) => ScalarValue::F64(f),
            _ => ScalarValue::Null,
        },
        Value::String(s) => ScalarValue::Str(s.as_str().into()),
        // Callers check `check_scalar` first; nested values never reach the document.
        Value::Array(_) | Value::Object(_) => ScalarValue::Str(v.to_string().into()),
    }
}

/// The JSON form of an automerge scalar, as [`HouseholdDoc`] reads answers (timestamps as RFC 3339,
/// bytes as null). Readers of documents outside this crate use it so their values agree.
pub fn scalar_to_json(s: &ScalarValue) -> Value {
    match s {
        ScalarValue::Null => Value::Null,
        ScalarValue::Boolean(b) => Value::Bool(*b),
        ScalarValue::Int(i) => Value::from(*i),
        ScalarValue::Uint(u) => Value::from(*u),
        ScalarValue::F64(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        ScalarValue::Str(s) => Value::String(s.to_string()),
        ScalarValue::Timestamp(ms) => Value::String(ms_to_time(*ms).to_rfc3339()),
        ScalarValue::Counter(c) => Value::from(i64::from(c)),
        ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } => Value::Null,
    }
}

fn ms_to_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

fn am_value_to_json(v: &AmValue<'_>) -> Value {
    match v {
        AmValue::Scalar(s) => scalar_to_json(s),
        AmValue::Object(t) => Value::String(format!("<{t:?}>")),
    }
}

impl HouseholdDoc {
    /// Writes a new household as one change by `actor`, authored by `ctx.user`.
    ///
    /// The tree is built in memory and inserted with `init_root_from_hydrate`, automerge's batch path
    /// (about 6x faster than one `put` per field for an NSER-sized household).
    pub fn create(h: &Household, actor: ActorId, ctx: &EditContext) -> Result<Self> {
        use automerge::hydrate::{Map as HMap, Value as HValue};
        use std::collections::HashMap;
        let s = |v: &str| HValue::Scalar(ScalarValue::Str(v.into()));
        let answers_map = |a: &Answers| -> HValue {
            let m: HashMap<String, HValue> = a
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), HValue::Scalar(to_scalar(v))))
                .collect();
            HValue::Map(HMap::from(m))
        };
        let mut root: HashMap<String, HValue> = HashMap::new();
        root.insert(
            "schema".into(),
            HValue::Scalar(ScalarValue::Int(SCHEMA_VERSION)),
        );
        root.insert("id".into(), s(&h.id.to_string()));
        root.insert("ref".into(), s(&h.reference));
        root.insert("area".into(), s(&h.area));
        root.insert("form_id".into(), s(&h.form_id));
        root.insert("form_version".into(), s(&h.form_version));
        root.insert("status".into(), s(h.status.as_str()));
        if let Some(g) = &h.gps {
            root.insert("gps".into(), s(&g.to_odk()));
        }
        root.insert("created_by".into(), s(&h.created_by));
        root.insert(
            "created_at".into(),
            HValue::Scalar(ScalarValue::Timestamp(h.created_at.timestamp_millis())),
        );
        root.insert("updated_by".into(), s(&h.updated_by));
        root.insert(
            "updated_at".into(),
            HValue::Scalar(ScalarValue::Timestamp(h.updated_at.timestamp_millis())),
        );
        root.insert("answers".into(), answers_map(&h.answers));
        let mut members: HashMap<String, HValue> = HashMap::new();
        for m in &h.members {
            members.insert(m.id.to_string(), member_value(m, &answers_map(&m.answers)));
        }
        root.insert("members".into(), HValue::Map(HMap::from(members)));
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
        match self.doc.get(ROOT, "schema")? {
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
            self.doc.put(ROOT, "updated_by", ctx.user.as_str())?;
            self.doc.put(
                ROOT,
                "updated_at",
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
        let d = &self.doc;
        let id = get_str(d, &ROOT, "id")?.ok_or_else(|| missing("id"))?;
        let id = Uuid::parse_str(&id).map_err(|_| DomainError::Document("bad id".into()))?;
        let status =
            Status::parse(&get_str(d, &ROOT, "status")?.ok_or_else(|| missing("status"))?)?;
        let gps = match get_str(d, &ROOT, "gps")? {
            Some(s) => Some(GeoPoint::from_odk(&s)?),
            None => None,
        };
        let answers_id = get_map(d, &ROOT, "answers")?;
        let members_id = get_map(d, &ROOT, "members")?;
        let mut members = Vec::new();
        for key in d.keys(&members_id) {
            let mid = get_map(d, &members_id, &key)?;
            if get_scalar(d, &mid, "removed")? == Some(ScalarValue::Boolean(true)) {
                continue;
            }
            members.push(read_member(d, &mid, &key)?);
        }
        members.sort_by(|a, b| a.line.cmp(&b.line).then(a.id.cmp(&b.id)));
        Ok(Household {
            id,
            reference: get_str(d, &ROOT, "ref")?.unwrap_or_default(),
            area: get_str(d, &ROOT, "area")?.ok_or_else(|| missing("area"))?,
            gps,
            form_id: get_str(d, &ROOT, "form_id")?.unwrap_or_default(),
            form_version: get_str(d, &ROOT, "form_version")?.unwrap_or_default(),
            answers: read_answers(d, &answers_id)?,
            members,
            status,
            created_by: get_str(d, &ROOT, "created_by")?.unwrap_or_default(),
            created_at: get_time(d, "created_at")?,
            updated_by: get_str(d, &ROOT, "updated_by")?.unwrap_or_default(),
            updated_at: get_time(d, "updated_at")?,
        })
    }

    /// Every field that holds more than one distinct concurrent value.
    pub fn conflicts(&mut self) -> Result<Vec<Conflict>> {
        let mut raw: Vec<(String, Vec<(Value, ExId)>)> = Vec::new();
        let d = &self.doc;
        let mut scan = |obj: &ExId, prefix: &str, skip: &[&str]| -> Result<()> {
            for key in d.keys(obj) {
                if skip.contains(&key.as_str()) {
                    continue;
                }
                let all = d.get_all(obj, key.as_str())?;
                if all.len() < 2 {
                    continue;
                }
                let vals: Vec<(Value, ExId)> = all
                    .iter()
                    .map(|(v, id)| (am_value_to_json(v), id.clone()))
                    .collect();
                if vals.iter().all(|(v, _)| *v == vals[0].0) {
                    continue; // the same value written twice is agreement, not a conflict
                }
                raw.push((format!("{prefix}{key}"), vals));
            }
            Ok(())
        };
        // updated_by/at change on every edit; their concurrent values are bookkeeping, not answers.
        scan(
            &ROOT,
            "",
            &[
                "answers",
                "members",
                "updated_by",
                "updated_at",
                "schema",
                "id",
            ],
        )?;
        let answers = get_map(d, &ROOT, "answers")?;
        scan(&answers, "answers.", &[])?;
        let members = get_map(d, &ROOT, "members")?;
        for key in d.keys(&members) {
            let mid = get_map(d, &members, &key)?;
            scan(&mid, &format!("members.{key}."), &["answers"])?;
            let ma = get_map(d, &mid, "answers")?;
            scan(&ma, &format!("members.{key}."), &[])?;
        }
        if raw.is_empty() {
            return Ok(Vec::new());
        }
        // Who wrote each value and when: find the change that holds the op (rare path, conflicts only).
        let changes = self.doc.get_changes(&[]);
        let authors: BTreeMap<String, String> = changes
            .iter()
            .filter_map(|c| {
                c.author().map(|a| {
                    (
                        c.actor_id().to_hex_string(),
                        String::from_utf8_lossy(a.as_bytes()).into_owned(),
                    )
                })
            })
            .collect();
        let when = |actor: &ActorId, counter: u64| {
            changes
                .iter()
                .find(|c| {
                    c.actor_id() == actor && c.start_op().get() <= counter && counter <= c.max_op()
                })
                .map(|c| ms_to_time(c.timestamp()).to_rfc3339())
        };
        Ok(raw
            .into_iter()
            .map(|(path, vals)| Conflict {
                path,
                values: vals
                    .into_iter()
                    .map(|(value, id)| {
                        let (actor, counter) = match &id {
                            ExId::Id(c, a, _) => (a.clone(), *c),
                            ExId::Root => (ActorId::from(&[0u8][..]), 0),
                        };
                        let hex = actor.to_hex_string();
                        ConflictValue {
                            value,
                            author: authors.get(&hex).cloned().unwrap_or_else(|| hex.clone()),
                            at: when(&actor, counter),
                            actor: hex,
                        }
                    })
                    .collect(),
            })
            .collect())
    }
}

/// The operations allowed inside [`HouseholdDoc::edit`]. Each checks its own value's shape; the
/// whole-household rules run after the closure returns.
#[derive(Debug)]
pub struct Editor<'a> {
    doc: &'a mut AutoCommit,
}

impl Editor<'_> {
    /// Writes a scalar, superseding every concurrent value (which resolves a conflict on that key).
    fn put_resolving(&mut self, obj: &ExId, key: &str, v: ScalarValue) -> Result<()> {
        // `put` of the value already winning is a no-op in automerge 0.12, which would leave a conflict
        // standing when a reviewer picks the current winner: delete first so the put supersedes all.
        if self.doc.get_all(obj, key)?.len() > 1 {
            self.doc.delete(obj, key)?;
        }
        self.doc.put(obj, key, v)?;
        Ok(())
    }

    fn clear(&mut self, obj: &ExId, key: &str) -> Result<()> {
        if !self.doc.get_all(obj, key)?.is_empty() {
            self.doc.delete(obj, key)?;
        }
        Ok(())
    }

    fn member_obj(&self, id: Uuid) -> Result<ExId> {
        let members = get_map(self.doc, &ROOT, "members")?;
        match self.doc.get(&members, id.to_string())? {
            Some((AmValue::Object(ObjType::Map), oid)) => Ok(oid),
            _ => Err(DomainError::UnknownMember(id.to_string())),
        }
    }

    /// Sets the field at `path` from a JSON value (null clears an answer).
    pub fn set(&mut self, path: &FieldPath, value: &Value) -> Result<()> {
        let field_name = |p: &FieldPath| match p {
            FieldPath::Answer(n) => format!("answers.{n}"),
            FieldPath::MemberField(id, f) => format!("members.{id}.{f}"),
            FieldPath::MemberAnswer(id, n) => format!("members.{id}.{n}"),
            FieldPath::Status => "status".into(),
            FieldPath::Area => "area".into(),
            FieldPath::Gps => "gps".into(),
            FieldPath::FormVersion => "form_version".into(),
        };
        let field = field_name(path);
        let text = |v: &Value| -> Result<String> {
            match v {
                Value::String(s) => Ok(s.trim().to_string()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(DomainError::invalid(&field, "expected text")),
            }
        };
        match path {
            FieldPath::Answer(name) => {
                check_scalar(&field, value)?;
                let answers = get_map(self.doc, &ROOT, "answers")?;
                if value.is_null() {
                    self.clear(&answers, name)
                } else {
                    self.put_resolving(&answers, name, to_scalar(value))
                }
            }
            FieldPath::MemberAnswer(id, name) => {
                check_scalar(&field, value)?;
                let m = self.member_obj(*id)?;
                let answers = get_map(self.doc, &m, "answers")?;
                if value.is_null() {
                    self.clear(&answers, name)
                } else {
                    self.put_resolving(&answers, name, to_scalar(value))
                }
            }
            FieldPath::MemberField(id, f) => {
                let m = self.member_obj(*id)?;
                if value.is_null() && matches!(f.as_str(), "dob" | "age" | "id_number") {
                    return self.clear(&m, f);
                }
                let scalar: ScalarValue = match f.as_str() {
                    "name" => {
                        let s = text(value)?;
                        if s.is_empty() {
                            return Err(DomainError::invalid(&field, "the name is empty"));
                        }
                        ScalarValue::Str(s.into())
                    }
                    "relation" => {
                        let s = text(value)?;
                        let r = Relation::ALL
                            .into_iter()
                            .find(|r| r.as_str() == s)
                            .ok_or_else(|| {
                                DomainError::invalid(&field, format!("`{s}` is not a relation"))
                            })?;
                        ScalarValue::Str(r.as_str().into())
                    }
                    "sex" => {
                        let s = text(value)?;
                        let sex: Sex =
                            serde_json::from_value(Value::String(s.clone())).map_err(|_| {
                                DomainError::invalid(
                                    &field,
                                    format!("`{s}` is not a sex; use male, female or transgender"),
                                )
                            })?;
                        ScalarValue::Str(sex.as_str().into())
                    }
                    "age" => ScalarValue::Int(i64::from(parse_age(&field, value)?)),
                    "dob" => {
                        ScalarValue::Str(parse_date(&field, &text(value)?)?.to_string().into())
                    }
                    "id_number" => {
                        ScalarValue::Str(IdNumber::parse(&field, &text(value)?)?.digits().into())
                    }
                    _ => return Err(DomainError::UnknownPath(field)),
                };
                self.put_resolving(&m, f, scalar)
            }
            FieldPath::Status => {
                let to = Status::parse(&text(value)?)?;
                let from = Status::parse(&get_str(self.doc, &ROOT, "status")?.unwrap_or_default())?;
                if !from.can_move_to(to) {
                    return Err(DomainError::StatusTransition {
                        from: from.as_str().into(),
                        to: to.as_str().into(),
                    });
                }
                self.put_resolving(&ROOT, "status", ScalarValue::Str(to.as_str().into()))
            }
            FieldPath::Area => {
                let a = text(value)?;
                self.put_resolving(&ROOT, "area", ScalarValue::Str(a.into()))
            }
            FieldPath::Gps => {
                let g = match value {
                    Value::String(s) => GeoPoint::from_odk(s)?,
                    Value::Null => return self.clear(&ROOT, "gps"),
                    other => serde_json::from_value::<GeoPoint>(other.clone()).map_err(|_| {
                        DomainError::invalid("gps", "expected {\"lat\":..,\"lon\":..} or `lat lon`")
                    })?,
                };
                g.validate()?;
                self.put_resolving(&ROOT, "gps", ScalarValue::Str(g.to_odk().into()))
            }
            FieldPath::FormVersion => {
                let v = text(value)?;
                self.put_resolving(&ROOT, "form_version", ScalarValue::Str(v.into()))
            }
        }
    }

    /// Adds a member (its line number is the next free one).
    pub fn add_member(&mut self, member: &Member) -> Result<()> {
        let members = get_map(self.doc, &ROOT, "members")?;
        if self.doc.get(&members, member.id.to_string())?.is_some() {
            return Err(DomainError::invalid(
                "members",
                format!("member {} already exists", member.id),
            ));
        }
        write_member(self.doc, &members, member)
    }

    /// Marks a member as removed (kept in the document so concurrent edits are not lost).
    pub fn remove_member(&mut self, id: Uuid) -> Result<()> {
        let m = self.member_obj(id)?;
        self.doc.put(&m, "removed", true)?;
        Ok(())
    }

    /// Undoes [`Editor::remove_member`].
    pub fn restore_member(&mut self, id: Uuid) -> Result<()> {
        let m = self.member_obj(id)?;
        self.put_resolving(&m, "removed", ScalarValue::Boolean(false))
    }

    /// The next free roster line number.
    pub fn next_line(&self) -> Result<u32> {
        let members = get_map(self.doc, &ROOT, "members")?;
        let mut max = 0;
        for key in self.doc.keys(&members) {
            let mid = get_map(self.doc, &members, &key)?;
            if let Some(ScalarValue::Int(l)) = get_scalar(self.doc, &mid, "line")? {
                max = max.max(l);
            }
        }
        Ok(u32::try_from(max).unwrap_or(0) + 1)
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

fn missing(field: &str) -> DomainError {
    DomainError::Document(format!("field `{field}` is missing"))
}

/// A member as an in-memory automerge tree (the same layout `create` and `add_member` write).
fn member_value(m: &Member, answers: &automerge::hydrate::Value) -> automerge::hydrate::Value {
    use automerge::hydrate::{Map as HMap, Value as HValue};
    let s = |v: &str| HValue::Scalar(ScalarValue::Str(v.into()));
    let mut f: std::collections::HashMap<String, HValue> = std::collections::HashMap::new();
    f.insert(
        "line".into(),
        HValue::Scalar(ScalarValue::Int(i64::from(m.line))),
    );
    f.insert("name".into(), s(&m.name));
    f.insert("relation".into(), s(m.relation.as_str()));
    f.insert("sex".into(), s(m.sex.as_str()));
    if let Some(d) = m.dob {
        f.insert("dob".into(), s(&d.to_string()));
    }
    if let Some(a) = m.age {
        f.insert("age".into(), HValue::Scalar(ScalarValue::Int(i64::from(a))));
    }
    if let Some(n) = &m.id_number {
        f.insert("id_number".into(), s(n.digits()));
    }
    f.insert("answers".into(), answers.clone());
    HValue::Map(HMap::from(f))
}

fn write_member(doc: &mut AutoCommit, members: &ExId, m: &Member) -> Result<()> {
    let answers: std::collections::HashMap<String, automerge::hydrate::Value> = m
        .answers
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), automerge::hydrate::Value::Scalar(to_scalar(v))))
        .collect();
    let value = member_value(m, &automerge::hydrate::Value::Map(answers.into()));
    doc.batch_create_object(members, m.id.to_string(), &value, false)?;
    Ok(())
}

fn read_member(d: &AutoCommit, mid: &ExId, key: &str) -> Result<Member> {
    let id = Uuid::parse_str(key)
        .map_err(|_| DomainError::Document(format!("bad member id `{key}`")))?;
    let text = |k: &str| get_str(d, mid, k);
    let relation: Relation =
        serde_json::from_value(Value::String(text("relation")?.unwrap_or_default()))
            .map_err(|_| DomainError::Document("bad relation".into()))?;
    let sex: Sex = serde_json::from_value(Value::String(text("sex")?.unwrap_or_default()))
        .map_err(|_| DomainError::Document("bad sex".into()))?;
    let line = match get_scalar(d, mid, "line")? {
        Some(ScalarValue::Int(l)) => u32::try_from(l).unwrap_or(0),
        _ => 0,
    };
    let age = match get_scalar(d, mid, "age")? {
        Some(ScalarValue::Int(a)) => u32::try_from(a).ok(),
        _ => None,
    };
    let dob = text("dob")?.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    let id_number = text("id_number")?.and_then(|s| IdNumber::parse("id_number", &s).ok());
    let answers_id = get_map(d, mid, "answers")?;
    Ok(Member {
        id,
        line,
        name: text("name")?.unwrap_or_default(),
        relation,
        sex,
        dob,
        age,
        id_number,
        answers: read_answers(d, &answers_id)?,
    })
}

fn read_answers(d: &AutoCommit, obj: &ExId) -> Result<Answers> {
    let mut out = Answers::new();
    for key in d.keys(obj) {
        if let Some((v, _)) = d.get(obj, key.as_str())? {
            out.insert(key, am_value_to_json(&v));
        }
    }
    Ok(out)
}

fn get_scalar(d: &AutoCommit, obj: &ExId, key: &str) -> Result<Option<ScalarValue>> {
    Ok(match d.get(obj, key)? {
        Some((AmValue::Scalar(s), _)) => Some(s.into_owned()),
        _ => None,
    })
}

fn get_str(d: &AutoCommit, obj: &ExId, key: &str) -> Result<Option<String>> {
    Ok(match get_scalar(d, obj, key)? {
        Some(ScalarValue::Str(s)) => Some(s.to_string()),
        Some(ScalarValue::Null) | None => None,
        Some(other) => Some(scalar_to_json(&other).to_string()),
    })
}

fn get_map(d: &AutoCommit, obj: &ExId, key: &str) -> Result<ExId> {
    match d.get(obj, key)? {
        Some((AmValue::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(missing(key)),
    }
}

fn get_time(d: &AutoCommit, key: &str) -> Result<DateTime<Utc>> {
    Ok(match get_scalar(d, &ROOT, key)? {
        Some(ScalarValue::Timestamp(ms)) | Some(ScalarValue::Int(ms)) => ms_to_time(ms),
        _ => DateTime::<Utc>::default(),
    })
}
