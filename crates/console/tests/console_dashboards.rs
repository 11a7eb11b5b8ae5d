//! The dashboards over real HTTP, on SQLite and on PostgreSQL: "no data yet" before anything is
//! pushed; then households pushed by tablets in two provinces, scored, with targets set, are shown
//! to each province's monitor — coverage rows with their targets, the district map linking their
//! districts, the PMT distribution with the thresholds — each seeing only their own province's
//! numbers (the other's area "not found", its districts never linked); a drill-down to a
//! district; the CSV downloads of each chart; the page in Urdu; no script anywhere.
//!
//! The targeting and delivery sections: "no data yet" for programmes, payments and grievances
//! before anything happens; then a programme loaded and run, a payment cycle paid and failed at
//! the bank, and citizens' grievances one of which passed its SLA, each made through the
//! registry's services, shown to the province's monitor with their numbers and CSVs, in Urdu too,
//! while another province's monitor sees none of them.
//!
//! The field operations sections: "no data yet" before any tablet syncs; then households
//! submitted (one waiting four days), a conflict between two tablets and a duplicate case, shown
//! to the province's monitor with each tablet's last sync and as CSVs, and to no other province.

mod common;

use common::{
    console_user_with_password, serve, testid_text, Browser, TestClock, CONSOLE_PASSWORD,
};
use serde_json::json;
use shumari_domain::money::Paisa;
use shumari_domain::{Decision, PlannedPayment};
use shumari_registry::service::{Category, Channel, CitizenFiling, ReviewRequest};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, other_area, TestRegistry, AREA};

on_both!(
    each_monitor_sees_their_own_dashboards,
    pg_each_monitor_sees_their_own_dashboards,
    dashboards
);

on_both!(
    delivery_sections_show_their_numbers_within_the_province,
    pg_delivery_sections_show_their_numbers_within_the_province,
    delivery
);

const DAY: i64 = 86_400_000;

/// The shipped Kafalat rules with a limit every household meets.
fn kafalat() -> String {
    include_str!("../../programmes/shipped/kafalat.toml")
        .replace("pmt_at_most = 32", "pmt_at_most = 100")
}

