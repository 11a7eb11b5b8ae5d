//! The interview: answers saved as they are typed, the roster, completion.
//!
//! Every keystroke is durable, but a half-typed answer (`35202-12`, a member with no name yet) may not
//! pass the domain rules that guard the household document. So each household has a *draft overlay*
//! in the encrypted store (`draft:<id>` in the store's settings table): values that are not yet valid,
//! and members not yet complete enough to join the roster. A value moves from the overlay into the
//! automerge document (and so into sync) as soon as the domain accepts it; the UI always sees document
//! and overlay merged. Each `set_answer` is therefore one durable SQLite transaction, either way.

use crate::dto::{Interview, Issue, MemberView, Text};
use crate::error::{AppError, Result};
use crate::households::ui_status;
use crate::questionnaire::{self, answered, relevant, Kind};
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shumari_domain::{Household, MemberInput, Status};
use shumari_store::{Store, StoreError};
use std::collections::BTreeMap;
use uuid::Uuid;

type Answers = BTreeMap<String, Value>;

/// Member fields the domain keeps outside `answers`.
const MEMBER_CORE: [&str; 5] = ["name", "relation", "sex", "age", "id_number"];

/// Values not yet accepted by the domain, per household.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Draft {
    /// Household answers by question name.
    #[serde(default)]
    answers: Answers,
    /// Member answers by member id, then question name.
    #[serde(default)]
    members: BTreeMap<String, Answers>,
    /// Members not yet on the roster, in the order they were added.
    #[serde(default)]
    new_members: Vec<String>,
    /// Why the domain refused a value: `name` or `member:<id>:<name>` -> message.
    #[serde(default)]
    refused: BTreeMap<String, String>,
}

impl Draft {
    fn is_empty(&self) -> bool {
        self.answers.is_empty()
            && self.members.values().all(BTreeMap::is_empty)
            && self.new_members.is_empty()
    }
}

fn draft_key(id: Uuid) -> String {
    format!("draft:{id}")
}

fn load_draft(store: &Store, id: Uuid) -> Result<Draft> {
    Ok(match store.kv_get(&draft_key(id))? {
        Some(s) => serde_json::from_str(&s).unwrap_or_default(),
        None => Draft::default(),
    })
}

fn save_draft(store: &Store, id: Uuid, d: &Draft) -> Result<()> {
    if d.is_empty() && d.refused.is_empty() {
        store.kv_delete(&draft_key(id))?;
    } else {
        store.kv_set(&draft_key(id), &serde_json::to_string(d)?)?;
    }
    Ok(())
}

fn key(field: &str, member: Option<&str>) -> String {
    member.map_or_else(|| field.to_string(), |m| format!("member:{m}:{field}"))
}

/// Converts a UI value to the scalar the document stores (a multiple choice is ODK's space-separated list).
fn to_stored(v: &Value) -> Value {
    match v {
        Value::Array(a) => {
            let words: Vec<&str> = a.iter().filter_map(Value::as_str).collect();
            if words.is_empty() {
                Value::Null
            } else {
                Value::String(words.join(" "))
            }
        }
        Value::String(s) if s.trim().is_empty() => Value::Null,
        other => other.clone(),
    }
}

/// Converts a stored scalar back to what the UI edits.
fn to_ui(kind: Option<Kind>, v: &Value) -> Value {
    match (kind, v) {
        (Some(Kind::SelectMultiple), Value::String(s)) => {
            Value::Array(s.split_whitespace().map(|w| json!(w)).collect())
        }
        _ => v.clone(),
    }
}

fn parse_household_id(s: &str) -> Result<Uuid> {
    Uuid::parse_str(s).map_err(|_| AppError::NotFound(format!("household {s}")))
}

fn refused_message(e: StoreError) -> Result<String> {
    match e {
        StoreError::Invalid(d) => Ok(d.to_string()),
        other => Err(other.into()),
    }
}

impl App {
    /// The questionnaire as the UI renders it.
    pub fn form(&self) -> &questionnaire::FormDef {
        &self.form
    }

