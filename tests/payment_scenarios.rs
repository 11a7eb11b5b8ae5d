//! A payment cycle end to end, on SQLite and on PostgreSQL: households pushed by a tablet are owed
//! payments (explicit `PlannedPayment` lines, as the programmes feature makes them); a programme
//! officer prepares the cycle, its preparer cannot approve it and a finance officer does; each
//! district's list goes to the bank with a manifest whose rows, total and SHA-256 match; the bank's
//! result file with a duplicate and a malformed row is refused whole, naming the lines; the corrected
//! file is applied, and applied again changes nothing; the reconciliation's totals are exact in
//! paisa (planned = paid + failed + unclaimed), a citizen's reported shortfall appears in it; the
//! household's payment history spans programmes and cycles; a user outside the district is refused.

use sha2::{Digest, Sha256};
use shumari_domain::money::Paisa;
use shumari_domain::PlannedPayment;
use shumari_registry::service::{
    write_reconciliation, BankImportReport, Cycle, CycleExport, CycleState, Reconciliation,
    ReportedShortfall,
};
use shumari_registry::{RegistryError, Storage};
use shumari_scenarios::{on_both, other_area, TestDevice, TestRegistry, AREA};
use uuid::Uuid;

on_both!(
    a_whole_cycle_from_list_to_reconciliation,
    pg_a_whole_cycle_from_list_to_reconciliation,
    whole_cycle
);

/// A tehsil of another district of the same province as [`AREA`] (PK101, Bagh).
const OTHER_TEHSIL: &str = "PK10201";

/// What household `id` on the device is owed: its spouse (a woman with a CNIC) is the payee.
fn planned(d: &TestDevice, id: Uuid, amount: Paisa) -> PlannedPayment {
    let h = d.store.get(&id.to_string()).expect("household").household;
    let payee = &h.members[1];
    PlannedPayment {
        household_id: h.id,
        reference: h.reference.clone(),
        area: h.area.clone(),
        payee_member: payee.id,
        payee_name: payee.name.clone(),
        payee_cnic: payee.id_number.as_ref().expect("CNIC").digits().to_string(),
        amount,
        basis: "per household".into(),
    }
}

fn create<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    programme: &str,
    lines: Vec<PlannedPayment>,
) -> Result<Cycle, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.create_cycle(&u, programme, "2026-Q4", lines).await
    })
}

fn approve<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    cycle: &str,
) -> Result<Cycle, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.approve_cycle(&u, cycle).await
    })
}

fn export<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    cycle: &str,
    district: &str,
) -> Result<CycleExport, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.export_cycle(&u, cycle, district).await
    })
}

fn import<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    file: &str,
) -> Result<BankImportReport, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.import_bank_file(&u, file.as_bytes()).await
    })
}

fn reconcile<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    cycle: &str,
    district: Option<&str>,
    shortfalls: &[ReportedShortfall],
) -> Result<Reconciliation, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.reconcile(&u, cycle, district, shortfalls).await
    })
}

const HEADER: &str = "reference,cnic,status,amount_paid,date,agent_id,reason\n";

