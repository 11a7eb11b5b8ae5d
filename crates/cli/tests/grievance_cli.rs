//! Grievances from the command line against a real registry: a tablet syncs a household; a district
//! officer files a `paid_less` grievance for it by reference and a community organisation one for
//! the area; tracking numbers run in the district; another district's officer sees and touches
//! none of them; a note moves one to in progress; `escalate --at` past the SLA of the settings
//! file's `[grievances]` sends it to the province, once; the provincial monitor resolves it; and the
//! `[sms]` file gateway holds one single-segment notice per step.

use serde_json::{json, Value};
mod common;
use common::{admin_json, admin_text, district_user, registry_out, TempRegistry as Registry};

fn user(reg: &Registry, role: &str, area: &str) -> String {
    admin_json(
        &reg.db,
        &[
            "user", "add", "--name", "Ali Raza", "--role", role, "--area", area,
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn grievances_are_filed_worked_escalated_and_resolved() {
    let reg = Registry::start();
    let surveyor = district_user(&reg, "surveyor");
    let district = district_user(&reg, "district");
    let community = user(&reg, "community", "PK60301");
    let province = user(&reg, "province", "PK6");
    let other = user(&reg, "district", "PK604");
    let tablet = common::enrolled_device(&reg, &surveyor);
    let household = json!({"area": "PK60301", "members": [
        {"name": "Karim Bakhsh", "relation": "head", "sex": "male", "age": 42}]});
    let out = common::device(tablet.path())
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(household.to_string())
        .output()
        .unwrap();
    let added: Value = serde_json::from_slice(&out.stdout).unwrap();
    let reference = added["ref"].as_str().unwrap().to_string();
    common::device(tablet.path()).arg("sync").assert().success();

    let sms = reg.dir.path().join("sms.jsonl");
    let cfg = reg.dir.path().join("registry.toml");
    std::fs::write(
        &cfg,
        format!(
            "[grievances]\npaid_less_days = 2\n\n[sms]\ngateway = \"file\"\nfile = \"{}\"\n",
            sms.display()
        ),
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend(["--config", cfg]);
        admin_json(&reg.db, &a)
    };

    let first = run(&[
        "grievance",
        "file",
        "--household",
        &reference,
        "--category",
        "paid_less",
        "--received",
        "9,000",
        "--payment",
        "PAY-7",
        "--text",
        "I received Rs 9,000 of Rs 10,500",
        "--phone",
        "0300 1234567",
        "--as",
        &district,
    ]);
    assert_eq!(first["tracking"], json!("GRV-PK603-000001"));
    assert_eq!(first["district"], json!("PK603"));
    assert_eq!(first["reported_amount"], json!(900_000));
    assert_eq!(first["status"], json!("open"));
    let second = run(&[
        "grievance",
        "file",
        "--area",
        "PK60301",
        "--category",
        "agent_misconduct",
        "--channel",
        "community",
        "--text",
        "The agent keeps Rs 500",
        "--phone",
        "03007654321",
        "--as",
        &community,
    ]);
    assert_eq!(second["tracking"], json!("GRV-PK603-000002"));

    let mine = run(&["grievance", "list", "--as", &district]);
    assert_eq!(
        mine["grievances"].as_array().map(Vec::len),
        Some(2),
        "{mine}"
    );
    let theirs = run(&["grievance", "list", "--as", &other]);
    assert_eq!(theirs["grievances"], json!([]));
    let peek = registry_out(
        &reg.db,
        &["grievance", "show", "GRV-PK603-000001", "--as", &other],
    );
    assert_eq!(
        peek.status.code(),
        Some(2),
        "not found is the user's to fix"
    );
    let table = admin_text(&reg.db, &["grievance", "list", "--as", &district]);
    assert!(
        table.contains("GRV-PK603-000002") && table.contains("2 grievance(s)"),
        "{table}"
    );

    let noted = run(&[
        "grievance",
        "note",
        "GRV-PK603-000001",
        "--text",
        "Called the retailer",
        "--as",
        &district,
    ]);
    assert_eq!(noted["status"], json!("in_progress"));

    // Two days for paid_less (the settings file): three days on it is escalated, once.
    let later = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let esc = run(&["grievance", "escalate", "--at", &later]);
    assert_eq!(esc["escalated"], json!(["GRV-PK603-000001"]));
    assert_eq!(
        run(&["grievance", "escalate", "--at", &later])["escalated"],
        json!([])
    );
    let prov = run(&["grievance", "list", "--as", &province]);
    assert_eq!(prov["grievances"][0]["tracking"], json!("GRV-PK603-000001"));
    assert_eq!(prov["grievances"].as_array().map(Vec::len), Some(1));
    let overdue = run(&["grievance", "list", "--overdue", "--as", &district]);
    assert_eq!(
        overdue["grievances"],
        json!([]),
        "not overdue by today's clock"
    );

    let done = run(&[
        "grievance",
        "resolve",
        "GRV-PK603-000001",
        "--resolution",
        "The retailer repaid Rs 1,500",
        "--as",
        &province,
    ]);
    assert_eq!(done["status"], json!("resolved"));
    let kinds: Vec<&str> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["filed", "note", "escalated", "resolved"]);
    let text = admin_text(
        &reg.db,
        &["grievance", "show", "GRV-PK603-000001", "--as", &district],
    );
    assert!(
        text.contains("resolution: The retailer repaid Rs 1,500"),
        "{text}"
    );

    // Filed twice, in progress, escalated, resolved: five notices, each one segment.
    let lines: Vec<Value> = std::fs::read_to_string(&sms)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert!(lines.iter().all(|l| l["segments"] == json!(1)));
    assert_eq!(lines[0]["to"], json!("03001234567"));

    let bad = registry_out(
        &reg.db,
        &[
            "grievance",
            "file",
            "--area",
            "PK60301",
            "--category",
            "late",
            "--text",
            "x",
            "--phone",
            "0300",
            "--as",
            &district,
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    let refused = registry_out(
        &reg.db,
        &[
            "grievance",
            "resolve",
            "GRV-PK603-000002",
            "--resolution",
            "no",
            "--as",
            &community,
        ],
    );
    assert!(
        !refused.status.success(),
        "a community organisation files but does not resolve"
    );
}
