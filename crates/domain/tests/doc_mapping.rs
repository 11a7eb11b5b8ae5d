//! The household <-> automerge document mapping: round trips, edits, conflicts, merges.

use proptest::prelude::*;
use serde_json::json;
use shumari_domain::automerge::ActorId;
use shumari_domain::doc::{EditContext, FieldPath};
use shumari_domain::{
    AreaRegistry, DomainError, HouseholdDoc, HouseholdInput, MemberInput, NewHousehold,
};

/// Every edit in these tests happens at one fixed time: the domain takes the clock from its caller.
fn ctx(user: &str) -> EditContext {
    EditContext::new(
        user,
        chrono::DateTime::from_timestamp_millis(1_763_900_000_123).unwrap(),
    )
}

fn actor(n: u8) -> ActorId {
    ActorId::from(vec![n; 16])
}

fn sample_input() -> HouseholdInput {
    serde_json::from_value(json!({
        "area": "PK10101",
        "gps": {"lat": 33.98, "lon": 73.77, "accuracy": 6.0},
        "answers": {"rooms": 3, "address": "Mohalla Qazian, house 12", "assets": "tv fridge", "land_acres": 1.5, "has_gas": false},
        "members": [
            {"name": "Muhammad Aslam", "relation": "head", "sex": "male", "age": 45, "id_number": "82101-1234567-1", "answers": {"education": "primary"}},
            {"name": "عائشہ بی بی", "relation": "spouse", "sex": "female", "dob": "1985-03-01", "id_number": "8210112345682"},
            {"name": "Ali", "relation": "son", "sex": "male", "age": 7}
        ]
    }))
    .unwrap()
}

fn sample_household(areas: &AreaRegistry, c: &EditContext) -> NewHousehold {
    NewHousehold::from_input(
        &sample_input(),
        None,
        areas,
        "PK10101-K7QD2-1",
        "nser-household",
        "1",
        c,
    )
    .unwrap()
}

fn new_doc(a: u8) -> (HouseholdDoc, AreaRegistry) {
    let areas = AreaRegistry::builtin();
    let c = ctx("enum-1");
    let new = sample_household(&areas, &c);
    (
        HouseholdDoc::create(&new.household, actor(a), &c).unwrap(),
        areas,
    )
}

fn fork(doc: &mut HouseholdDoc, a: u8, user: &str) -> HouseholdDoc {
    HouseholdDoc::load(&doc.save(), actor(a), user).unwrap()
}

fn merge(into: &mut HouseholdDoc, from: &mut HouseholdDoc) {
    into.automerge().merge(from.automerge()).unwrap();
}

#[test]
fn round_trip_keeps_every_field() {
    let areas = AreaRegistry::builtin();
    let c = ctx("enum-1");
    let new = sample_household(&areas, &c);
    let mut doc = HouseholdDoc::create(&new.household, actor(1), &c).unwrap();
    let bytes = doc.save();
    let loaded = HouseholdDoc::load(&bytes, actor(2), "enum-2").unwrap();
    let mut back = loaded.household().unwrap();
    let mut orig = new.household.clone();
    // timestamps are stored with millisecond precision
    orig.created_at =
        chrono::DateTime::from_timestamp_millis(orig.created_at.timestamp_millis()).unwrap();
    orig.updated_at = orig.created_at;
    back.updated_at = back.created_at;
    assert_eq!(back, orig);
    assert_eq!(back.members[1].name, "عائشہ بی بی");
    assert_eq!(back.answers["assets"], json!("tv fridge"));
    assert_eq!(back.answers["land_acres"], json!(1.5));
    assert!(doc.conflicts().unwrap().is_empty());
}

