//! The operations allowed inside [`super::HouseholdDoc::edit`], and the one way a member is written.

use super::keys;
use super::path::FieldPath;
use super::read::{get_map, get_scalar, get_str};
use super::values::to_scalar;
use crate::error::{DomainError, Result};
use crate::household::{
    check_scalar, parse_age, parse_date, Answers, GeoPoint, Member, Relation, Sex, Status,
};
use crate::id_number::IdNumber;
use automerge::hydrate::{Map as HMap, Value as HValue};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId as ExId, ObjType, ReadDoc, ScalarValue, Value as AmValue, ROOT};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// The operations allowed inside [`super::HouseholdDoc::edit`]. Each checks its own value's shape; the
/// whole-household rules run after the closure returns.
#[derive(Debug)]
pub struct Editor<'a> {
    pub(super) doc: &'a mut AutoCommit,
}

impl Editor<'_> {
    /// Writes a scalar, superseding every concurrent value (which resolves a conflict on that key).
    pub(super) fn put_resolving(&mut self, obj: &ExId, key: &str, v: ScalarValue) -> Result<()> {
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

    pub(super) fn member_obj(&self, id: Uuid) -> Result<ExId> {
        let members = get_map(self.doc, &ROOT, keys::MEMBERS)?;
        match self.doc.get(&members, id.to_string())? {
            Some((AmValue::Object(ObjType::Map), oid)) => Ok(oid),
            _ => Err(DomainError::UnknownMember(id.to_string())),
        }
    }

    /// Writes an answer (null clears it) into the answers map `answers`.
    fn put_answer(&mut self, answers: &ExId, name: &str, value: &Value) -> Result<()> {
        if value.is_null() {
            self.clear(answers, name)
        } else {
            self.put_resolving(answers, name, to_scalar(value))
        }
    }

    /// Sets the field at `path` from a JSON value (null clears an answer).
    pub fn set(&mut self, path: &FieldPath, value: &Value) -> Result<()> {
        let field = path.to_text();
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
                let answers = get_map(self.doc, &ROOT, keys::ANSWERS)?;
                self.put_answer(&answers, name, value)
            }
            FieldPath::MemberAnswer(id, name) => {
                check_scalar(&field, value)?;
                let m = self.member_obj(*id)?;
                let answers = get_map(self.doc, &m, keys::ANSWERS)?;
                self.put_answer(&answers, name, value)
            }
            FieldPath::MemberField(id, f) => {
                let m = self.member_obj(*id)?;
                if value.is_null() && [keys::DOB, keys::AGE, keys::ID_NUMBER].contains(&f.as_str())
                {
                    return self.clear(&m, f);
                }
                let scalar = member_scalar(&field, f, value, text)?;
                self.put_resolving(&m, f, scalar)
            }
            FieldPath::Status => {
                let to = Status::parse(&text(value)?)?;
                let from =
                    Status::parse(&get_str(self.doc, &ROOT, keys::STATUS)?.unwrap_or_default())?;
                if !from.can_move_to(to) {
                    return Err(DomainError::StatusTransition {
                        from: from.as_str().into(),
                        to: to.as_str().into(),
                    });
                }
                self.put_resolving(&ROOT, keys::STATUS, ScalarValue::Str(to.as_str().into()))
            }
            FieldPath::Area => {
                let a = text(value)?;
                self.put_resolving(&ROOT, keys::AREA, ScalarValue::Str(a.into()))
            }
            FieldPath::Gps => {
                let g = match value {
                    Value::String(s) => GeoPoint::from_odk(s)?,
                    Value::Null => return self.clear(&ROOT, keys::GPS),
                    other => serde_json::from_value::<GeoPoint>(other.clone()).map_err(|_| {
                        DomainError::invalid("gps", "expected {\"lat\":..,\"lon\":..} or `lat lon`")
                    })?,
                };
                g.validate()?;
                self.put_resolving(&ROOT, keys::GPS, ScalarValue::Str(g.to_odk().into()))
            }
            FieldPath::FormVersion => {
                let v = text(value)?;
                self.put_resolving(&ROOT, keys::FORM_VERSION, ScalarValue::Str(v.into()))
            }
        }
    }

    /// Adds a member (its line number is the next free one).
    pub fn add_member(&mut self, member: &Member) -> Result<()> {
        let members = get_map(self.doc, &ROOT, keys::MEMBERS)?;
        if self.doc.get(&members, member.id.to_string())?.is_some() {
            return Err(DomainError::invalid(
                keys::MEMBERS,
                format!("member {} already exists", member.id),
            ));
        }
        self.doc.batch_create_object(
            &members,
            member.id.to_string(),
            &member_value(member),
            false,
        )?;
        Ok(())
    }

    /// Marks a member as removed (kept in the document so concurrent edits are not lost).
    pub fn remove_member(&mut self, id: Uuid) -> Result<()> {
        let m = self.member_obj(id)?;
        self.doc.put(&m, keys::REMOVED, true)?;
        Ok(())
    }

    /// Undoes [`Editor::remove_member`].
    pub fn restore_member(&mut self, id: Uuid) -> Result<()> {
        let m = self.member_obj(id)?;
        self.put_resolving(&m, keys::REMOVED, ScalarValue::Boolean(false))
    }

    /// Gives the household a new reference number. Only for a household no one else has seen yet: the
    /// store renumbers a device's unsynced households when the registry grants it another short id.
    pub fn set_reference(&mut self, reference: &str) -> Result<()> {
        if !crate::reference::looks_like_reference(reference) {
            return Err(DomainError::invalid(keys::REF, "not a reference number"));
        }
        self.put_resolving(&ROOT, keys::REF, ScalarValue::Str(reference.into()))
    }

    /// The next free roster line number.
    pub fn next_line(&self) -> Result<u32> {
        let members = get_map(self.doc, &ROOT, keys::MEMBERS)?;
        let mut max = 0;
        for key in self.doc.keys(&members) {
            let mid = get_map(self.doc, &members, &key)?;
            if let Some(ScalarValue::Int(l)) = get_scalar(self.doc, &mid, keys::LINE)? {
                max = max.max(l);
            }
        }
        Ok(u32::try_from(max).unwrap_or(0) + 1)
    }
}