fn whole_cycle<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut tablet = reg.device(&[AREA, OTHER_TEHSIL]);
    let ids = [
        tablet.add(1, AREA),
        tablet.add(2, AREA),
        tablet.add(3, AREA),
        tablet.add(4, OTHER_TEHSIL),
    ];
    assert!(tablet.sync().refused.is_empty());
    let programme = reg.user("programme", &["PK1"]);
    let finance = reg.user("finance", &["PK1"]);
    let finance_bhimber = reg.user("finance", &["PK102"]);
    let elsewhere = other_area();
    let outsider = reg.user("programme", &[&elsewhere]);

    let amounts = [
        Paisa::rupees(10_500),
        Paisa::rupees(10_500),
        Paisa(1_300_050),
        Paisa::rupees(12_000),
    ];
    let lines: Vec<PlannedPayment> = ids
        .iter()
        .zip(amounts)
        .map(|(id, a)| planned(&tablet, *id, a))
        .collect();

    // Only a programme officer whose areas hold every household prepares the cycle.
    let e = create(reg, &outsider, "kafalat", lines.clone()).expect_err("outside the areas");
    assert_eq!(e.code(), "forbidden", "{e}");
    let e = create(reg, &finance, "kafalat", lines.clone()).expect_err("finance does not prepare");
    assert_eq!(e.code(), "forbidden");
    let cycle = create(reg, &programme, "kafalat", lines.clone()).expect("prepared");
    assert_eq!(cycle.state, CycleState::Prepared);
    assert_eq!(cycle.payments, 4);
    assert_eq!(
        cycle.total,
        Paisa(1_050_000 + 1_050_000 + 1_300_050 + 1_200_000)
    );
    assert_eq!(cycle.districts, vec!["PK101", "PK102"]);
    let e = create(reg, &programme, "kafalat", lines.clone()).expect_err("one cycle per period");
    assert!(e.to_string().contains("already has a payment cycle"), "{e}");
    let id = cycle.id.clone();

    // Four eyes: nothing goes to the bank before a finance officer other than the preparer approves.
    let e = export(reg, &finance, &id, "PK101").expect_err("not approved yet");
    assert_eq!(e.code(), "forbidden_transition");
    let e = approve(reg, &programme, &id).expect_err("the preparer does not approve");
    assert_eq!(e.code(), "forbidden");
    let e = approve(reg, &finance_bhimber, &id).expect_err("not over every district");
    assert_eq!(e.code(), "forbidden");
    assert!(e.to_string().contains("PK101"), "{e}");
    let approved = approve(reg, &finance, &id).expect("approved");
    assert_eq!(approved.state, CycleState::Approved);
    assert_eq!(approved.approved_by.as_deref(), Some(finance.as_str()));
    let e = approve(reg, &finance, &id).expect_err("approved once");
    assert_eq!(e.code(), "forbidden_transition");

    // One list per district, its manifest matching it.
    let bagh = export(reg, &finance, &id, "PK101").expect("Bagh's list");
    let bhimber = export(reg, &finance_bhimber, &id, "PK102").expect("Bhimber's list");
    let e = export(reg, &finance_bhimber, &id, "PK101").expect_err("outside the district");
    assert_eq!(e.code(), "forbidden");
    assert_eq!(bagh.manifest.rows, 3);
    assert_eq!(bagh.manifest.total_paisa, 1_050_000 * 2 + 1_300_050);
    assert_eq!(bhimber.manifest.rows, 1);
    assert_eq!(bhimber.manifest.total_paisa, 1_200_000);
    for list in [&bagh, &bhimber] {
        assert_eq!(list.manifest.sha256, hex(&list.csv));
        assert_eq!(list.manifest.cycle, id);
        assert_eq!(list.manifest.programme, "kafalat");
        list.manifest
            .check(&list.csv)
            .expect("the manifest describes the list");
    }
    let text = String::from_utf8(bagh.csv.clone()).expect("UTF-8");
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 3);
    let refs: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    let cnic = |r: &str| -> String {
        let row = rows.iter().find(|x| x[0] == r).expect("row");
        row[3].to_string()
    };
    assert!(text.contains(",13000.50,PK101"), "{text}");
    let bh_line = String::from_utf8(bhimber.csv.clone()).expect("UTF-8");
    let bh: Vec<&str> = bh_line.lines().nth(1).expect("row").split(',').collect();
    let (bh_ref, bh_cnic) = (bh[0].to_string(), bh[3].to_string());
    let by_household = |i: usize| -> String {
        let r = &lines[i].reference;
        rows.iter().find(|x| x[1] == r).expect("listed")[0].to_string()
    };
    let (r1, r2, r3) = (by_household(0), by_household(1), by_household(2));
    assert_eq!(refs.len(), 3);

    // A file with a duplicate and a malformed row is refused whole, naming the lines.
    let before = reconcile(reg, &programme, &id, None, &[]).expect("report");
    let bad = format!(
        "{HEADER}{r1},{c1},paid,10500.00,2026-10-15,RT-77,\n{r2},{c2},failed,,2026-10-16,,account closed\n{r1},{c1},paid,10500.00,2026-10-15,RT-77,\n{r3},{c3},paid,ten thousand,2026-10-15,RT-77,\n",
        c1 = cnic(&r1),
        c2 = cnic(&r2),
        c3 = cnic(&r3),
    );
    let e = import(reg, &programme, &bad).expect_err("refused");
    assert_eq!(e.code(), "bad_request");
    let msg = e.to_string();
    assert!(
        msg.contains("line 4: reference") && msg.contains("also on line 2"),
        "{msg}"
    );
    assert!(
        msg.contains("line 5: ") && msg.contains("ten thousand"),
        "{msg}"
    );
    assert_eq!(
        reconcile(reg, &programme, &id, None, &[]).expect("report"),
        before
    );
    // Wrong CNIC, an amount above the planned one and an unknown reference are named too.
    let wrong = format!(
        "{HEADER}{r1},{c2},paid,10500,2026-10-15,,\n{r2},{c2},paid,10600,2026-10-15,,\n{id}-999999,{c2},paid,1,2026-10-15,,\n",
        c2 = cnic(&r2),
    );
    let msg = import(reg, &programme, &wrong)
        .expect_err("refused")
        .to_string();
    assert!(msg.contains("line 2: the CNIC is not the payee's"), "{msg}");
    assert!(
        msg.contains("line 3: the amount paid, Rs 10,600, is above the planned Rs 10,500"),
        "{msg}"
    );
    assert!(msg.contains("line 4: unknown payment reference"), "{msg}");
    // Only a programme officer imports; one outside the district finds no such payments.
    let good = format!(
        "{HEADER}{r1},{c1},paid,10500.00,2026-10-15,RT-77,\n{r2},{c2},failed,,2026-10-16,,account closed\n{bh_ref},{bh_cnic},paid,\"11,000\",2026-10-17,RT-9,\n",
        c1 = cnic(&r1),
        c2 = cnic(&r2),
    );
    assert_eq!(
        import(reg, &finance, &good).expect_err("role").code(),
        "forbidden"
    );
    let msg = import(reg, &outsider, &good)
        .expect_err("outside")
        .to_string();
    assert!(msg.contains("line 2: unknown payment reference"), "{msg}");

    // The corrected file applies; applied again, nothing changes.
    let first = import(reg, &programme, &good).expect("applied");
    assert!(!first.already_imported);
    assert_eq!(
        (first.rows, first.paid, first.failed, first.unchanged),
        (3, 2, 1, 0)
    );
    assert_eq!(first.cycle, id);
    let after = reconcile(reg, &programme, &id, None, &[]).expect("report");
    let again = import(reg, &programme, &good).expect("recognised");
    assert!(again.already_imported);
    assert_eq!(
        reconcile(reg, &programme, &id, None, &[]).expect("report"),
        after
    );
    // The bank re-sends one row in another file: unchanged. A different result for a paid payment
    // is refused.
    let resend = format!(
        "{HEADER}{r1},{c1},paid,10500.00,2026-10-15,RT-77,\n",
        c1 = cnic(&r1)
    );
    let r = import(reg, &programme, &resend).expect("re-sent row");
    assert_eq!((r.paid, r.failed, r.unchanged), (0, 0, 1));
    let conflict = format!(
        "{HEADER}{r1},{c1},failed,,2026-10-20,,reversed\n",
        c1 = cnic(&r1)
    );
    let msg = import(reg, &programme, &conflict)
        .expect_err("paid stays paid")
        .to_string();
    assert!(
        msg.contains("line 2: ") && msg.contains("already recorded as paid"),
        "{msg}"
    );
    assert_eq!(
        reconcile(reg, &programme, &id, None, &[]).expect("report"),
        after
    );

    // The reconciliation is exact in paisa, per district.
    let shortfalls = [
        ReportedShortfall {
            payment_reference: r1.clone(),
            grievance: "GRV-PK101-000001".into(),
            reported_amount: Paisa::rupees(9_000),
        },
        ReportedShortfall {
            payment_reference: r3.clone(),
            grievance: "GRV-PK101-000002".into(),
            reported_amount: Paisa(1_300_050),
        },
    ];
    let report = reconcile(reg, &programme, &id, None, &shortfalls).expect("report");
    assert_eq!(report.districts.len(), 2);
    let b = &report.districts[0];
    assert_eq!(b.district, "PK101");
    assert_eq!((b.planned_count, b.planned_amount), (3, Paisa(3_400_050)));
    assert_eq!((b.paid_count, b.paid_amount), (1, Paisa(1_050_000)));
    assert_eq!((b.failed_count, b.failed_amount), (1, Paisa(1_050_000)));
    assert_eq!(b.failed_by_reason.len(), 1);
    assert_eq!(b.failed_by_reason[0].reason, "account closed");
    assert_eq!(
        (b.unclaimed_count, b.unclaimed_amount),
        (1, Paisa(1_300_050))
    );
    let h = &report.districts[1];
    assert_eq!(h.district, "PK102");
    assert_eq!(
        (h.paid_count, h.paid_amount, h.paid_planned_amount),
        (1, Paisa(1_100_000), Paisa(1_200_000))
    );
    for d in &report.districts {
        assert_eq!(
            d.planned_count,
            d.paid_count + d.failed_count + d.unclaimed_count
        );
        assert_eq!(
            d.planned_amount,
            d.paid_planned_amount + d.failed_amount + d.unclaimed_amount
        );
    }
    // Only the citizen who received less than planned is listed.
    assert_eq!(report.shortfalls.len(), 1);
    let s = &report.shortfalls[0];
    assert_eq!(s.payment_reference, r1);
    assert_eq!(s.grievance, "GRV-PK101-000001");
    assert_eq!(s.recorded_paid, Some(Paisa(1_050_000)));
    assert_eq!(s.shortfall, Paisa::rupees(1_500));
    let csv = String::from_utf8(write_reconciliation(&report)).expect("UTF-8");
    assert!(
        csv.contains("PK101,unclaimed,,,,1,1300050,13000.50"),
        "{csv}"
    );
    assert!(
        csv.contains("PK101,failed,account closed,,,1,1050000,10500.00"),
        "{csv}"
    );
    assert!(
        csv.contains(&format!(
            "PK101,reported_shortfall,,{r1},GRV-PK101-000001,1,150000,1500.00"
        )),
        "{csv}"
    );
    let one = reconcile(reg, &programme, &id, Some("PK102"), &shortfalls).expect("one district");
    assert_eq!(one.districts.len(), 1);
    assert!(one.shortfalls.is_empty());
    let e = reconcile(reg, &outsider, &id, Some("PK101"), &[]).expect_err("outside");
    assert_eq!(e.code(), "forbidden");

    // A household's history spans programmes and cycles.
    let stipend = create(
        reg,
        &programme,
        "taleemi-wazaif",
        vec![planned(&tablet, ids[0], Paisa::rupees(2_500))],
    )
    .expect("another programme");
    let history = reg
        .rt
        .block_on(reg.reg.payments_of_household(ids[0]))
        .expect("history");
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].cycle, id);
    assert_eq!(history[0].status, "paid");
    assert_eq!(history[0].paid, Some(Paisa(1_050_000)));
    assert_eq!(history[0].paid_on.as_deref(), Some("2026-10-15"));
    assert_eq!(history[1].cycle, stipend.id);
    assert_eq!(history[1].programme_id, "taleemi-wazaif");
    assert_eq!(history[1].status, "planned");
    let scoped = reg.rt.block_on(async {
        let u = reg.reg.acting_user(&finance).await?;
        reg.reg.household_payments(&u, &lines[0].reference).await
    });
    assert_eq!(scoped.expect("in the areas"), history);
    let refused = reg.rt.block_on(async {
        let u = reg.reg.acting_user(&outsider).await?;
        reg.reg.household_payments(&u, &ids[0].to_string()).await
    });
    assert_eq!(refused.expect_err("outside").code(), "not_found");

    // Every write and export is on the access trail, without names or CNICs.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    let actions: Vec<&str> = trail.iter().map(|r| r.action.as_str()).collect();
    for a in [
        "payments.cycle_create",
        "payments.cycle_approve",
        "payments.export",
        "payments.import",
        "payments.reconcile",
        "payments.household",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    for row in &trail {
        let detail = row.detail.clone().unwrap_or_default();
        assert!(!detail.contains(&cnic(&r1)), "{detail}");
        assert!(!detail.contains(&lines[0].payee_name), "{detail}");
    }
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
