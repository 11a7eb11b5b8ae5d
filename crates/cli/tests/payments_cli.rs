//! Payment cycles from the command line, against a registry serving a tablet: the cycle is prepared
//! through the registry's API from the households the tablet pushed (the command that makes it
//! from a programme comes with the programmes), then `registry payments cycle list|show|approve|
//! export|import|reconcile` and `registry payments household` do the rest: the preparer cannot
//! approve, a finance officer does, the district's list and its manifest are written owner-only and
//! agree, a malformed bank file is refused naming its line (exit status 2), the good one applies once
//! and a second time changes nothing, and the reconciliation prints, writes CSV and answers JSON.

use serde_json::{json, Value};
use shumari_domain::money::Paisa;
use shumari_domain::PlannedPayment;
use shumari_registry::service::CycleManifest;
use shumari_registry::{Config, DbUrl, Registry};
use std::path::Path;
mod common;
use common::{
    admin_json, admin_text, device, district_user, enrolled_device, registry_out,
    TempRegistry as TestRegistry,
};

fn add(dir: &Path, head: &str, cnic: &str) -> String {
    let h = json!({
        "area": "PK60301",
        "answers": {"respondent": head, "consent": "OK"},
        "members": [
            {"name": head, "relation": "head", "sex": "female", "age": 41, "id_number": cnic}
        ]
    });
    let out = device(dir)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(h.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Prepares the cycle through the registry's API, as the programme officer; returns its id.
fn prepare(db: &str, programme: &str, households: &[(String, Paisa)]) -> String {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let reg = Registry::open(&DbUrl::parse(db), Config::default())
            .await
            .unwrap();
        let mut lines = Vec::new();
        for (id, amount) in households {
            let h = reg.household_show(None, id).await.unwrap().household;
            let head = &h.members[0];
            lines.push(PlannedPayment {
                household_id: h.id,
                reference: h.reference.clone(),
                area: h.area.clone(),
                payee_member: head.id,
                payee_name: head.name.clone(),
                payee_cnic: head.id_number.as_ref().unwrap().digits().to_string(),
                amount: *amount,
                basis: "per household".into(),
            });
        }
        let user = reg.acting_user(programme).await.unwrap();
        reg.create_cycle(&user, "kafalat", "2026-Q4", lines)
            .await
            .unwrap()
            .id
    })
}

