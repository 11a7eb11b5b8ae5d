//! What the status page shows comes from the citizen row the ingest keeps beside the ID-number
//! index, on SQLite and PostgreSQL: always the household's latest version, the same as its
//! document says for a household stored before the rows existed (and after the catch-up gives it
//! one), and misses counted exactly when many arrive together.

use shumari_domain::review::Decision;
use shumari_registry::service::{CitizenAnswer, CitizenLimits, CitizenView, ReviewRequest};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::storage::AttemptRule;
use shumari_registry::{SqliteStorage, Storage};
use shumari_scenarios::{pg::PgCluster, TestDevice, TestRegistry, AREA};
use std::net::IpAddr;
use uuid::Uuid;

const CNIC: &str = "3520212345671";
const PHONE: &str = "0300-1234567";

fn limits(per_cnic: u32) -> CitizenLimits {
    let rule = |limit| AttemptRule {
        limit,
        window_ms: 3_600_000,
        lock_ms: 3_600_000,
    };
    CitizenLimits {
        per_cnic: rule(per_cnic),
        per_address: rule(1000),
    }
}

/// A tablet pushes a household whose head holds [`CNIC`], issued 2015-08-14.
fn household<S: Storage>(reg: &TestRegistry<S>) -> (Uuid, TestDevice) {
    let mut d = reg.device(&[AREA]);
    let input = serde_json::from_value(serde_json::json!({
        "area": AREA,
        "answers": {"phone": PHONE},
        "members": [
            {"name": "Ayesha Bibi", "relation": "head", "sex": "female", "age": 41,
             "id_number": CNIC, "answers": {"id_issued": "2015-08-14"}},
            {"name": "Imran Khan", "relation": "son", "sex": "male", "age": 12}
        ]
    }))
    .expect("input");
    let created = d
        .store
        .add_household(&input, None, "nser-household", "1")
        .expect("add");
    d.sync();
    (created.id, d)
}

fn look_up<S: Storage>(reg: &TestRegistry<S>, day: u32) -> CitizenAnswer {
    let date = chrono::NaiveDate::from_ymd_opt(2015, 8, day).expect("date");
    let client: IpAddr = "192.0.2.7".parse().expect("address");
    reg.rt
        .block_on(
            reg.reg
                .citizen_lookup(CNIC, date, client, reg.reg.clock_ms(), &limits(5)),
        )
        .expect("look-up")
}

fn found<S: Storage>(reg: &TestRegistry<S>) -> CitizenView {
    match look_up(reg, 14) {
        CitizenAnswer::Found(v) => *v,
        other => panic!("not found: {other:?}"),
    }
}

/// The page follows every change, before and after a household's row is caught up.
fn the_page_is_the_household_as_it_is_now<S: Storage>(
    reg: &mut TestRegistry<S>,
    forget_rows: impl Fn(&TestRegistry<S>),
) {
    let (id, mut tablet) = household(reg);
    let first = found(reg);
    assert_eq!(first.household_id, id);
    let names: Vec<&str> = first.members.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["Ay**** B***", "Im*** K***"]);
    assert!(first.members[0].is_you && !first.members[1].is_you);
    assert_eq!(first.phone.as_deref(), Some(PHONE));
    assert_eq!(
        first.stage,
        shumari_registry::service::CitizenStage::BeingSurveyed
    );

    // Edited after a look-up: the next one shows the new state.
    tablet.set(id, "status", serde_json::json!("complete"));
    tablet.sync();
    let submitted = found(reg);
    assert_eq!(
        submitted.stage,
        shumari_registry::service::CitizenStage::UnderReview
    );

    // A household stored before the rows existed: the same view from its document, and the
    // catch-up gives it a row (once) that shows the same again.
    forget_rows(reg);
    assert_eq!(found(reg), submitted);
    let sms = reg
        .rt
        .block_on(reg.reg.citizen_by_cnic_for_sms(CNIC))
        .expect("sms look-up");
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].reference, submitted.reference);
    assert!(sms[0].members.is_empty(), "an SMS names no one");
    let made = reg.rt.block_on(reg.reg.fill_citizen_rows()).expect("fill");
    assert_eq!(made, 1);
    assert_eq!(
        reg.rt.block_on(reg.reg.fill_citizen_rows()).expect("fill"),
        0
    );
    assert_eq!(found(reg), submitted);

    // The row the catch-up made is replaced by the next change like any other: a supervisor
    // returns the household.
    let supervisor = reg.user("supervisor", &[AREA]);
    let u = reg
        .rt
        .block_on(reg.reg.acting_user(&supervisor))
        .expect("supervisor");
    reg.rt
        .block_on(reg.reg.review(
            &u,
            &id.to_string(),
            ReviewRequest {
                decision: Decision::Returned,
                comment: "The head's card number looks wrong".into(),
                questions: Vec::new(),
            },
        ))
        .expect("return");
    assert_eq!(
        found(reg).stage,
        shumari_registry::service::CitizenStage::BeingCorrected
    );
    tablet.sync();

    // A wrong date is still a miss, with or without a row.
    assert_eq!(look_up(reg, 15), CitizenAnswer::NoMatch);
}

