//! The assignments screen over real HTTP against a real registry, on SQLite and on PostgreSQL
//! (`pg_` + the name): a supervisor assigns an area and a household through the forms (CSRF
//! checked), sees each assignment's progress and the coverage per surveyor, sees the unassigned
//! areas, is told why a refused assignment was refused, withdraws one, and the surveyor's tablet
//! receives and then drops the assignment with its syncs. The page in Urdu.

mod common;

use common::{csrf_of, serve, testid_text, Browser, TestClock};
use serde_json::json;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::on_both;
use shumari_scenarios::{other_area, TestRegistry, AREA};

const PASSWORD: &str = "a long console password";

on_both!(
    a_supervisor_assigns_through_the_forms_and_sees_coverage,
    pg_a_supervisor_assigns_through_the_forms_and_sees_coverage,
    assign_round_trip
);

fn assign_round_trip<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let surveyor = reg.user("surveyor", &[AREA]);
    let mut tablet = reg.device_for(&surveyor);
    let done = tablet.add(1, AREA);
    let revisit = tablet.add(2, AREA);
    tablet.set(done, "status", json!("complete"));
    assert!(tablet.sync().refused.is_empty());

    let sup = reg.rt.block_on(async {
        let id = reg
            .reg
            .add_user("Imran Qureshi", Role::Supervisor, &[AREA.to_string()])
            .await
            .expect("add user");
        shumari_console::set_password(&reg.reg, &id, PASSWORD, common::T0)
            .await
            .expect("password");
        id
    });
    let mut b = Browser::new(&base);
    assert_eq!(b.sign_in(&sup, PASSWORD).status, 303);

    // Nothing assigned yet: the whole area is unassigned, with its two households.
    let page = b.get("/console/assignments");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"nav-assignments\""));
    assert!(page.body.contains("data-testid=\"assignments-none\""));
    assert!(page
        .body
        .contains(&format!("data-testid=\"unassigned-{AREA}\"")));
    assert_eq!(
        testid_text(&page.body, "unassigned-households").as_deref(),
        Some("2")
    );
    let csrf = csrf_of(&page.body);
    assert!(
        page.body
            .contains(&format!("<option value=\"{surveyor}\">")),
        "the form offers the surveyors of the area"
    );

    // Without the token nothing is assigned.
    let forged = b.post(
        "/console/assignments",
        &[("kind", "area"), ("surveyor", &surveyor), ("area", AREA)],
    );
    assert_eq!(forged.status, 403);

    // The area, with a target, through the form.
    let made = b.post(
        "/console/assignments",
        &[
            ("csrf", &csrf),
            ("kind", "area"),
            ("surveyor", &surveyor),
            ("area", AREA),
            ("target", "4"),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(
        made.location.as_deref(),
        Some("/console/assignments?done=made")
    );
    // The household by its reference number.
    let reference = reg.show(revisit)["ref"]
        .as_str()
        .expect("reference")
        .to_string();
    let made = b.post(
        "/console/assignments",
        &[
            ("csrf", &csrf),
            ("kind", "household"),
            ("surveyor", &surveyor),
            ("household", &reference),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.body);

    // Out of the supervisor's areas: refused, and the page says why.
    let elsewhere = other_area();
    let refused = b.post(
        "/console/assignments",
        &[
            ("csrf", &csrf),
            ("kind", "area"),
            ("surveyor", &surveyor),
            ("area", "PK1010X"),
        ],
    );
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("data-testid=\"assignment-error\""));
    let far = b.post(
        "/console/assignments",
        &[
            ("csrf", &csrf),
            ("kind", "area"),
            ("surveyor", &surveyor),
            ("area", &elsewhere),
        ],
    );
    assert_eq!(far.status, 403, "{}", far.body);

    // Progress and coverage: the area 1 of 4, the household 0 of 1; one surveyor with both.
    let page = b.get("/console/assignments?done=made");
    assert!(page.body.contains("data-testid=\"assignment-made\""));
    let progress: Vec<&str> = page
        .body
        .match_indices("data-testid=\"assignment-progress\">")
        .map(|(i, m)| {
            let rest = &page.body[i + m.len()..];
            &rest[..rest.find('<').unwrap()]
        })
        .collect();
    assert_eq!(progress, ["1 / 4", "0 / 1"]);
    assert!(page
        .body
        .contains(&format!("data-testid=\"coverage-{surveyor}\"")));
    assert_eq!(
        testid_text(&page.body, "coverage-progress").as_deref(),
        Some("1 / 5")
    );
    assert_eq!(
        testid_text(&page.body, "unassigned-households").as_deref(),
        Some("0")
    );

    // The tablet receives both with its sync.
    assert!(tablet.sync().refused.is_empty());
    let on_tablet = tablet.store.assignments().expect("assignments");
    assert_eq!(on_tablet.len(), 2);
    let area_id = on_tablet[0].0.id.clone();

    // Withdrawn through its button; the tablet drops it at its next sync.
    let gone = b.post(
        "/console/assignments/withdraw",
        &[("csrf", &csrf), ("assignment", &area_id)],
    );
    assert_eq!(gone.status, 303, "{}", gone.body);
    let page = b.get("/console/assignments?done=withdrawn");
    assert!(page.body.contains("data-testid=\"assignment-withdrawn\""));
    assert!(!page
        .body
        .contains(&format!("data-testid=\"withdraw-{area_id}\"")));
    assert!(tablet.sync().refused.is_empty());
    assert_eq!(tablet.store.assignments().unwrap().len(), 1);

    // The page in Urdu, right to left.
    b.get("/console/lang/ur?back=/console/assignments");
    let ur = b.get("/console/assignments");
    assert!(ur.body.contains("dir=\"rtl\""));
    assert!(ur.body.contains("تفویض کردہ کام"));
}
