//! The household list's surveyor and date filters, over real HTTP on SQLite and PostgreSQL: two
//! surveyors' tablets push households; the list narrowed to one surveyor shows only theirs, the
//! filter's menu names both, and a day range before the pushes shows none.

mod common;

use common::{console_user_with_password, serve, Browser, TestClock, CONSOLE_PASSWORD};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, TestRegistry, AREA};

on_both!(
    the_list_narrows_to_one_surveyor_and_to_days,
    pg_the_list_narrows_to_one_surveyor_and_to_days,
    filters
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

fn filters<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let asma = reg.user("surveyor", &[AREA]);
    let bilal = reg.user("surveyor", &[AREA]);
    let mut a = reg.device_for(&asma);
    let mut b = reg.device_for(&bilal);
    let mut mine: Vec<String> = a
        .add_many(1, 3, AREA)
        .into_iter()
        .map(|id| id.to_string())
        .collect();
    mine.sort();
    b.add_many(10, 2, AREA);
    assert!(a.sync().refused.is_empty());
    assert!(b.sync().refused.is_empty());

    let sup = console_user_with_password(reg, "Imran Qureshi", Role::Supervisor, &[AREA]);
    let mut browser = Browser::new(&base);
    assert_eq!(browser.sign_in(&sup, CONSOLE_PASSWORD).status, 303);
    let all = browser.get("/console/households");
    assert_eq!(row_ids(&all.body).len(), 5);
    for u in [&asma, &bilal] {
        assert!(
            all.body.contains(&format!("<option value=\"{u}\"")),
            "the surveyor filter offers {u}"
        );
    }
    let only_a = browser.get(&format!("/console/households?surveyor={asma}"));
    assert_eq!(row_ids(&only_a.body), mine);
    assert!(only_a
        .body
        .contains(&format!("<option value=\"{asma}\" selected")));

    // Days: a range around today holds all; one long before holds none; a bad date is refused.
    let today = chrono::Utc::now().date_naive();
    let around = format!(
        "/console/households?from={}&to={}",
        today.pred_opt().unwrap(),
        today.succ_opt().unwrap()
    );
    assert_eq!(row_ids(&browser.get(&around).body).len(), 5);
    let before = browser.get("/console/households?from=2001-01-01&to=2001-01-31");
    assert!(row_ids(&before.body).is_empty());
    assert!(
        before.body.contains("value=\"2001-01-31\""),
        "the form keeps the filter"
    );
    assert_eq!(
        browser.get("/console/households?from=yesterday").status,
        400
    );
}