#[test]
fn the_page_is_the_household_as_it_is_now_sqlite() {
    let mut reg = TestRegistry::sqlite();
    the_page_is_the_household_as_it_is_now(&mut reg, |r: &TestRegistry<SqliteStorage>| {
        r.rt.block_on(r.reg.storage.with_connection(|c| {
            c.execute("DELETE FROM citizen_rows", [])?;
            Ok(())
        }))
        .expect("forget the rows");
    });
}

#[test]
fn the_page_is_the_household_as_it_is_now_postgres() {
    let pg = PgCluster::shared();
    let mut reg = TestRegistry::postgres(&pg);
    the_page_is_the_household_as_it_is_now(&mut reg, |r: &TestRegistry<PgStorage>| {
        r.rt.block_on(async {
            r.reg
                .storage
                .connection()
                .await
                .execute("DELETE FROM citizen_rows", &[])
                .await
        })
        .expect("forget the rows");
    });
}

/// Ten wrong dates at once against a limit of four: counted together, each still learns what it
/// would have learned alone (three misses below the limit, then the lock), and the right date is
/// then refused.
fn misses_at_once_are_counted_exactly<S: Storage>(reg: &mut TestRegistry<S>) {
    household(reg);
    let date = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("date");
    let client: IpAddr = "192.0.2.8".parse().expect("address");
    let now = reg.reg.clock_ms();
    let answers: Vec<CitizenAnswer> = reg.rt.block_on(async {
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let r = reg.reg.clone();
                tokio::spawn(async move {
                    r.citizen_lookup(CNIC, date, client, now, &limits(4))
                        .await
                        .expect("look-up")
                })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("task"));
        }
        out
    });
    // A look-up that came after the fourth failure was counted is refused outright; the others
    // are misses, each counted: the first three below the limit, the rest at or past it.
    let misses = answers
        .iter()
        .filter(|a| **a == CitizenAnswer::NoMatch)
        .count();
    let refused = answers
        .iter()
        .filter(|a| matches!(a, CitizenAnswer::Locked { .. }))
        .count();
    assert_eq!(misses + refused, 10, "{answers:?}");
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    let outcomes: Vec<&str> = trail
        .iter()
        .filter(|e| e.action == "citizen.lookup")
        .filter_map(|e| e.detail.as_deref())
        .collect();
    let count = |o: &str| outcomes.iter().filter(|x| **x == o).count();
    assert_eq!(outcomes.len(), 10, "{outcomes:?}");
    assert_eq!(count("outcome=no_match"), 3, "{outcomes:?}");
    assert_eq!(count("outcome=no_match locked"), misses - 3, "{outcomes:?}");
    assert_eq!(count("outcome=locked"), refused, "{outcomes:?}");
    assert!(misses >= 4, "the fourth failure is counted: {outcomes:?}");
    let right = chrono::NaiveDate::from_ymd_opt(2015, 8, 14).expect("date");
    let after = reg
        .rt
        .block_on(
            reg.reg
                .citizen_lookup(CNIC, right, client, now + 1, &limits(4)),
        )
        .expect("look-up");
    assert!(matches!(after, CitizenAnswer::Locked { .. }), "{after:?}");
}

shumari_scenarios::on_both!(
    misses_sqlite,
    misses_postgres,
    misses_at_once_are_counted_exactly
);
