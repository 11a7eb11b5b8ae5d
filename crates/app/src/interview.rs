//! The interview: answers saved as they are typed, the roster, completion, all judged by the
//! questionnaire engine (`shumari_forms::household_form()`; see [`crate::form_view`]).
//!
//! Every keystroke is durable, but a half-typed answer (`35202-12`, a member with no name yet) may not
//! pass the form's rules or the domain rules that guard the household document. So each household has
//! a *draft overlay* in the encrypted store (`draft:<id>` in the store's settings table): values that
//! are not yet acceptable, and members not yet complete enough to join the roster. A value moves from
//! the overlay into the automerge document (and so into sync) as soon as the form's type, choice and
//! constraint check ([`crate::form_rules`], the same rules every surface applies) and the domain accept
//! it; until then the evaluation reports it with the form's message. The UI always sees document and
//! overlay merged. Each `set_answer` is therefore one durable SQLite transaction, either way.
//! Completion needs the whole form to validate, on what the UI sees and on the document alone.

use crate::answers::{self, key, path, to_engine, to_stored, Answers, MEMBER_CORE};
use crate::dto::{Interview, Issue, MemberView, Text};
use crate::error::{AppError, Result};
use crate::form_rules::{self, today};
use crate::form_view;
use crate::questionnaire::{self, engine_form, Kind};
use crate::App;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shumari_domain::{DomainError, FieldPath, Household, IdNumber, MemberInput, Status};
use shumari_store::{Store, StoreError};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Values not yet accepted, per household.
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

/// The domain's refusal, as a message and the member question it is about (if it names one).
fn refusal(e: StoreError) -> Result<(String, Option<String>)> {
    match e {
        StoreError::Invalid(d) => {
            let field = match &d {
                DomainError::InvalidField { field, .. }
                | DomainError::DuplicateIdNumber { field, .. } => {
                    field.rsplit('.').next().map(str::to_string)
                }
                _ => None,
            };
            Ok((d.to_string(), field))
        }
        other => Err(other.into()),
    }
}

fn answered(v: Option<&Value>) -> bool {
    v.is_some_and(|v| !to_stored(v).is_null())
}

impl App {
    /// The questionnaire as the UI renders it.
    pub fn form(&self) -> &questionnaire::FormDef {
        &self.form
    }