/// The stored value of a member's core field `f`, checked as a new member's would be.
fn member_scalar(
    field: &str,
    f: &str,
    value: &Value,
    text: impl Fn(&Value) -> Result<String>,
) -> Result<ScalarValue> {
    Ok(match f {
        keys::NAME => {
            let s = text(value)?;
            if s.is_empty() {
                return Err(DomainError::invalid(field, "the name is empty"));
            }
            ScalarValue::Str(s.into())
        }
        keys::RELATION => {
            let s = text(value)?;
            let r = Relation::ALL
                .into_iter()
                .find(|r| r.as_str() == s)
                .ok_or_else(|| DomainError::invalid(field, format!("`{s}` is not a relation")))?;
            ScalarValue::Str(r.as_str().into())
        }
        keys::SEX => {
            let s = text(value)?;
            let sex: Sex = serde_json::from_value(Value::String(s.clone())).map_err(|_| {
                DomainError::invalid(
                    field,
                    format!("`{s}` is not a sex; use male, female or transgender"),
                )
            })?;
            ScalarValue::Str(sex.as_str().into())
        }
        keys::AGE => ScalarValue::Int(i64::from(parse_age(field, value)?)),
        keys::DOB => ScalarValue::Str(parse_date(field, &text(value)?)?.to_string().into()),
        keys::ID_NUMBER => ScalarValue::Str(IdNumber::parse(field, &text(value)?)?.digits().into()),
        _ => return Err(DomainError::UnknownPath(field.to_string())),
    })
}

/// An answers map as an in-memory automerge tree (null answers are not stored).
pub(super) fn answers_value(a: &Answers) -> HValue {
    let m: HashMap<String, HValue> = a
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| (k.clone(), HValue::Scalar(to_scalar(v))))
        .collect();
    HValue::Map(HMap::from(m))
}

/// A member as an in-memory automerge tree: the one layout `create` and `add_member` both write.
pub(super) fn member_value(m: &Member) -> HValue {
    let s = |v: &str| HValue::Scalar(ScalarValue::Str(v.into()));
    let mut f: HashMap<String, HValue> = HashMap::new();
    f.insert(
        keys::LINE.into(),
        HValue::Scalar(ScalarValue::Int(i64::from(m.line))),
    );
    f.insert(keys::NAME.into(), s(&m.name));
    f.insert(keys::RELATION.into(), s(m.relation.as_str()));
    f.insert(keys::SEX.into(), s(m.sex.as_str()));
    if let Some(d) = m.dob {
        f.insert(keys::DOB.into(), s(&d.to_string()));
    }
    if let Some(a) = m.age {
        f.insert(
            keys::AGE.into(),
            HValue::Scalar(ScalarValue::Int(i64::from(a))),
        );
    }
    if let Some(n) = &m.id_number {
        f.insert(keys::ID_NUMBER.into(), s(n.digits()));
    }
    f.insert(keys::ANSWERS.into(), answers_value(&m.answers));
    HValue::Map(HMap::from(f))
}