fn delivery<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let other = other_area();
    let p1 = console_user_with_password(reg, "Nadia Province", Role::Province, &["PK1"]);
    let p2 = console_user_with_password(reg, "Faisal Province", Role::Province, &[&other[..3]]);
    let mut b1 = Browser::new(&base);
    assert_eq!(b1.sign_in(&p1, CONSOLE_PASSWORD).status, 303);
    let empty = b1.get("/console/dashboards");
    assert_eq!(empty.status, 200, "{}", empty.body);
    for id in ["programmes", "payments", "grievances"] {
        assert!(
            empty
                .body
                .contains(&format!("data-testid=\"{id}-no-data\"")),
            "{id}: {}",
            empty.body
        );
        assert!(empty.body.contains(&format!("data-testid=\"{id}-csv\"")));
        let csv = b1.get(&format!("/console/dashboards/{id}.csv"));
        assert_eq!(csv.status, 200);
        assert_eq!(csv.body.lines().count(), 1, "only the header: {}", csv.body);
    }

    // Two households in Bagh, one approved; the programme decides and enrols it.
    let mut tablet = reg.device(&[AREA]);
    let approved = tablet.add(1, AREA);
    let draft = tablet.add(2, AREA);
    tablet.set(approved, "status", json!("complete"));
    assert!(tablet.sync().refused.is_empty());
    let sup = reg.user("supervisor", &[AREA]);
    let officer = reg.user("programme", &[AREA]);
    let finance = reg.user("finance", &["PK101"]);
    let lines: Vec<PlannedPayment> = [approved, draft]
        .iter()
        .map(|id| {
            let h = tablet.store.get(&id.to_string()).unwrap().household;
            let payee = &h.members[1];
            PlannedPayment {
                household_id: h.id,
                reference: h.reference.clone(),
                area: h.area.clone(),
                payee_member: payee.id,
                payee_name: payee.name.clone(),
                payee_cnic: payee.id_number.as_ref().unwrap().digits().to_string(),
                amount: Paisa::rupees(10_500),
                basis: "per household".into(),
            }
        })
        .collect();
    let now = clock.now();
    let cycle = reg
        .rt
        .block_on(async {
            let s = reg.reg.acting_user(&sup).await?;
            let req = ReviewRequest {
                decision: Decision::Approved,
                comment: String::new(),
                questions: Vec::new(),
            };
            reg.reg.review(&s, &approved.to_string(), req).await?;
            let o = reg.reg.acting_user(&officer).await?;
            reg.reg.load_programme(&o, &kafalat()).await?;
            reg.reg.run_eligibility(&o, |_| {}).await?;
            reg.reg.run_enrolment(&o, "kafalat", |_| {}).await?;
            // A cycle of both households: the bank pays one and fails the other.
            let cycle = reg
                .reg
                .create_cycle(&o, "kafalat", "2026-Q4", lines.clone())
                .await?;
            let f = reg.reg.acting_user(&finance).await?;
            reg.reg.approve_cycle(&f, &cycle.id).await?;
            let mut file = String::from("reference,cnic,status,amount_paid,date,agent_id,reason\n");
            for (line, result) in lines.iter().zip([
                "paid,10500.00,2026-10-15,RT-77,",
                "failed,,2026-10-16,,account closed",
            ]) {
                let reference = reg.reg.payments_of_household(line.household_id).await?[0]
                    .payment_reference
                    .clone();
                file.push_str(&format!("{reference},{},{result}\n", line.payee_cnic));
            }
            reg.reg.import_bank_file(&o, file.as_bytes()).await?;
            // Two grievances: not paid (7 days' SLA) and wrong data (15 days').
            for (category, text) in [
                (Category::NotPaid, "Nothing arrived"),
                (Category::WrongData, "My name is misspelt"),
            ] {
                reg.reg
                    .file_citizen_grievance(
                        CitizenFiling {
                            household: Some(draft),
                            area: String::new(),
                            category,
                            text: text.into(),
                            phone: "03001234567".into(),
                            channel: Channel::Portal,
                            payment_reference: None,
                            reported_amount: None,
                        },
                        now,
                    )
                    .await?;
            }
            Ok::<_, shumari_registry::RegistryError>(cycle.id)
        })
        .expect("decided, enrolled, paid, and grieved");

    // Ten days on, the not-paid grievance is past its SLA and the other is not.
    clock.advance_ms(10 * DAY);
    let mut b1 = Browser::new(&base);
    assert_eq!(b1.sign_in(&p1, CONSOLE_PASSWORD).status, 303);
    let page = b1.get("/console/dashboards");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"delivery\""));
    for id in ["programmes", "payments", "grievances"] {
        assert!(
            !page.body.contains(&format!("data-testid=\"{id}-no-data\"")),
            "{id}: {}",
            page.body
        );
    }
    assert!(page.body.contains("data-testid=\"programme-kafalat\""));
    assert_eq!(testid_text(&page.body, "eligible").as_deref(), Some("1"));
    assert_eq!(testid_text(&page.body, "enrolled").as_deref(), Some("1"));
    assert!(page
        .body
        .contains(&format!("data-testid=\"cycle-{cycle}\"")));
    assert_eq!(testid_text(&page.body, "planned").as_deref(), Some("2"));
    assert_eq!(testid_text(&page.body, "paid").as_deref(), Some("1"));
    assert_eq!(testid_text(&page.body, "failed").as_deref(), Some("1"));
    assert_eq!(testid_text(&page.body, "unanswered").as_deref(), Some("0"));
    assert!(page.body.contains("data-testid=\"grievances-not_paid\""));
    assert!(!page.body.contains("<script"));

    let programmes = b1.get("/console/dashboards/programmes.csv");
    assert!(programmes.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(
        programmes.body.lines().collect::<Vec<_>>(),
        [
            "programme,name_en,name_ur,eligible,enrolled",
            "kafalat,Benazir Kafalat,بینظیر کفالت,1,1"
        ],
        "{}",
        programmes.body
    );
    let payments = b1.get("/console/dashboards/payments.csv");
    assert_eq!(
        payments.body.lines().nth(1),
        Some(format!("{cycle},kafalat,2026-Q4,2,1,1,0").as_str()),
        "{}",
        payments.body
    );
    let grievances = b1.get("/console/dashboards/grievances.csv");
    assert_eq!(
        grievances.body.lines().collect::<Vec<_>>(),
        [
            "category,filed,unresolved,past_sla",
            "not_paid,1,1,1",
            "wrong_data,1,1,0"
        ],
        "{}",
        grievances.body
    );

    // In Urdu.
    b1.get("/console/lang/ur?back=/console/dashboards");
    let ur = b1.get("/console/dashboards");
    assert!(ur.body.contains("ہدف بندی اور ترسیل"), "{}", ur.body);
    assert!(ur.body.contains("زمرہ وار شکایات"));

    // Another province's monitor: none of it.
    let mut b2 = Browser::new(&base);
    assert_eq!(b2.sign_in(&p2, CONSOLE_PASSWORD).status, 303);
    let page2 = b2.get("/console/dashboards");
    assert_eq!(page2.status, 200, "{}", page2.body);
    for id in ["programmes", "payments", "grievances"] {
        assert!(
            page2
                .body
                .contains(&format!("data-testid=\"{id}-no-data\"")),
            "{id}: {}",
            page2.body
        );
    }
    assert!(!page2.body.contains(&cycle));
    assert_eq!(
        b2.get("/console/dashboards/payments.csv")
            .body
            .lines()
            .count(),
        1
    );
    assert_eq!(
        b2.get("/console/dashboards/grievances.csv")
            .body
            .lines()
            .count(),
        1
    );
    let p2_programmes = b2.get("/console/dashboards/programmes.csv");
    assert!(p2_programmes.body.contains("kafalat,") && p2_programmes.body.ends_with(",0,0\n"));
}

