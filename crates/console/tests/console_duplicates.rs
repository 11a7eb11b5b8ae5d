//! The duplicates screens over real HTTP against a real registry with tablets syncing, on SQLite
//! and on PostgreSQL: a case opened by two devices' households is counted on the home page, listed
//! in the queue, shown side by side with the shared number's member highlighted, resolved through
//! the CSRF-protected form, and the removal reaches a syncing tablet; a possible duplicate is listed
//! with its similarity and reasons and dismissed through its form; a member's identity verification
//! is shown in the household detail.

mod common;

use common::{csrf_of, serve, testid_text, Browser, TestClock};
use serde_json::json;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, TestDevice, TestRegistry, AREA};
use uuid::Uuid;

const PASSWORD: &str = "a long console password";

on_both!(
    a_case_is_listed_shown_side_by_side_and_resolved_through_the_form,
    pg_a_case_is_listed_shown_side_by_side_and_resolved_through_the_form,
    case_through_the_forms
);
on_both!(
    a_possible_duplicate_is_dismissed_through_its_form,
    pg_a_possible_duplicate_is_dismissed_through_its_form,
    possible_through_the_forms
);

fn console_user<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    name: &str,
    role: Role,
) -> String {
    reg.rt.block_on(async {
        let id = reg
            .reg
            .add_user(name, role, &[AREA.to_string()])
            .await
            .expect("add user");
        shumari_console::set_password(&reg.reg, &id, PASSWORD, common::T0)
            .await
            .expect("password");
        id
    })
}

fn member(d: &TestDevice, id: Uuid, index: usize) -> shumari_domain::Member {
    d.store
        .get(&id.to_string())
        .expect("on the device")
        .household
        .members[index]
        .clone()
}

/// How many times `needle` occurs in `hay`.
fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