    /// Opens a household's interview (document and draft overlay merged).
    pub fn open_interview(&self, household_id: &str) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        self.with_store(|store| {
            self.record_opening(store, id)?;
            self.view(store, id)
        })
    }

    /// Saves one answer durably and returns the re-evaluated interview. A value the form or the domain
    /// does not accept is kept in the overlay (not in the document) and reported with the form's message.
    pub fn set_answer(
        &self,
        household_id: &str,
        member_id: Option<&str>,
        field: &str,
        value: Value,
    ) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        let member = member_id.map(str::to_string);
        let form = engine_form();
        if !questionnaire::writable(form, field, member.is_some()) {
            return Err(AppError::Invalid(format!(
                "`{field}` is not a question the surveyor answers here"
            )));
        }
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
            let hv = store.get(&id.to_string())?;
            let (answers, members) = self.merged(&hv.household, &draft);
            if let Some(m) = &member {
                if !members.iter().any(|x| x.id == *m) {
                    return Err(AppError::NotFound(format!("member {m}")));
                }
            }
            let inst = answers::instance(&answers, &members)?;
            let p = path(field, member.as_deref());
            let lang = self.settings().language;
            let acceptable =
                form_rules::check_values(&inst, &[(p.clone(), to_engine(&value))], &lang, today())
                    .is_ok();
            let stored = to_stored(&value);
            let empty_core = member.is_some()
                && stored.is_null()
                && matches!(field, "name" | "relation" | "sex");
            let mut written = false;
            if acceptable && !empty_core {
                let status = hv.household.status;
                let late = crate::paradata::is_late_edit(status);
                let at = self.now_utc();
                let written_now = FieldPath::parse(&p).map_err(StoreError::from);
                let result = written_now.and_then(|fp| {
                    store.edit_household(&id.to_string(), "set", |e| {
                        e.set(&fp, &stored)?;
                        if status == Status::Complete {
                            // Changing a completed interview reopens it.
                            e.set(&FieldPath::Status, &json!("draft"))?;
                        }
                        if late {
                            e.edit_after_completion(at)?;
                        }
                        Ok(())
                    })
                });
                match result {
                    Ok(_) => written = true,
                    Err(e) => {
                        let (msg, _) = refusal(e)?;
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

    /// Adds an empty member to the roster (kept in the overlay until the name, relation, sex and age or
    /// date of birth are given and accepted).
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

    /// Marks the interview complete; refused with [`AppError::Invalid`] unless the whole form validates
    /// (and the roster has a head).
    pub fn mark_complete(&self, household_id: &str) -> Result<Interview> {
        let id = parse_household_id(household_id)?;
        self.with_store(|store| {
            let view = self.view(store, id)?;
            if !view.issues.is_empty() {
                let detail: Vec<String> = view
                    .issues
                    .iter()
                    .take(10)
                    .map(|i| format!("{}: {}", i.field, i.message.en))
                    .collect();
                return Err(AppError::Incomplete {
                    count: view.issues.len(),
                    detail: detail.join("; "),
                });
            }
            // What is stored, without the overlay, must satisfy the form too.
            let h = store.get(&id.to_string())?.household;
            form_rules::check_stored_complete(&h, "en", today())?;
            let at = self.now_utc();
            store.edit_household(&id.to_string(), "complete", |e| {
                e.set(&FieldPath::Status, &json!("complete"))?;
                App::record_completion(e, at)
            })?;
            self.view(store, id)
        })
    }

    /// Moves a new member onto the roster once the form and the domain accept its core fields. Values
    /// the form does not accept (a half-typed CNIC) stay in the overlay.
    fn try_promote_member(
        &self,
        store: &mut Store,
        id: Uuid,
        m: &str,
        draft: &mut Draft,
    ) -> Result<()> {
        let Some(a) = draft.members.get(m).cloned() else {
            return Ok(());
        };
        let given = |f: &str| answered(a.get(f));
        if !(given("name") && given("relation") && given("sex") && (given("age") || given("dob"))) {
            return Ok(());
        }
        let hv = store.get(&id.to_string())?;
        let (answers, members) = self.merged(&hv.household, draft);
        let inst = answers::instance(&answers, &members)?;
        let lang = self.settings().language;
        let day = today();
        let domain_ok = |k: &str, v: &Value| match k {
            "id_number" => IdNumber::parse(k, v.as_str().unwrap_or_default()).is_ok(),
            _ => true,
        };
        let accepted: Answers = a
            .iter()
            .filter(|(k, v)| {
                answered(Some(v))
                    && domain_ok(k, v)
                    && form_rules::check_values(
                        &inst,
                        &[(path(k, Some(m)), to_engine(v))],
                        &lang,
                        day,
                    )
                    .is_ok()
            })
            .map(|(k, v)| (k.clone(), to_stored(v)))
            .collect();
        let core_given = ["name", "relation", "sex"]
            .iter()
            .all(|f| accepted.contains_key(*f))
            && (accepted.contains_key("age") || accepted.contains_key("dob"));
        if !core_given {
            return Ok(());
        }
        let text = |f: &str| accepted.get(f).and_then(Value::as_str).map(str::to_string);
        let member_uuid =
            Uuid::parse_str(m).map_err(|_| AppError::NotFound(format!("member {m}")))?;
        let input = MemberInput {
            id: Some(member_uuid),
            name: text("name").unwrap_or_default(),
            relation: text("relation").unwrap_or_default(),
            sex: text("sex").unwrap_or_default(),
            age: accepted.get("age").cloned(),
            dob: text("dob"),
            id_number: text("id_number"),
            answers: accepted
                .iter()
                .filter(|(k, _)| !MEMBER_CORE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        };
        let reopen = hv.household.status == Status::Complete;
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
                    left.retain(|k, _| !accepted.contains_key(k));
                }
            }
            Err(e) => {
                let (msg, field) = refusal(e)?;
                let field = field
                    .filter(|f| questionnaire::find(&self.form, f, true).is_some())
                    .unwrap_or_else(|| "name".into());
                draft.refused.insert(key(&field, Some(m)), msg);
            }
        }
        Ok(())
    }

    /// Household answers and the roster as the UI sees them: document, then overlay.
    fn merged(&self, h: &Household, draft: &Draft) -> (Answers, Vec<MemberView>) {
        let form = &self.form;
        let kind =
            |name: &str, member: bool| questionnaire::find(form, name, member).map(|q| q.kind);
        let mut answers: Answers = h
            .answers
            .iter()
            .map(|(k, v)| (k.clone(), to_ui(kind(k, false), v)))
            .collect();
        answers.insert("area".into(), json!(h.area));
        if let Some(g) = &h.gps {
            answers.insert(
                "gps".into(),
                json!({"lat": g.lat, "lon": g.lon, "accuracy": g.accuracy}),
            );
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
            if let Some(dob) = m.dob {
                a.insert("dob".into(), json!(dob.to_string()));
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
        (answers, members)
    }

    /// Document and overlay merged, evaluated by the forms engine.
    fn view(&self, store: &Store, id: Uuid) -> Result<Interview> {
        let hv = store.get(&id.to_string())?;
        let draft = load_draft(store, id)?;
        let h: &Household = &hv.household;
        let (answers, members) = self.merged(h, &draft);
        let inst = answers::instance(&answers, &members)?;
        let lang = self.settings().language;
        let ev = form_view::evaluate(engine_form(), &inst, &answers, &members, &lang, today());
        let mut issues = ev.issues;
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
        let head_name = h.head().map(|m| m.name.clone()).unwrap_or_default();
        Ok(Interview {
            household_id: id.to_string(),
            reference: h.reference.clone(),
            head_name,
            area_code: h.area.clone(),
            status: h.status.as_str().to_string(),
            conflict_count: u32::try_from(hv.conflicts.len()).unwrap_or(u32::MAX),
            review: h.review.as_ref().map(crate::dto::ReviewView::from),
            answers,
            members,
            visible: ev.visible,
            issues,
            warnings: ev.warnings,
            calculated: ev.calculated,
            choices: ev.choices,
            pmt: ev.pmt,
            updated_at: h.updated_at.to_rfc3339(),
            verifications: hv
                .verifications
                .iter()
                .map(|(id, v)| (id.to_string(), crate::dto::VerificationView::from(v)))
                .collect(),
        })
    }
}