on_both!(
    field_operations_show_backlog_conflicts_duplicates_and_devices,
    pg_field_operations_show_backlog_conflicts_duplicates_and_devices,
    field_operations
);

fn field_operations<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let other = other_area();
    let p1 = console_user_with_password(reg, "Nadia Province", Role::Province, &["PK1"]);
    let p2 = console_user_with_password(reg, "Faisal Province", Role::Province, &[&other[..3]]);
    let mut b1 = Browser::new(&base);
    assert_eq!(b1.sign_in(&p1, CONSOLE_PASSWORD).status, 303);
    let empty = b1.get("/console/dashboards");
    assert!(
        empty.body.contains("data-testid=\"field\""),
        "{}",
        empty.body
    );
    assert!(empty.body.contains("data-testid=\"backlog-no-data\""));
    assert!(empty.body.contains("data-testid=\"devices-no-data\""));
    assert_eq!(
        b1.get("/console/dashboards/devices.csv")
            .body
            .lines()
            .count(),
        1
    );

    // Two households submitted, one edited on two tablets at once; a member on a second tablet
    // carries the first head's CNIC (a duplicate case).
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let first = a.add(1, AREA);
    let second = a.add(2, AREA);
    a.set(first, "status", json!("complete"));
    a.set(second, "status", json!("complete"));
    assert!(a.sync().refused.is_empty());
    b.sync();
    a.set(second, "answers.rooms", json!(4));
    b.set(second, "answers.rooms", json!(5));
    a.sync();
    b.sync();
    let third = b.add(3, AREA);
    let head = a.store.get(&first.to_string()).unwrap().household.members[0].clone();
    let copy = b.store.get(&third.to_string()).unwrap().household.members[2].clone();
    b.set(
        third,
        &format!("members.{}.id_number", copy.id),
        json!(head.id_number.expect("CNIC").digits()),
    );
    b.sync();
    let newest = reg
        .rt
        .block_on(async {
            reg.reg.settle_queue().await;
            reg.reg.household_list(None, None).await
        })
        .expect("the list")
        .iter()
        .filter(|h| h.id == first || h.id == second)
        .map(|h| h.updated_at.timestamp_millis())
        .max()
        .unwrap();
    // Four days after the later submission (the console's clock is the test's).
    clock.advance_ms(newest + 4 * DAY - clock.now());
    let mut b1 = Browser::new(&base);
    assert_eq!(b1.sign_in(&p1, CONSOLE_PASSWORD).status, 303);
    let page = b1.get("/console/dashboards");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("data-testid=\"backlog-no-data\""));
    assert!(!page.body.contains("data-testid=\"devices-no-data\""));
    assert_eq!(
        testid_text(&page.body, "backlog-waiting").as_deref(),
        Some("2"),
        "{}",
        page.body
    );
    assert_eq!(
        testid_text(&page.body, "backlog-oldest").as_deref(),
        Some("4")
    );
    assert_eq!(
        testid_text(&page.body, "backlog-conflicts").as_deref(),
        Some("1")
    );
    assert_eq!(
        testid_text(&page.body, "backlog-duplicates").as_deref(),
        Some("1")
    );
    let backlog = b1.get("/console/dashboards/backlog.csv");
    assert!(
        backlog.body.starts_with("measure,value\n"),
        "{}",
        backlog.body
    );
    for line in [
        "waiting,2",
        "oldest_waiting_days,4",
        "waiting_3_to_7_days,2",
        "households_with_conflicts,1",
        "open_duplicate_cases,1",
    ] {
        assert!(
            backlog.body.lines().any(|l| l == line),
            "{line}: {}",
            backlog.body
        );
    }
    let devices = b1.get("/console/dashboards/devices.csv");
    assert!(
        devices
            .body
            .starts_with("device,label,user,last_seen,days_since,state\n"),
        "{}",
        devices.body
    );
    assert_eq!(
        devices.body.lines().count(),
        3,
        "two tablets: {}",
        devices.body
    );
    assert!(devices.body.lines().skip(1).all(|l| l.ends_with(",active")));

    b1.get("/console/lang/ur?back=/console/dashboards");
    let ur = b1.get("/console/dashboards");
    assert!(ur.body.contains("فیلڈ آپریشنز") && ur.body.contains("ہر آلے کی تازہ ترین ہم آہنگی"));

    // Another province's monitor: nothing of it.
    let mut b2 = Browser::new(&base);
    assert_eq!(b2.sign_in(&p2, CONSOLE_PASSWORD).status, 303);
    let page2 = b2.get("/console/dashboards");
    assert!(
        page2.body.contains("data-testid=\"backlog-no-data\""),
        "{}",
        page2.body
    );
    assert!(page2.body.contains("data-testid=\"devices-no-data\""));
    assert_eq!(
        b2.get("/console/dashboards/devices.csv")
            .body
            .lines()
            .count(),
        1
    );
    assert!(b2
        .get("/console/dashboards/backlog.csv")
        .body
        .lines()
        .any(|l| l == "waiting,0"));
}

