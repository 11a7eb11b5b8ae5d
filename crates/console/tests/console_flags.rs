//! The data-quality flags in the console over real HTTP against a registry a tablet syncs to, on
//! SQLite and PostgreSQL (`pg_` + the name): the home page's "Flagged" count, the list's flag
//! filter and row markers, and a household's page with each flag's reason (English and Urdu) and
//! the paradata the tablet recorded (minutes per section).

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::{serve, testid_text, Browser, TestClock};
use serde_json::json;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::on_both;
use shumari_scenarios::{TestRegistry, AREA};

const PASSWORD: &str = "a long console password";

on_both!(
    flags_show_on_the_home_list_and_detail_pages,
    pg_flags_show_on_the_home_list_and_detail_pages,
    flags_on_pages
);

fn row_ids(html: &str) -> Vec<String> {
    let mut ids: Vec<String> = html
        .split("data-testid=\"household-row\" data-id=\"")
        .skip(1)
        .map(|s| s[..36].to_string())
        .collect();
    ids.sort();
    ids
}

/// The markup of the list row of household `id`.
fn row_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("data-id=\"{id}\""))
        .unwrap_or_else(|| panic!("no row {id}"));
    let rest = &html[at..];
    &rest[..rest.find("</tr>").expect("row end")]
}

fn flags_on_pages<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let mut tablet = reg.device(&[AREA]);
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 5, 0, 0).unwrap();
    let no_gps = tablet.add(1, AREA);
    let short = tablet.add(2, AREA);
    let fine = tablet.add(3, AREA);
    for id in [short, fine] {
        tablet.set(
            id,
            "gps",
            json!({"lat": 31.5, "lon": 74.3, "accuracy": 6.0}),
        );
    }
    tablet
        .store
        .edit_household(&short.to_string(), "paradata", |e| {
            e.interview_opened(t0, "tablet-7")?;
            e.section_time("identification", 120)?;
            e.section_time("housing", 90)?;
            e.interview_completed(t0 + Duration::minutes(5))
        })
        .expect("paradata");
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

    // Home: the Flagged queue counts the flagged households and links to them.
    let home = b.get("/console");
    assert_eq!(
        testid_text(&home.body, "queue-flagged-count").as_deref(),
        Some("2")
    );
    assert!(home.body.contains("href=\"/console/households?flag=any\""));

    // The list: a marker on each flagged row, none on the fine one.
    let all = b.get("/console/households");
    assert_eq!(all.status, 200);
    assert!(row_of(&all.body, &no_gps.to_string()).contains("data-flag=\"gps_missing\""));
    assert!(row_of(&all.body, &short.to_string()).contains("data-flag=\"short_interview\""));
    assert!(!row_of(&all.body, &fine.to_string()).contains("data-flag="));

    // The flag filter: any flag, then one kind; an unknown kind is a bad request.
    let any = b.get("/console/households?flag=any");
    let mut want = vec![no_gps.to_string(), short.to_string()];
    want.sort();
    assert_eq!(row_ids(&any.body), want);
    assert!(any.body.contains("<option value=\"any\" selected"));
    let one = b.get("/console/households?flag=gps_missing");
    assert_eq!(row_ids(&one.body), vec![no_gps.to_string()]);
    assert_eq!(b.get("/console/households?flag=nope").status, 400);

    // The household's page: each flag with its reason, and the paradata.
    let page = b.get(&format!("/console/households/{short}"));
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("data-testid=\"flag\" data-flag=\"short_interview\""));
    assert!(page.body.contains(
        "The interview took 5 minutes from first opening to completion; at least 15 are expected."
    ));
    assert_eq!(
        testid_text(&page.body, "paradata-duration").as_deref(),
        Some("5.0 min")
    );
    assert!(page
        .body
        .contains("data-testid=\"paradata-section\" data-section=\"identification\""));
    assert!(
        page.body.contains("<td>2.0</td>"),
        "two minutes in identification"
    );
    let calm = b.get(&format!("/console/households/{fine}"));
    assert!(calm.body.contains("data-testid=\"no-flags\""));

    // In Urdu, the reason is in Urdu.
    b.cookies.insert("shumari_lang".into(), "ur".into());
    let urdu = b.get(&format!("/console/households/{no_gps}"));
    assert!(urdu
        .body
        .contains("گھر کا جی پی ایس مقام درج نہیں کیا گیا۔"));
    assert!(urdu.body.contains("جی پی ایس نہیں"));
}