#[test]
fn changes_carry_the_given_actor_and_author() {
    // automerge's set_author swaps the actor: every change must still be made by the device's actor,
    // and that actor is bound to the user the document was loaded for.
    let (mut a, areas) = new_doc(1);
    let mut b = fork(&mut a, 2, "enum-2");
    let rooms = FieldPath::parse("answers.rooms").unwrap();
    b.edit(&areas, &ctx("enum-2"), "e", |e| e.set(&rooms, &json!(7)))
        .unwrap();
    b.edit(&areas, &ctx("enum-2"), "e", |e| e.set(&rooms, &json!(8)))
        .unwrap();
    let changes = b.automerge().get_changes(&[]);
    let actors: Vec<_> = changes.iter().map(|c| c.actor_id().clone()).collect();
    assert_eq!(actors, [actor(1), actor(2), actor(2)]);
    let author_of = |d: &mut HouseholdDoc, n: u8| {
        d.automerge()
            .get_author_for_actor(&actor(n))
            .map(|a| String::from_utf8(a.as_bytes().to_vec()).unwrap())
    };
    assert_eq!(author_of(&mut b, 1).as_deref(), Some("enum-1"));
    assert_eq!(author_of(&mut b, 2).as_deref(), Some("enum-2"));
    assert_eq!(b.household().unwrap().updated_by, "enum-2");
}

#[test]
fn strings_are_scalars_not_text() {
    // Two devices rename the same member: the result is a conflict of two whole names, never a blend.
    let (mut a, areas) = new_doc(1);
    let mut b = fork(&mut a, 2, "enum-2");
    let mid = a.household().unwrap().members[0].id;
    let path = FieldPath::parse(&format!("members.{mid}.name")).unwrap();
    a.edit(&areas, &ctx("enum-1"), "rename", |e| {
        e.set(&path, &json!("Muhammad Aslam Khan"))
    })
    .unwrap();
    b.edit(&areas, &ctx("enum-2"), "rename", |e| {
        e.set(&path, &json!("M. Aslam"))
    })
    .unwrap();
    merge(&mut a, &mut b);
    let name = a.household().unwrap().members[0].name.clone();
    assert!(
        name == "Muhammad Aslam Khan" || name == "M. Aslam",
        "blended name {name:?}"
    );
    let conflicts = a.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].path, format!("members.{mid}.name"));
    let mut authors: Vec<_> = conflicts[0]
        .values
        .iter()
        .map(|v| v.author.clone())
        .collect();
    authors.sort();
    assert_eq!(authors, ["enum-1", "enum-2"]);
    assert!(conflicts[0].values.iter().all(|v| v.at.is_some()));
}

#[test]
fn concurrent_answer_edits_conflict_until_resolved() {
    let (mut a, areas) = new_doc(1);
    let mut b = fork(&mut a, 2, "enum-2");
    let rooms = FieldPath::parse("answers.rooms").unwrap();
    a.edit(&areas, &ctx("enum-1"), "e", |e| e.set(&rooms, &json!(4)))
        .unwrap();
    b.edit(&areas, &ctx("enum-2"), "e", |e| e.set(&rooms, &json!(5)))
        .unwrap();
    merge(&mut a, &mut b);
    merge(&mut b, &mut a);
    assert_eq!(a.heads(), b.heads());
    let ca = a.conflicts().unwrap();
    assert_eq!(ca.len(), 1);
    assert_eq!(ca[0].path, "answers.rooms");
    let mut vals: Vec<_> = ca[0].values.iter().map(|v| v.value.clone()).collect();
    vals.sort_by_key(|v| v.as_i64());
    assert_eq!(vals, [json!(4), json!(5)]);
    assert_eq!(
        b.conflicts().unwrap(),
        ca,
        "both replicas show the same conflict"
    );

    // Picking the current winner must still resolve (automerge's put of an equal value is a no-op).
    let winner = a.household().unwrap().answers["rooms"].clone();
    a.edit(&areas, &ctx("supervisor"), "resolve", |e| {
        e.set(&rooms, &winner)
    })
    .unwrap();
    assert!(a.conflicts().unwrap().is_empty());
    merge(&mut b, &mut a);
    assert!(b.conflicts().unwrap().is_empty());
    assert_eq!(b.household().unwrap().answers["rooms"], winner);
}

#[test]
fn same_value_written_twice_is_not_a_conflict() {
    let (mut a, areas) = new_doc(1);
    let mut b = fork(&mut a, 2, "enum-2");
    let p = FieldPath::parse("answers.rooms").unwrap();
    a.edit(&areas, &ctx("enum-1"), "e", |e| e.set(&p, &json!(6)))
        .unwrap();
    b.edit(&areas, &ctx("enum-2"), "e", |e| e.set(&p, &json!(6)))
        .unwrap();
    merge(&mut a, &mut b);
    assert!(a.conflicts().unwrap().is_empty());
}

