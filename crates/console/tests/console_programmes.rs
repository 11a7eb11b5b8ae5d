//! A household's programmes on its detail page, over real HTTP on SQLite and PostgreSQL: after an
//! eligibility run and an enrolment run, the page shows each programme with whether the household
//! is eligible and why, in English and in Urdu, its enrolment status, and the enrolment's history
//! once an officer suspends it with a reason.

mod common;

use common::{
    console_user_with_password, serve, testid_text, Browser, TestClock, CONSOLE_PASSWORD,
};
use serde_json::json;
use shumari_domain::Decision;
use shumari_registry::service::{EnrolmentStatus, ReviewRequest};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, TestRegistry, AREA};

on_both!(
    the_detail_shows_eligibility_reasons_and_enrolment,
    pg_the_detail_shows_eligibility_reasons_and_enrolment,
    programmes_on_the_detail
);

/// The shipped Kafalat rules with a limit every household meets.
fn kafalat() -> String {
    include_str!("../../programmes/shipped/kafalat.toml")
        .replace("pmt_at_most = 32", "pmt_at_most = 100")
}

fn programmes_on_the_detail<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let mut tablet = reg.device(&[AREA]);
    let id = tablet.add(1, AREA);
    let before = tablet.add(2, AREA);
    tablet.set(id, "status", json!("complete"));
    assert!(tablet.sync().refused.is_empty());
    let sup = console_user_with_password(reg, "Imran Qureshi", Role::Supervisor, &[AREA]);
    let officer = reg.user("programme", &[AREA]);
    reg.rt
        .block_on(async {
            let s = reg.reg.acting_user(&sup).await?;
            let req = ReviewRequest {
                decision: Decision::Approved,
                comment: String::new(),
                questions: Vec::new(),
            };
            reg.reg.review(&s, &id.to_string(), req).await?;
            let o = reg.reg.acting_user(&officer).await?;
            reg.reg.load_programme(&o, &kafalat()).await?;
            reg.reg.run_eligibility(&o, |_| {}).await?;
            reg.reg.run_enrolment(&o, "kafalat", |_| {}).await?;
            reg.reg
                .set_enrolment(
                    &o,
                    &id.to_string(),
                    "kafalat",
                    EnrolmentStatus::Suspended,
                    "payee CNIC expired",
                )
                .await
        })
        .expect("decided and enrolled");

    let mut b = Browser::new(&base);
    assert_eq!(b.sign_in(&sup, CONSOLE_PASSWORD).status, 303);
    let page = b.get(&format!("/console/households/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let reasons = testid_text(&page.body, "programme-reasons").expect("the programmes section");
    assert!(
        reasons.ends_with("≤ 100; no exclusion applies"),
        "{reasons}"
    );
    assert!(page.body.contains("data-eligible=\"true\""));
    let history = &page.body[page
        .body
        .find("data-testid=\"enrolment-history\"")
        .expect("history")..];
    assert!(history.contains("payee CNIC expired"));
    assert!(history.contains("suspended"));

    // A household not approved yet says so.
    let waiting = b.get(&format!("/console/households/{before}"));
    let reasons = testid_text(&waiting.body, "programme-reasons").expect("decided");
    assert_eq!(reasons, "not approved yet (status: draft)");

    b.get("/console/lang/ur");
    let ur = b.get(&format!("/console/households/{id}"));
    let reasons = testid_text(&ur.body, "programme-reasons").expect("in Urdu");
    assert!(reasons.contains("کوئی اخراجی شرط لاگو نہیں"), "{reasons}");
    assert!(ur.body.contains("معطل"));
}
