//! A household's history read from its automerge document: each change with its author, its time
//! and the fields it set, newest first, across two devices' merged edits.

use serde_json::json;
use shumari_domain::automerge::ActorId;
use shumari_domain::doc::{EditContext, FieldPath};
use shumari_domain::{AreaRegistry, HouseholdDoc, HouseholdInput, MemberInput, NewHousehold};

fn ctx(user: &str, ms: i64) -> EditContext {
    EditContext::new(user, chrono::DateTime::from_timestamp_millis(ms).unwrap())
}

fn actor(n: u8) -> ActorId {
    ActorId::from(vec![n; 16])
}

#[test]
fn history_names_each_change_its_author_time_and_fields_newest_first() {
    let areas = AreaRegistry::builtin();
    let input: HouseholdInput = serde_json::from_value(json!({
        "area": "PK10101",
        "answers": {"rooms": 2},
        "members": [{"name": "Muhammad Aslam", "relation": "head", "sex": "male", "age": 45}]
    }))
    .unwrap();
    let c0 = ctx("Asma (u-1)", 1_000_000);
    let new = NewHousehold::from_input(
        &input,
        None,
        &areas,
        "PK10101-K7QD2-1",
        "nser-household",
        "1",
        &c0,
    )
    .unwrap();
    let mut a = HouseholdDoc::create(&new.household, actor(1), &c0).unwrap();
    let rooms = FieldPath::parse("answers.rooms").unwrap();
    a.edit(&areas, &ctx("Asma (u-1)", 2_000_000), "rooms", |e| {
        e.set(&rooms, &json!(3))
    })
    .unwrap();
    let mut b = HouseholdDoc::load(&a.save(), actor(2), "Bilal (u-2)").unwrap();
    b.edit(&areas, &ctx("Bilal (u-2)", 3_000_000), "add member", |e| {
        let m = MemberInput {
            name: "Zainab".into(),
            relation: "daughter".into(),
            sex: "female".into(),
            age: Some(json!(3)),
            ..Default::default()
        }
        .to_member("members[new]", e.next_line()?)?;
        e.add_member(&m)
    })
    .unwrap();

    let h = b.history(10);
    assert_eq!(h.len(), 3, "{h:#?}");
    assert_eq!(h[0].author, "Bilal (u-2)");
    assert_eq!(h[0].actor, actor(2).to_hex_string());
    assert_eq!(
        h[0].fields.len(),
        1,
        "a member added is one entry: {:?}",
        h[0].fields
    );
    assert!(h[0].fields[0].starts_with("members."));
    assert_eq!(h[1].author, "Asma (u-1)");
    assert_eq!(h[1].fields, vec!["answers.rooms".to_string()]);
    assert_eq!(h[1].at.timestamp_millis(), 2_000_000);
    assert!(h[2].created && !h[1].created && !h[0].created);
    assert!(h[2].fields.contains(&"answers.rooms".to_string()));
    assert!(
        !h.iter().any(|e| e
            .fields
            .iter()
            .any(|f| f == "updated_at" || f == "updated_by")),
        "bookkeeping is left out"
    );
    let newest = b.history(1);
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0], h[0]);
}