#[test]
fn members_added_offline_on_two_devices_are_both_kept() {
    let (mut a, areas) = new_doc(1);
    let mut b = fork(&mut a, 2, "enum-2");
    let add = |doc: &mut HouseholdDoc, name: &str, user: &str| {
        doc.edit(&areas, &ctx(user), "add member", |e| {
            let m = MemberInput {
                name: name.into(),
                relation: "daughter".into(),
                sex: "female".into(),
                age: Some(json!(3)),
                ..Default::default()
            }
            .to_member("members[new]", e.next_line()?)?;
            e.add_member(&m)
        })
        .unwrap();
    };
    add(&mut a, "Fatima", "enum-1");
    add(&mut b, "Zainab", "enum-2");
    merge(&mut a, &mut b);
    let names: Vec<_> = a
        .household()
        .unwrap()
        .members
        .iter()
        .map(|m| m.name.clone())
        .collect();
    assert_eq!(names.len(), 5);
    assert!(names.contains(&"Fatima".to_string()) && names.contains(&"Zainab".to_string()));
}

#[test]
fn removal_concurrent_with_edit_keeps_the_edit() {
    let (mut a, areas) = new_doc(1);
    let mut b = fork(&mut a, 2, "enum-2");
    let son = a.household().unwrap().members[2].id;
    a.edit(&areas, &ctx("enum-1"), "rm", |e| e.remove_member(son))
        .unwrap();
    let p = FieldPath::parse(&format!("members.{son}.age")).unwrap();
    b.edit(&areas, &ctx("enum-2"), "age", |e| e.set(&p, &json!(8)))
        .unwrap();
    merge(&mut a, &mut b);
    assert_eq!(a.household().unwrap().members.len(), 2);
    // the edit survives in the document: undoing the removal brings the member back with it
    a.edit(&areas, &ctx("enum-1"), "undo", |e| e.restore_member(son))
        .unwrap();
    let h = a.household().unwrap();
    let back = h.members.iter().find(|m| m.id == son).unwrap();
    assert_eq!(back.age, Some(8));
}

#[test]
fn invalid_edits_are_refused_and_leave_nothing() {
    let (mut a, areas) = new_doc(1);
    let heads = a.heads();
    let before = a.household().unwrap();
    let wife = before.members[1].id;
    let head_cnic = before.members[0].id_number.clone().unwrap();
    let cases: Vec<(String, serde_json::Value, &str)> = vec![
        (
            format!("members.{wife}.id_number"),
            json!("123"),
            "13 digits",
        ),
        (
            format!("members.{wife}.id_number"),
            json!(head_cnic.dashed()),
            "same ID number",
        ),
        (format!("members.{wife}.sex"), json!("f"), "not a sex"),
        ("answers.assets".into(), json!(["tv"]), "one value"),
        ("area".into(), json!("PK99999"), "unknown area"),
        (
            "status".into(),
            json!("approved"),
            "cannot move from `draft` to `approved`",
        ),
    ];
    for (path, value, want) in cases {
        let p = FieldPath::parse(&path).unwrap();
        let err = a
            .edit(&areas, &ctx("enum-1"), "bad", |e| e.set(&p, &value))
            .unwrap_err();
        assert!(
            err.to_string().contains(want),
            "{path}: want {want:?}, got {err}"
        );
        assert_eq!(a.heads(), heads, "a refused edit must not create a change");
    }
    assert_eq!(a.household().unwrap(), before);
    assert!(matches!(
        FieldPath::parse("answers"),
        Err(DomainError::UnknownPath(_))
    ));
    assert!(matches!(
        FieldPath::parse("members.not-a-uuid.name"),
        Err(DomainError::UnknownPath(_))
    ));
}