    /// Opens a household's interview (document and draft overlay merged).
    pub fn open_interview(&self, household_id: &str) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        self.with_store(|store| self.view(store, id))
    }

    /// Saves one answer durably and returns the re-evaluated interview.
    pub fn set_answer(
        &self,
        household_id: &str,
        member_id: Option<&str>,
        field: &str,
        value: Value,
    ) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        let member = member_id.map(str::to_string);
        let q = questionnaire::find(&self.form, field, member.is_some())
            .ok_or_else(|| AppError::Invalid(format!("unknown question `{field}`")))?;
        self.with_store(|store| {
            let mut draft = load_draft(store, id)?;
            let k = key(field, member.as_deref());
            draft.refused.remove(&k);
            let is_new_member = member
                .as_ref()
                .is_some_and(|m| draft.new_members.contains(m));
            if is_new_member {
                let m = member.clone().unwrap_or_default();
                draft
                    .members
                    .entry(m.clone())
                    .or_default()
                    .insert(field.into(), value);
                self.try_promote_member(store, id, &m, &mut draft)?;
                save_draft(store, id, &draft)?;
                return self.view(store, id);
            }
            let acceptable = questionnaire::check_value(q, &value).is_none();
            let path = match (&member, field) {
                (None, "gps") => "gps".to_string(),
                (None, f) => format!("answers.{f}"),
                (Some(m), f) => format!("members.{m}.{f}"),
            };
            let stored = to_stored(&value);
            let empty_core = member.is_some()
                && stored.is_null()
                && matches!(field, "name" | "relation" | "sex");
            let mut written = false;
            if acceptable && !empty_core {
                let mut fields = vec![(path, stored)];
                if store.get(&id.to_string())?.household.status == Status::Complete {
                    // Changing a completed interview reopens it.
                    fields.push(("status".into(), json!("draft")));
                }
                match store.set_fields(&id.to_string(), &fields) {
                    Ok(_) => written = true,
                    Err(e) => {
                        let msg = refused_message(e)?;
                        draft.refused.insert(k.clone(), msg);
                    }
                }
            }
            let scope = match &member {
                Some(m) => draft.members.entry(m.clone()).or_default(),
                None => &mut draft.answers,
            };
            if written {
                scope.remove(field);
            } else {
                scope.insert(field.to_string(), value);
            }
            save_draft(store, id, &draft)?;
            self.view(store, id)
        })
    }

    /// Adds an empty member to the roster (kept in the overlay until name, relation, sex and age are given).
    pub fn add_member(&self, household_id: &str) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        self.with_store(|store| {
            store.get(&id.to_string())?;
            let mut draft = load_draft(store, id)?;
            let m = Uuid::new_v4().to_string();
            draft.new_members.push(m.clone());
            draft.members.insert(m, Answers::new());
            save_draft(store, id, &draft)?;
            self.view(store, id)
        })
    }

    /// Removes a member (kept in the document as removed, so a concurrent edit elsewhere is not lost).
    pub fn remove_member(&self, household_id: &str, member_id: &str) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        self.with_store(|store| {
            let mut draft = load_draft(store, id)?;
            if let Some(pos) = draft.new_members.iter().position(|m| m == member_id) {
                draft.new_members.remove(pos);
            } else {
                let mid = Uuid::parse_str(member_id)
                    .map_err(|_| AppError::NotFound(format!("member {member_id}")))?;
                store.edit_household(&id.to_string(), "remove member", |e| e.remove_member(mid))?;
            }
            draft.members.remove(member_id);
            let prefix = format!("member:{member_id}:");
            draft.refused.retain(|k, _| !k.starts_with(&prefix));
            save_draft(store, id, &draft)?;
            self.view(store, id)
        })
    }

    /// Marks the interview complete; refused with [`AppError::Invalid`] while it has issues.
    pub fn mark_complete(&self, household_id: &str) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        self.with_store(|store| {
            let view = self.view(store, id)?;
            if !view.issues.is_empty() {
                return Err(AppError::Invalid(format!(
                    "{} answers need fixing first",
                    view.issues.len()
                )));
            }
            store.set_fields(&id.to_string(), &[("status".into(), json!("complete"))])?;
            self.view(store, id)
        })
    }

    /// Moves a new member onto the roster once the domain accepts it.
    fn try_promote_member(
        &self,
        store: &mut Store,
        id: Uuid,
        m: &str,
        draft: &mut Draft,
    ) -> Result<()> {
        let Some(a) = draft.members.get(m) else {
            return Ok(());
        };
        let text = |f: &str| {
            a.get(f)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let required_given = ["name", "relation", "sex", "age"]
            .iter()
            .all(|f| answered(a.get(*f)));
        if !required_given {
            return Ok(());
        }
        let id_number = text("id_number");
        let id_ok = id_number.trim().is_empty()
            || questionnaire::find(&self.form, "id_number", true)
                .is_some_and(|q| questionnaire::check_value(q, &json!(id_number)).is_none());
        if !id_ok {
            return Ok(());
        }
        let mut answers = Answers::new();
        for (k, v) in a.iter().filter(|(k, _)| !MEMBER_CORE.contains(&k.as_str())) {
            let ok = questionnaire::find(&self.form, k, true)
                .is_some_and(|q| questionnaire::check_value(q, v).is_none());
            let stored = to_stored(v);
            if ok && !stored.is_null() {
                answers.insert(k.clone(), stored);
            }
        }
        let member_uuid =
            Uuid::parse_str(m).map_err(|_| AppError::NotFound(format!("member {m}")))?;
        let input = MemberInput {
            id: Some(member_uuid),
            name: text("name"),
            relation: text("relation"),
            sex: text("sex"),
            age: a.get("age").cloned(),
            dob: None,
            id_number: Some(id_number).filter(|s| !s.trim().is_empty()),
            answers: answers.clone(),
        };
        let reopen = store.get(&id.to_string())?.household.status == Status::Complete;
        let result = store.edit_household(&id.to_string(), "add member", |e| {
            let line = e.next_line()?;
            let member = input.to_member("member", line)?;
            e.add_member(&member)?;
            if reopen {
                e.set(&shumari_domain::FieldPath::Status, &json!("draft"))?;
            }
            Ok(())
        });
        match result {
            Ok(_) => {
                draft.new_members.retain(|x| x != m);
                if let Some(left) = draft.members.get_mut(m) {
                    left.retain(|k, _| {
                        !MEMBER_CORE.contains(&k.as_str()) && !answers.contains_key(k)
                    });
                }
            }
            Err(e) => {
                let msg = refused_message(e)?;
                draft.refused.insert(key("name", Some(m)), msg);
            }
        }
        Ok(())
    }

    /// Document and overlay merged, with skip logic, issues and the provisional score.
    fn view(&self, store: &Store, id: Uuid) -> Result<Interview> {
        let hv = store.get(&id.to_string())?;
        let draft = load_draft(store, id)?;
        let h: &Household = &hv.household;
        let form = &self.form;
        let kind =
            |name: &str, member: bool| questionnaire::find(form, name, member).map(|q| q.kind);

        let mut answers: Answers = h
            .answers
            .iter()
            .map(|(k, v)| (k.clone(), to_ui(kind(k, false), v)))
            .collect();
        if let Some(g) = &h.gps {
            answers.insert("gps".into(), json!({"lat": g.lat, "lon": g.lon}));
        }
        answers.extend(draft.answers.clone());

        let mut members: Vec<MemberView> = Vec::new();
        for m in &h.members {
            let mut a: Answers = m
                .answers
                .iter()
                .map(|(k, v)| (k.clone(), to_ui(kind(k, true), v)))
                .collect();
            a.insert("name".into(), json!(m.name));
            a.insert("relation".into(), json!(m.relation.as_str()));
            a.insert("sex".into(), json!(m.sex.as_str()));
            if let Some(age) = m.age {
                a.insert("age".into(), json!(age));
            }
            if let Some(n) = &m.id_number {
                a.insert("id_number".into(), json!(n.dashed()));
            }
            if let Some(over) = draft.members.get(&m.id.to_string()) {
                a.extend(over.clone());
            }
            members.push(MemberView {
                id: m.id.to_string(),
                answers: a,
            });
        }
        for m in &draft.new_members {
            members.push(MemberView {
                id: m.clone(),
                answers: draft.members.get(m).cloned().unwrap_or_default(),
            });
        }

        let mut visible = Vec::new();
        let mut issues = Vec::new();
        for s in &form.sections {
            if s.repeat {
                for m in &members {
                    for q in s.questions.iter().filter(|q| relevant(q, &m.answers)) {
                        visible.push(format!("member:{}:{}", m.id, q.name));
                    }
                    questionnaire::scope_issues(&s.questions, &m.answers, Some(&m.id), &mut issues);
                }
            } else {
                for q in s.questions.iter().filter(|q| relevant(q, &answers)) {
                    visible.push(q.name.to_string());
                }
                questionnaire::scope_issues(&s.questions, &answers, None, &mut issues);
            }
        }
        for (k, msg) in &draft.refused {
            let (member_id, field) = match k.strip_prefix("member:").and_then(|r| r.split_once(':'))
            {
                Some((m, f)) => (Some(m.to_string()), f.to_string()),
                None => (None, k.clone()),
            };
            if !issues
                .iter()
                .any(|i| i.field == field && i.member_id == member_id)
            {
                issues.push(Issue {
                    field,
                    member_id,
                    code: "invalid".into(),
                    message: Text {
                        en: msg.clone(),
                        ur: format!("یہ جواب قبول نہیں ہوا: {msg}"),
                    },
                });
            }
        }
        if members.is_empty() {
            issues.push(Issue {
                field: "members".into(),
                member_id: None,
                code: "no_members".into(),
                message: Text::new("Add at least one member.", "کم از کم ایک فرد شامل کریں۔"),
            });
        } else if !members
            .iter()
            .any(|m| m.answers.get("relation").and_then(Value::as_str) == Some("head"))
        {
            issues.push(Issue {
                field: "relation".into(),
                member_id: members.first().map(|m| m.id.clone()),
                code: "no_head".into(),
                message: Text::new(
                    "One member must be the head of household.",
                    "ایک فرد کا سربراہِ خانہ ہونا ضروری ہے۔",
                ),
            });
        }
        let member_answers: Vec<Answers> = members.iter().map(|m| m.answers.clone()).collect();
        let pmt = questionnaire::pmt(&answers, &member_answers);
        let head_name = h.head().map(|m| m.name.clone()).unwrap_or_default();
        Ok(Interview {
            household_id: id.to_string(),
            reference: h.reference.clone(),
            head_name,
            area_code: h.area.clone(),
            status: ui_status(h.status.as_str(), hv.conflicts.len() as u32).to_string(),
            answers,
            members,
            visible,
            issues,
            pmt,
            updated_at: h.updated_at.to_rfc3339(),
        })
    }
}