#[test]
fn a_cycle_approved_exported_paid_and_reconciled_from_the_command_line() {
    let reg = TestRegistry::start();
    let surveyor = district_user(&reg, "surveyor");
    let programme = district_user(&reg, "programme");
    let finance = district_user(&reg, "finance");
    let tablet = enrolled_device(&reg, &surveyor);
    let a = add(tablet.path(), "Naseem Bibi", "35202-1234567-2");
    let b = add(tablet.path(), "Rukhsana Begum", "35202-7654321-4");
    device(tablet.path()).arg("sync").assert().success();
    let cycle = prepare(
        &reg.db,
        &programme,
        &[(a.clone(), Paisa::rupees(10_500)), (b, Paisa(800_050))],
    );

    let list = admin_json(&reg.db, &["payments", "cycle", "list", "--as", &finance]);
    assert_eq!(list[0]["id"], cycle.as_str());
    assert_eq!(list[0]["state"], "prepared");
    assert_eq!(list[0]["total"], 1_850_050);

    // Nothing goes to the bank before approval, and the preparer does not approve.
    let dir = reg.dir.path().join("bank");
    let out_dir = dir.to_str().unwrap();
    let export = [
        "payments", "cycle", "export", &cycle, "--out", out_dir, "--as", &finance,
    ];
    let early = registry_out(&reg.db, &export);
    assert_eq!(early.status.code(), Some(2), "{early:?}");
    assert!(String::from_utf8_lossy(&early.stderr).contains("approved"));
    let own = registry_out(
        &reg.db,
        &["payments", "cycle", "approve", &cycle, "--as", &programme],
    );
    assert!(!own.status.success(), "{own:?}");
    let approved = admin_json(
        &reg.db,
        &["payments", "cycle", "approve", &cycle, "--as", &finance],
    );
    assert_eq!(approved["state"], "approved");
    assert_eq!(approved["approved_by"], finance.as_str());
    let shown = admin_text(
        &reg.db,
        &["payments", "cycle", "show", &cycle, "--as", &programme],
    );
    assert!(shown.contains("districts: PK603"), "{shown}");

    // The district's list and its manifest, owner-only.
    let text = admin_text(&reg.db, &export);
    assert!(text.contains("PK603: 2 payment(s), Rs 18,500.50"), "{text}");
    let csv_path = dir.join(format!("{cycle}-PK603.csv"));
    let csv = std::fs::read(&csv_path).unwrap();
    let manifest: CycleManifest = serde_json::from_slice(
        &std::fs::read(dir.join(format!("{cycle}-PK603.csv.manifest.json"))).unwrap(),
    )
    .unwrap();
    manifest
        .check(&csv)
        .expect("the manifest describes the list");
    assert_eq!((manifest.rows, manifest.total_paisa), (2, 1_850_050));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&csv_path).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "names and CNICs readable by the owner only"
        );
    }
    let csv = String::from_utf8(csv).unwrap();
    let row = |cnic: &str| -> String {
        csv.lines()
            .find(|l| l.contains(cnic))
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string()
    };
    let (ra, rb) = (row("3520212345672"), row("3520276543214"));
    assert!(
        csv.contains(",Naseem Bibi,3520212345672,10500.00,PK603"),
        "{csv}"
    );

    // A malformed bank file is refused whole, naming its line.
    let header = "reference,cnic,status,amount_paid,date,agent_id,reason\n";
    let bad = reg.dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{header}{ra},3520212345672,paid,10500,2026-10-15,RT-1,\n{rb},3520276543214,paid,lots,2026-10-15,,\n"),
    )
    .unwrap();
    let refused = registry_out(
        &reg.db,
        &[
            "payments",
            "cycle",
            "import",
            bad.to_str().unwrap(),
            "--as",
            &programme,
        ],
    );
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("line 3"),
        "{refused:?}"
    );

    // The good file applies once; the second time changes nothing.
    let good = reg.dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!("{header}{ra},3520212345672,paid,10500,2026-10-15,RT-1,\n{rb},3520276543214,failed,,2026-10-15,,account closed\n"),
    )
    .unwrap();
    let import = [
        "payments",
        "cycle",
        "import",
        good.to_str().unwrap(),
        "--as",
        &programme,
    ];
    let first = admin_json(&reg.db, &import);
    assert_eq!(
        (first["paid"].clone(), first["failed"].clone()),
        (json!(1), json!(1))
    );
    let again = admin_text(&reg.db, &import);
    assert!(
        again.contains("imported before; nothing changed"),
        "{again}"
    );

    // The reconciliation: JSON in paisa, a printed table, and CSV.
    let reconcile = ["payments", "cycle", "reconcile", &cycle, "--as", &finance];
    let report = admin_json(&reg.db, &reconcile);
    let d = &report["districts"][0];
    assert_eq!(d["district"], "PK603");
    assert_eq!(
        (d["paid_count"].clone(), d["paid_amount"].clone()),
        (json!(1), json!(1_050_000))
    );
    assert_eq!(d["failed_by_reason"][0]["reason"], "account closed");
    assert_eq!(d["unclaimed_count"], 0);
    let printed = admin_text(&reg.db, &reconcile);
    assert!(printed.contains("kafalat 2026-Q4"), "{printed}");
    assert!(printed.contains("account closed: 1"), "{printed}");
    let csv_report = reg.dir.path().join("reconciliation.csv");
    let mut with_csv = reconcile.to_vec();
    with_csv.extend(["--csv", csv_report.to_str().unwrap()]);
    admin_text(&reg.db, &with_csv);
    let written = std::fs::read_to_string(&csv_report).unwrap();
    assert!(
        written.contains("PK603,paid,,,,1,1050000,10500.00"),
        "{written}"
    );

    // The household's history.
    let history = admin_json(&reg.db, &["payments", "household", &a, "--as", &finance]);
    assert_eq!(history[0]["payment_reference"], ra.as_str());
    assert_eq!(history[0]["status"], "paid");
    assert_eq!(history[0]["paid_on"], "2026-10-15");
}
