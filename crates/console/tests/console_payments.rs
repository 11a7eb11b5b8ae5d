//! Payment cycles in the console over real HTTP, on SQLite and on PostgreSQL: a cycle prepared
//! through the registry's API is listed with its reconciliation per district; its preparer sees no
//! approval button, a finance officer does, a forged form is refused, and the approval through the
//! CSRF-protected form marks the cycle approved.

mod common;

use common::{console_user_with_password, csrf_of, serve, Browser, TestClock, CONSOLE_PASSWORD};
use shumari_domain::money::Paisa;
use shumari_domain::PlannedPayment;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, TestRegistry, AREA};

on_both!(
    a_cycle_is_reconciled_and_approved_at_the_console,
    pg_a_cycle_is_reconciled_and_approved_at_the_console,
    approve
);

fn approve<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let programme = console_user_with_password(reg, "Imran Programme", Role::Programme, &[AREA]);
    // The approver covers every district the cycle pays into (PK101 holds the households).
    let finance = console_user_with_password(reg, "Ayesha Finance", Role::Finance, &["PK101"]);
    let mut a = reg.device(&[AREA]);
    let ids = [a.add(1, AREA), a.add(2, AREA)];
    a.sync();
    let lines: Vec<PlannedPayment> = ids
        .iter()
        .map(|id| {
            let h = a.store.get(&id.to_string()).unwrap().household;
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
    let cycle = reg
        .rt
        .block_on(async {
            let u = reg.reg.acting_user(&programme).await?;
            reg.reg.create_cycle(&u, "kafalat", "2026-Q4", lines).await
        })
        .expect("prepared")
        .id;

    // The preparer sees the cycle and its reconciliation, and no approval button.
    let mut prep = Browser::new(&base);
    assert_eq!(prep.sign_in(&programme, CONSOLE_PASSWORD).status, 303);
    let page = prep.get("/console/payments");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"nav-payments\""));
    assert!(page.body.contains(&format!("data-cycle=\"{cycle}\"")));
    assert!(page.body.contains("data-state=\"prepared\""));
    assert!(page.body.contains("data-district=\"PK101\""));
    assert!(page.body.contains("2 · Rs 21,000"), "{}", page.body);
    assert!(!page.body.contains("data-testid=\"approve-form\""));

    // A finance officer approves through the form; a forged form is refused.
    let mut fin = Browser::new(&base);
    assert_eq!(fin.sign_in(&finance, CONSOLE_PASSWORD).status, 303);
    let page = fin.get(&format!("/console/payments?cycle={cycle}"));
    assert!(
        page.body.contains("data-testid=\"approve-form\""),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let forged = fin.post(
        "/console/payments/approve",
        &[("csrf", "forged"), ("cycle", &cycle)],
    );
    assert_eq!(forged.status, 403);
    let done = fin.post(
        "/console/payments/approve",
        &[("csrf", &csrf), ("cycle", &cycle)],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let page = fin.get(done.location.as_deref().expect("back to the cycle"));
    assert!(
        page.body.contains("data-state=\"approved\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("data-testid=\"approve-form\""));
    let again = fin.post(
        "/console/payments/approve",
        &[("csrf", &csrf), ("cycle", &cycle)],
    );
    assert_eq!(again.status, 409);
}