#[test]
fn newer_document_layout_is_refused_clearly() {
    use shumari_domain::automerge::{transaction::Transactable, AutoCommit, ROOT};
    let mut d = AutoCommit::new();
    d.put(ROOT, "schema", 99).unwrap();
    let err = HouseholdDoc::load(&d.save(), actor(1), "u").unwrap_err();
    assert!(err.to_string().contains("newer than this program"), "{err}");
    let mut d = AutoCommit::new();
    d.put(ROOT, "x", 1).unwrap();
    assert!(HouseholdDoc::load(&d.save(), actor(1), "u").is_err());
    assert!(HouseholdDoc::load(b"garbage", actor(1), "u").is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    /// Random edits on three replicas, merged in random order: all end with identical heads, household
    /// and conflicts.
    #[test]
    fn replicas_converge(ops in proptest::collection::vec((0usize..3, 0usize..4, 0i64..5, 0usize..3), 1..25)) {
        let (mut base, areas) = new_doc(1);
        let mut reps = [fork(&mut base, 11, "a"), fork(&mut base, 12, "b"), fork(&mut base, 13, "c")];
        let fields = ["answers.rooms", "answers.water", "answers.toilet", "status"];
        for (rep, field, val, sync_with) in ops {
            let p = FieldPath::parse(fields[field]).unwrap();
            let v = if field == 3 { json!(if val % 2 == 0 { "draft" } else { "complete" }) } else { json!(val) };
            let _ = reps[rep].edit(&areas, &ctx("x"), "e", |e| e.set(&p, &v));
            if sync_with != rep {
                let (a, b) = if rep < sync_with { (rep, sync_with) } else { (sync_with, rep) };
                let (left, right) = reps.split_at_mut(b);
                merge(&mut left[a], &mut right[0]);
            }
        }
        for i in 0..3 { for j in 0..3 { if i != j {
            let (a, b) = if i < j { (i, j) } else { (j, i) };
            let (left, right) = reps.split_at_mut(b);
            merge(&mut left[a], &mut right[0]);
            merge(&mut right[0], &mut left[a]);
        }}}
        let h0 = reps[0].heads();
        let hh0 = reps[0].household().unwrap();
        let c0 = reps[0].conflicts().unwrap();
        for r in reps.iter_mut().skip(1) {
            prop_assert_eq!(r.heads(), h0.clone());
            prop_assert_eq!(r.household().unwrap(), hh0.clone());
            prop_assert_eq!(r.conflicts().unwrap(), c0.clone());
        }
    }
}

#[test]
fn a_review_decision_travels_in_the_document_and_merges_with_a_concurrent_edit() {
    use shumari_domain::review::{Decision, Review};
    use shumari_domain::Status;
    let (mut device, areas) = new_doc(1);
    for s in ["complete", "submitted"] {
        device
            .edit(&areas, &ctx("enum-1"), "status", |e| {
                e.set(&FieldPath::Status, &json!(s))
            })
            .unwrap();
    }
    assert_eq!(device.household().unwrap().review, None);
    let mut registry = fork(&mut device, 9, "registry");
    let at = chrono::DateTime::from_timestamp(1_763_900_100, 0).unwrap();
    let review = Review::new(
        Decision::Returned,
        "u-7",
        "Sana Malik",
        at,
        "Count the rooms again",
        vec!["rooms".into(), "members.name".into()],
    )
    .unwrap();
    registry
        .edit(&areas, &ctx("Sana Malik (u-7)"), "review", |e| {
            e.review(&review)
        })
        .unwrap();
    // Meanwhile the surveyor edits an answer on the tablet.
    device
        .edit(&areas, &ctx("enum-1"), "edit", |e| {
            e.set(
                &FieldPath::parse("answers.address").unwrap(),
                &json!("house 14"),
            )
        })
        .unwrap();
    merge(&mut device, &mut registry);
    let h = device.household().unwrap();
    assert_eq!(h.status, Status::Returned);
    assert_eq!(h.review.as_ref(), Some(&review));
    assert_eq!(h.answers["address"], json!("house 14"), "nothing vanishes");
    assert!(device.conflicts().unwrap().is_empty());
    // A decision the status does not allow is refused and leaves nothing.
    let approve = Review::new(Decision::Approved, "u-7", "Sana", at, "", vec![]).unwrap();
    let before = device.heads();
    let err = device
        .edit(&areas, &ctx("x"), "review", |e| e.review(&approve))
        .unwrap_err();
    assert!(matches!(err, DomainError::StatusTransition { .. }), "{err}");
    assert_eq!(device.heads(), before);
    // The JSON of a reviewed household carries the decision.
    let v = serde_json::to_value(&h).unwrap();
    assert_eq!(v["review"]["decision"], json!("returned"));
    assert_eq!(v["review"]["questions"], json!(["rooms", "members.name"]));
}
