//! The grievances screens over real HTTP against a real registry, on SQLite and on PostgreSQL: a
//! citizen's grievance from the portal is counted on a district officer's home page and listed in
//! the queue; the officer files one on a citizen's behalf through the form, adds a note and resolves
//! the first through the CSRF-protected forms (a forged form changes nothing; an empty resolution
//! is shown back as an error); the console's clock passing the SLA marks the other overdue, and
//! once escalated the provincial monitor's queue holds it while an officer of another district
//! finds neither; the pages work in Urdu.

mod common;

use common::{
    console_user_with_password, csrf_of, serve, testid_text, Browser, TestClock, CONSOLE_PASSWORD,
    T0,
};
use shumari_domain::money::Paisa;
use shumari_registry::service::{Category, Channel, CitizenFiling};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, TestRegistry, AREA};

on_both!(
    grievances_are_filed_noted_resolved_and_escalated_through_the_console,
    pg_grievances_are_filed_noted_resolved_and_escalated_through_the_console,
    through_the_forms
);

const DAY: i64 = 86_400_000;

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

fn through_the_forms<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let officer = console_user_with_password(reg, "Farah Naz", Role::District, &["PK101"]);
    let province = console_user_with_password(reg, "Sadia Khan", Role::Province, &["PK1"]);
    let other = console_user_with_password(reg, "Bilal Ahmed", Role::District, &["PK102"]);
    let mut tablet = reg.device(&[AREA]);
    let household = tablet.add(1, AREA);
    tablet.sync();
    let portal = reg
        .rt
        .block_on(reg.reg.file_citizen_grievance(
            CitizenFiling {
                household: Some(household),
                area: String::new(),
                category: Category::PaidLess,
                text: "I received Rs 9,000 of Rs 10,500".into(),
                phone: "03001234567".into(),
                channel: Channel::Portal,
                payment_reference: Some("PAY-1".into()),
                reported_amount: Some(Paisa::rupees(9_000)),
            },
            T0,
        ))
        .expect("portal grievance");
    assert_eq!(portal, "GRV-PK101-000001");

    let mut web = Browser::new(&base);
    assert_eq!(web.sign_in(&officer, CONSOLE_PASSWORD).status, 303);
    let home = web.get("/console");
    assert_eq!(
        testid_text(&home.body, "queue-grievances-count").as_deref(),
        Some("1")
    );
    assert!(home.body.contains("data-testid=\"nav-grievances\""));
    let queue = web.get("/console/grievances");
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert!(queue.body.contains(&format!("data-tracking=\"{portal}\"")));
    assert_eq!(count(&queue.body, "data-testid=\"overdue\""), 0);

    // Filing on a citizen's behalf through the form.
    let form = web.get("/console/grievances/new");
    assert_eq!(form.status, 200, "{}", form.body);
    let csrf = csrf_of(&form.body);
    let hh = household.to_string();
    let filed = web.post(
        "/console/grievances",
        &[
            ("csrf", &csrf),
            ("household", &hh),
            ("area", ""),
            ("category", "wrong_data"),
            ("text", "The head's age is wrong"),
            ("phone", "0300 7654321"),
            ("payment", ""),
            ("received", ""),
        ],
    );
    assert_eq!(filed.status, 303, "{}", filed.body);
    assert_eq!(
        filed.location.as_deref(),
        Some("/console/grievances/GRV-PK101-000002?done=filed")
    );
    let refused = web.post(
        "/console/grievances",
        &[
            ("csrf", &csrf),
            ("household", ""),
            ("area", AREA),
            ("category", "other"),
            ("text", "x"),
            ("phone", "not a phone"),
        ],
    );
    assert_eq!(refused.status, 400);
    assert!(refused.body.contains("data-testid=\"file-error\""));
    assert!(
        refused.body.contains("value=\"not a phone\""),
        "the form comes back filled"
    );

    // The first grievance's page: forged forms change nothing; a note; an empty resolution.
    let page = web.get(&format!("/console/grievances/{portal}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(
        testid_text(&page.body, "received").as_deref(),
        Some("Rs 9,000")
    );
    assert_eq!(count(&page.body, "data-testid=\"history-row\""), 1);
    let csrf = csrf_of(&page.body);
    let forged = web.post(
        &format!("/console/grievances/{portal}/resolve"),
        &[("csrf", "forged"), ("resolution", "done")],
    );
    assert_eq!(forged.status, 403);
    let noted = web.post(
        &format!("/console/grievances/{portal}/note"),
        &[("csrf", &csrf), ("note", "Called the retailer")],
    );
    assert_eq!(noted.status, 303);
    let page = web.get(noted.location.as_deref().unwrap());
    assert!(page.body.contains("data-testid=\"grievance-notice\""));
    assert!(page.body.contains("data-status=\"in_progress\""));
    let empty = web.post(
        &format!("/console/grievances/{portal}/resolve"),
        &[("csrf", &csrf), ("resolution", "  ")],
    );
    assert_eq!(empty.status, 400);
    assert!(empty.body.contains("data-testid=\"grievance-error\""));
    let resolved = web.post(
        &format!("/console/grievances/{portal}/resolve"),
        &[
            ("csrf", &csrf),
            ("resolution", "The retailer repaid Rs 1,500"),
        ],
    );
    assert_eq!(resolved.status, 303);
    let page = web.get(&format!("/console/grievances/{portal}"));
    assert_eq!(
        testid_text(&page.body, "resolution").as_deref(),
        Some("The retailer repaid Rs 1,500")
    );
    assert!(page.body.contains("data-testid=\"grievance-done\""));
    assert!(!page.body.contains("data-testid=\"resolve-form\""));
    let citizen = reg
        .rt
        .block_on(reg.reg.grievances_of_household(household))
        .unwrap();
    assert_eq!(
        citizen[0].resolution.as_deref(),
        Some("The retailer repaid Rs 1,500")
    );

    // Past wrong_data's 15 days the other is overdue; once escalated the province has it.
    clock.advance_ms(16 * DAY);
    let mut web = Browser::new(&base);
    assert_eq!(
        web.sign_in(&officer, CONSOLE_PASSWORD).status,
        303,
        "a new session"
    );
    let overdue = web.get("/console/grievances?overdue=1");
    assert_eq!(count(&overdue.body, "data-testid=\"grievance-row\""), 1);
    assert!(overdue.body.contains("data-tracking=\"GRV-PK101-000002\""));
    assert_eq!(count(&overdue.body, "data-testid=\"overdue\""), 1);
    let escalated = reg
        .rt
        .block_on(reg.reg.escalate_overdue(clock.now()))
        .unwrap();
    assert_eq!(escalated, ["GRV-PK101-000002"]);
    let mut prov = Browser::new(&base);
    assert_eq!(prov.sign_in(&province, CONSOLE_PASSWORD).status, 303);
    let queue = prov.get("/console/grievances");
    assert_eq!(
        count(&queue.body, "data-testid=\"grievance-row\""),
        1,
        "{}",
        queue.body
    );
    assert!(queue.body.contains("data-status=\"escalated\""));
    assert_eq!(
        prov.get(&format!("/console/grievances/{portal}")).status,
        404
    );
    let mut elsewhere = Browser::new(&base);
    assert_eq!(elsewhere.sign_in(&other, CONSOLE_PASSWORD).status, 303);
    assert!(elsewhere
        .get("/console/grievances")
        .body
        .contains("data-testid=\"no-grievances\""));
    assert_eq!(
        elsewhere.get("/console/grievances/GRV-PK101-000002").status,
        404
    );

    // In Urdu.
    assert_eq!(
        web.get("/console/lang/ur?back=/console/grievances").status,
        303
    );
    let urdu = web.get("/console/grievances");
    assert!(
        urdu.body.contains("lang=\"ur\"") && urdu.body.contains("شکایات"),
        "{}",
        urdu.body
    );
}