fn case_through_the_forms<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let officer = console_user(reg, "Farah Naz", Role::District);
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let mut tablet = reg.device(&[AREA]);
    let first = a.add(1, AREA);
    a.sync();
    let cnic = member(&a, first, 0)
        .id_number
        .expect("CNIC")
        .digits()
        .to_string();
    // A second surveyor's household: its third member carries the first head's number.
    let second = b.add(2, AREA);
    let copy = member(&b, second, 2);
    b.set(
        second,
        &format!("members.{}.id_number", copy.id),
        json!(cnic),
    );
    b.sync();
    tablet.sync();
    assert_eq!(
        tablet
            .store
            .get(&second.to_string())
            .unwrap()
            .household
            .members
            .len(),
        6
    );

    let mut web = Browser::new(&base);
    assert_eq!(web.sign_in(&officer, PASSWORD).status, 303);
    let home = web.get("/console");
    assert_eq!(
        testid_text(&home.body, "queue-duplicates-count").as_deref(),
        Some("1")
    );
    assert!(home.body.contains("data-testid=\"nav-duplicates\""));

    // The queue lists the case.
    let queue = web.get("/console/duplicates");
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(count(&queue.body, "data-testid=\"case-row\""), 1);
    assert!(queue.body.contains("data-kind=\"shared_number\""));
    let at = queue.body.find("data-case=\"").expect("case id") + "data-case=\"".len();
    let case_id = queue.body[at..at + queue.body[at..].find('"').unwrap()].to_string();

    // Side by side, the member carrying the number highlighted in each household.
    let page = web.get(&format!("/console/duplicates/{case_id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(count(&page.body, "data-testid=\"case-household\""), 2);
    assert_eq!(count(&page.body, "data-testid=\"shared-member\""), 2);
    assert!(page.body.contains(&format!("data-household=\"{first}\"")));
    assert!(page.body.contains(&format!("data-household=\"{second}\"")));
    assert_eq!(count(&page.body, "data-testid=\"keep\""), 2);
    assert!(page.body.contains("data-testid=\"data-error\""));

    // A form without the session's CSRF token is refused and changes nothing.
    let forged = web.post(
        &format!("/console/duplicates/{case_id}/resolve"),
        &[
            ("csrf", "forged"),
            ("resolution", "keep"),
            ("household", &first.to_string()),
        ],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(
        count(
            &web.get("/console/duplicates").body,
            "data-testid=\"case-row\""
        ),
        1
    );

    // Kept in the first household, removed from the second.
    let csrf = csrf_of(&page.body);
    let done = web.post(
        &format!("/console/duplicates/{case_id}/resolve"),
        &[
            ("csrf", &csrf),
            ("resolution", "keep"),
            ("household", &first.to_string()),
            ("note", "Lives with her parents"),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let shown = web.get(done.location.as_deref().expect("back to the case"));
    assert!(shown.body.contains("data-testid=\"case-resolved\""));
    assert!(shown.body.contains("data-state=\"resolved\""));
    assert!(!shown.body.contains("data-testid=\"close-form\""));
    assert_eq!(
        count(
            &web.get("/console/duplicates").body,
            "data-testid=\"case-row\""
        ),
        0
    );
    assert_eq!(
        testid_text(&web.get("/console").body, "queue-duplicates-count").as_deref(),
        Some("0")
    );

    // The syncing tablet receives the removal.
    tablet.sync();
    let members = tablet
        .store
        .get(&second.to_string())
        .unwrap()
        .household
        .members;
    assert_eq!(members.len(), 5);
    assert!(members.iter().all(|m| m.id != copy.id));

    // The household detail shows each member's verification: unverified until NADRA answers.
    let detail = web.get(&format!("/console/households/{first}"));
    assert!(
        detail.body.contains("data-verification=\"unverified\""),
        "{}",
        detail.body
    );
}

fn add_named(d: &mut TestDevice, n: u32, head: &str, phone: &str) -> Uuid {
    let id = d.add(n, AREA);
    let m = member(d, id, 0);
    d.set(id, &format!("members.{}.name", m.id), json!(head));
    d.set(id, "answers.phone", json!(phone));
    id
}

fn possible_through_the_forms<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let supervisor = console_user(reg, "Nasreen Akhtar", Role::Supervisor);
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    add_named(&mut a, 1, "Muhammad Aslam", "0300-1234567");
    add_named(&mut b, 2, "حاجی محمد اسلم", "+92 300 1234567");
    a.sync();
    b.sync();

    let mut web = Browser::new(&base);
    assert_eq!(web.sign_in(&supervisor, PASSWORD).status, 303);
    let list = web.get(&format!("/console/duplicates/possible?area={AREA}"));
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(count(&list.body, "data-testid=\"possible-row\""), 1);
    let score: f64 = testid_text(&list.body, "similarity")
        .expect("similarity")
        .parse()
        .expect("a number");
    assert!(score > 0.8 && score <= 1.0, "{score}");
    assert_eq!(
        testid_text(&list.body, "reasons").as_deref(),
        Some("phone number")
    );

    // Urdu page, same pair.
    web.cookies.insert("shumari_lang".into(), "ur".into());
    let ur = web.get(&format!("/console/duplicates/possible?area={AREA}"));
    assert!(ur.body.contains("dir=\"rtl\""));
    assert!(ur.body.contains("فون نمبر"));
    web.cookies.remove("shumari_lang");

    let at = list.body.find("name=\"a\" value=\"").unwrap() + "name=\"a\" value=\"".len();
    let a_id = list.body[at..at + 36].to_string();
    let at = list.body.find("name=\"b\" value=\"").unwrap() + "name=\"b\" value=\"".len();
    let b_id = list.body[at..at + 36].to_string();
    let csrf = csrf_of(&list.body);
    let done = web.post(
        "/console/duplicates/possible/dismiss",
        &[
            ("csrf", &csrf),
            ("a", &a_id),
            ("b", &b_id),
            ("area", AREA),
            ("note", "brothers"),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let after = web.get(done.location.as_deref().expect("back to the list"));
    assert!(after.body.contains("data-testid=\"pair-dismissed\""));
    assert_eq!(count(&after.body, "data-testid=\"possible-row\""), 0);
    assert!(after.body.contains("data-testid=\"no-possible\""));
}
