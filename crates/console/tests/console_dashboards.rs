//! The dashboards over real HTTP, on SQLite and on PostgreSQL: "no data yet" before anything is
//! pushed; then households pushed by tablets in two provinces, scored, with targets set, are shown
//! to each province's monitor — coverage rows with their targets, the district map linking their
//! districts, the PMT distribution with the thresholds — each seeing only their own province's
//! numbers (the other's area "not found", its districts never linked); a drill-down to a
//! district; the CSV downloads of each chart; the page in Urdu; no script anywhere.

mod common;

use common::{console_user_with_password, serve, Browser, TestClock, CONSOLE_PASSWORD};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, other_area, TestRegistry, AREA};

on_both!(
    each_monitor_sees_their_own_dashboards,
    pg_each_monitor_sees_their_own_dashboards,
    dashboards
);

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
