//! The dashboards' sections follow the page's `?area=`, over real HTTP on SQLite and PostgreSQL: a
//! provincial monitor drills from the province into each of two districts and the field
//! operations (review backlog, households per surveyor per day, interview durations, devices) and
//! the grievances follow, each CSV with them; an area outside the province is "not found"; the
//! paradata the tablets record (first opening to last completion) become the durations; the
//! sections are in Urdu; and no page view or CSV writes a `household.list` or `duplicate.list` row
//! to the access trail (the figures are counts, not personal data).

mod common;

use chrono::{Duration, Utc};
use common::{
    console_user_with_password, serve, testid_text, Browser, TestClock, CONSOLE_PASSWORD,
};
use serde_json::json;
use shumari_registry::service::{Category, Channel, CitizenFiling};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, other_area, TestDevice, TestRegistry, AREA};
use uuid::Uuid;

on_both!(
    every_section_follows_the_area_drilled_into,
    pg_every_section_follows_the_area_drilled_into,
    drill_down
);

/// A tehsil of another district of the same province as [`AREA`] (Bhimber, beside Bagh).
const BHIMBER: &str = "PK10201";

/// A household submitted after an interview of `minutes` (what the field app records).
fn interviewed(d: &mut TestDevice, n: u32, area: &str, minutes: i64) -> Uuid {
    let id = d.add(n, area);
    let start = Utc::now() - Duration::hours(3);
    d.store
        .edit_household(&id.to_string(), "paradata", |e| {
            e.interview_opened(start, "tablet")?;
            e.interview_completed(start + Duration::minutes(minutes))
        })
        .expect("paradata");
    d.set(id, "status", json!("complete"));
    id
}

fn lines(body: &str) -> Vec<&str> {
    body.lines().collect()
}

fn drill_down<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let p1 = console_user_with_password(reg, "Nadia Province", Role::Province, &["PK1"]);

    // Bagh: two households after interviews of 20 and 45 minutes; Bhimber: one of 5 minutes.
    let mut bagh = reg.device(&[AREA]);
    let first = interviewed(&mut bagh, 1, AREA, 20);
    interviewed(&mut bagh, 2, AREA, 45);
    assert!(bagh.sync().refused.is_empty());
    let mut bhimber = reg.device(&[BHIMBER]);
    let far = interviewed(&mut bhimber, 3, BHIMBER, 5);
    assert!(bhimber.sync().refused.is_empty());
    // A grievance in each district.
    let now = Utc::now().timestamp_millis();
    reg.rt
        .block_on(async {
            reg.reg.settle_queue().await;
            for h in [first, far] {
                reg.reg
                    .file_citizen_grievance(
                        CitizenFiling {
                            household: Some(h),
                            area: String::new(),
                            category: Category::NotPaid,
                            text: "Nothing arrived".into(),
                            phone: "03001234567".into(),
                            channel: Channel::Portal,
                            payment_reference: None,
                            reported_amount: None,
                        },
                        now,
                    )
                    .await?;
            }
            Ok::<_, shumari_registry::RegistryError>(())
        })
        .expect("two grievances");
    // The console's clock an hour after the interviews ended.
    clock.advance_ms(now + 3_600_000 - clock.now());
    let mut b = Browser::new(&base);
    assert_eq!(b.sign_in(&p1, CONSOLE_PASSWORD).status, 303);

    // The province: three waiting, three timed interviews, two grievances.
    let all = b.get("/console/dashboards");
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(
        testid_text(&all.body, "backlog-waiting").as_deref(),
        Some("3")
    );
    assert!(all.body.contains("data-testid=\"surveyor-days\""));
    assert_eq!(
        testid_text(&all.body, "durations-timed").as_deref(),
        Some("Households: 3"),
        "{}",
        all.body
    );
    // A monitor of one province looks at it: the links name it.
    assert!(all
        .body
        .contains("href=\"/console/dashboards/backlog.csv?area=PK1\""));

    // Bagh: its two, with CSV links that carry the area.
    let district = b.get("/console/dashboards?area=PK101");
    assert_eq!(district.status, 200);
    assert_eq!(
        testid_text(&district.body, "backlog-waiting").as_deref(),
        Some("2"),
        "{}",
        district.body
    );
    for name in [
        "backlog",
        "surveyor-days",
        "durations",
        "devices",
        "grievances",
    ] {
        assert!(
            district.body.contains(&format!(
                "href=\"/console/dashboards/{name}.csv?area=PK101\""
            )),
            "{name}"
        );
    }
    let days = b.get("/console/dashboards/surveyor-days.csv?area=PK101");
    assert_eq!(days.status, 200);
    let rows = lines(&days.body);
    assert_eq!(
        rows[0],
        "day,surveyor,name,households,timed,average_minutes,shortest_minutes,longest_minutes"
    );
    assert_eq!(rows.len(), 2, "one surveyor on one day: {}", days.body);
    assert!(rows[1].ends_with(",2,2,32.5,20.0,45.0"), "{}", days.body);
    let durations = b.get("/console/dashboards/durations.csv?area=PK101");
    let d = lines(&durations.body);
    assert_eq!(d[0], "minutes,interviews");
    assert!(d.contains(&"20–30,1") && d.contains(&"40–50,1"), "{d:?}");
    assert!(
        d.contains(&"0–10,0"),
        "Bhimber's short interview is not Bagh's"
    );
    let grievances = b.get("/console/dashboards/grievances.csv?area=PK101");
    assert!(
        lines(&grievances.body).contains(&"not_paid,1,1,0"),
        "{}",
        grievances.body
    );
    let devices = b.get("/console/dashboards/devices.csv?area=PK101");
    assert_eq!(
        lines(&devices.body).len(),
        2,
        "Bagh's tablet: {}",
        devices.body
    );

    // Bhimber: its one.
    let other_district = b.get("/console/dashboards?area=PK102");
    assert_eq!(
        testid_text(&other_district.body, "backlog-waiting").as_deref(),
        Some("1")
    );
    let d = b.get("/console/dashboards/durations.csv?area=PK102");
    assert!(lines(&d.body).contains(&"0–10,1"), "{}", d.body);
    let backlog = b.get("/console/dashboards/backlog.csv?area=PK102");
    assert!(
        lines(&backlog.body).contains(&"waiting,1"),
        "{}",
        backlog.body
    );
    let grievances = b.get("/console/dashboards/grievances.csv?area=PK102");
    assert!(lines(&grievances.body).contains(&"not_paid,1,1,0"));

    // Outside the province: not found, page and CSVs alike.
    let elsewhere = other_area();
    for path in ["", "/backlog.csv", "/surveyor-days.csv", "/grievances.csv"] {
        let url = format!("/console/dashboards{path}?area={elsewhere}");
        assert_eq!(b.get(&url).status, 404, "{url}");
    }

    // In Urdu.
    b.get("/console/lang/ur?back=/console/dashboards");
    let ur = b.get("/console/dashboards?area=PK101");
    assert!(ur.body.contains("ہر سروے کنندہ کے روزانہ گھرانے"));
    assert!(ur.body.contains("انٹرویو کا دورانیہ"));

    // Counts are not personal data: no page view or CSV listed households on the trail.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 100_000))
        .expect("trail");
    let listed: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "household.list" || e.action == "duplicate.list")
        .collect();
    assert!(listed.is_empty(), "{listed:?}");
}