fn dashboards<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let other = other_area();
    let p1 = console_user_with_password(reg, "Nadia Province", Role::Province, &["PK1"]);
    let p2 = console_user_with_password(reg, "Faisal Province", Role::Province, &[&other[..3]]);
    let mut b1 = Browser::new(&base);
    assert_eq!(b1.sign_in(&p1, CONSOLE_PASSWORD).status, 303);

    // Nothing yet: said so, not drawn as zeros.
    let empty = b1.get("/console/dashboards");
    assert_eq!(empty.status, 200, "{}", empty.body);
    assert!(empty.body.contains("data-testid=\"nav-dashboards\""));
    assert!(
        empty.body.contains("data-testid=\"coverage-no-data\""),
        "{}",
        empty.body
    );
    assert!(empty.body.contains("data-testid=\"pmt-no-data\""));

    let mut t1 = reg.device(&[AREA]);
    for n in 1..=3 {
        t1.add(n, AREA);
    }
    t1.sync();
    let mut t2 = reg.device(&[&other]);
    t2.add(9, &other);
    t2.sync();
    reg.rt.block_on(async {
        reg.reg.settle_queue().await;
        reg.reg
            .set_targets(None, &[(AREA.into(), 6), (other.clone(), 4)])
            .await
            .unwrap();
    });

    let page = b1.get("/console/dashboards");
    assert_eq!(page.status, 200, "{}", page.body);
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"));
    assert!(!page.body.contains("<script"));
    assert!(
        page.body.contains("data-testid=\"coverage-PK101\""),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("href=\"/console/dashboards?area=PK101\""));
    assert!(page.body.contains("data-testid=\"district-map\""));
    assert!(page
        .body
        .contains("data-shape=\"bagh\" data-codes=\"PK101\""));
    assert!(!page
        .body
        .contains(&format!("data-testid=\"coverage-{}\"", &other[..5])));
    assert!(!page.body.contains(&format!("?area={}", &other[..5])));
    assert_eq!(
        common::testid_text(&page.body, "pmt-scored").as_deref(),
        Some("3")
    );
    assert!(page.body.contains("≤ 32"), "the threshold drawn");
    assert!(page.body.contains("<svg"));

    // Down to the district, its tehsils; another province's area is not found.
    let district = b1.get("/console/dashboards?area=PK101");
    assert_eq!(district.status, 200);
    assert!(district
        .body
        .contains(&format!("data-testid=\"coverage-{AREA}\"")));
    assert!(!district.body.contains("data-testid=\"district-map\""));
    assert_eq!(
        b1.get(&format!("/console/dashboards?area={other}")).status,
        404
    );
    assert_eq!(
        b1.get(&format!("/console/dashboards/coverage.csv?area={other}"))
            .status,
        404
    );

    // The numbers as CSV.
    let csv = b1.get("/console/dashboards/coverage.csv");
    assert_eq!(csv.status, 200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(
        csv.body.starts_with("area,name,level,draft,"),
        "{}",
        csv.body
    );
    let bagh = csv.body.lines().find(|l| l.starts_with("PK101,")).unwrap();
    assert!(bagh.starts_with("PK101,Bagh,district,"), "{bagh}");
    assert!(
        bagh.contains(",3,") && bagh.contains(",6,"),
        "3 households, target 6: {bagh}"
    );
    assert!(!csv.body.contains(&other[..5]));
    let pmt = b1.get("/console/dashboards/pmt.csv");
    assert_eq!(pmt.body.lines().count(), 102, "a header and 101 buckets");
    let total: u64 = pmt
        .body
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(',').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(total, 3);

    // In Urdu.
    b1.get("/console/lang/ur?back=/console/dashboards");
    let ur = b1.get("/console/dashboards");
    assert!(ur.body.contains("dir=\"rtl\"") && ur.body.contains("ڈیش بورڈ"));
    assert!(ur.body.contains("پی ایم ٹی اسکور کی تقسیم"));

    // The other province's monitor: their one household, nothing of province 1.
    let mut b2 = Browser::new(&base);
    assert_eq!(b2.sign_in(&p2, CONSOLE_PASSWORD).status, 303);
    let page2 = b2.get("/console/dashboards");
    assert_eq!(
        common::testid_text(&page2.body, "pmt-scored").as_deref(),
        Some("1")
    );
    assert!(!page2.body.contains("data-testid=\"coverage-PK101\""));
    assert!(!page2.body.contains("?area=PK101"));
    assert_eq!(b2.get("/console/dashboards?area=PK101").status, 404);
    let csv2 = b2.get("/console/dashboards/coverage.csv");
    assert!(!csv2.body.contains("PK101"), "{}", csv2.body);
}
