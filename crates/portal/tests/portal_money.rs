//! From a programme to the citizen's phone, on SQLite and PostgreSQL: a household pushed, approved
//! and scored; Kafalat loaded, eligibility and enrolment run, the quarter's cycle prepared by a
//! programme officer, approved by a finance officer, paid by the bank's result file — and the
//! citizen's status page shows the eligibility with its reason, the enrolment and the payment, and
//! the SMS reply to the household's phone names the payment; the enrolment and the bank's file each send
//! the household one SMS ("enrolled", "payment credited").

use reqwest::blocking::Client;
use shumari_domain::Decision;
use shumari_portal::PortalConfig;
use shumari_registry::service::ReviewRequest;
use shumari_registry::Storage;
use shumari_scenarios::{on_both, TestRegistry, AREA};

const CNIC: &str = "35202-1234567-1";
const SECRET: &str = "gateway-secret-for-tests";
const KAFALAT: &str = include_str!("../../programmes/shipped/kafalat.toml");

fn serve<S: Storage>(reg: &TestRegistry<S>) -> String {
    let listener = reg
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = shumari_registry::app_with(
        reg.reg.clone(),
        shumari_portal::router(
            reg.reg.clone(),
            PortalConfig::default().with_sms_secret(SECRET),
        ),
    );
    reg.rt.spawn(async move {
        let _ = shumari_registry::launch_router(listener, router, std::future::pending()).await;
    });
    format!("http://{addr}")
}

fn paid_household_reaches_the_citizen<S: Storage>(reg: &mut TestRegistry<S>) {
    let surveyor = reg.user("surveyor", &[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let officer = reg.user("programme", &[AREA]);
    let finance = reg.user("finance", &["PK101"]);
    let mut d = reg.device_for(&surveyor);
    let input = serde_json::from_value(serde_json::json!({
        "area": AREA,
        "answers": {"address": "House 4, Mohalla Noor", "phone": "0300-1234567", "rooms": 1,
                    "electricity_bill": 500},
        "members": [
            {"name": "Ayesha Bibi", "relation": "head", "sex": "female", "age": 41,
             "id_number": CNIC, "answers": {"id_issued": "2015-08-14", "occupation": "housework"}},
            {"name": "Imran Khan", "relation": "son", "sex": "male", "age": 12}
        ]
    }))
    .expect("input");
    let id = d
        .store
        .add_household(&input, None, "nser-household", "1")
        .expect("add")
        .id;
    d.set(id, "status", serde_json::json!("complete"));
    d.sync();
    let user = |id: &str| reg.rt.block_on(reg.reg.acting_user(id)).expect("user");
    let (sup, off, fin) = (user(&supervisor), user(&officer), user(&finance));
    let outbox = reg.dir.path().join("sms.jsonl");
    assert!(reg
        .reg
        .set_sms_gateway(std::sync::Arc::new(shumari_sms::FileGateway::new(&outbox))));
    reg.rt
        .block_on(reg.reg.review(
            &sup,
            &id.to_string(),
            ReviewRequest {
                decision: Decision::Approved,
                comment: String::new(),
                questions: Vec::new(),
            },
        ))
        .expect("approved");
    reg.rt.block_on(reg.reg.rescore(|_| {})).expect("scored");
    // Every household eligible: the shipped rules with a limit of 100.
    let rules = KAFALAT.replace("pmt_at_most = 32", "pmt_at_most = 100");
    reg.rt.block_on(async {
        reg.reg.load_programme(&off, &rules).await.expect("loaded");
        reg.reg
            .run_eligibility(&off, |_| {})
            .await
            .expect("eligibility");
        reg.reg
            .run_enrolment(&off, "kafalat", |_| {})
            .await
            .expect("enrolment");
    });
    let cycle = reg
        .rt
        .block_on(reg.reg.prepare_cycle(&off, "kafalat", "2026-Q4", AREA))
        .expect("cycle");
    assert_eq!(cycle.payments, 1);
    reg.rt
        .block_on(reg.reg.approve_cycle(&fin, &cycle.id))
        .expect("approved");
    let export = reg
        .rt
        .block_on(reg.reg.export_cycle(&fin, &cycle.id, &cycle.districts[0]))
        .expect("export");
    let csv = String::from_utf8(export.csv).expect("utf-8");
    let row: Vec<&str> = csv
        .lines()
        .nth(1)
        .expect("one payment")
        .split(',')
        .collect();
    let (reference, amount) = (row[0].to_string(), cycle.total);
    let bank = format!(
        "reference,cnic,status,amount_paid,date,agent_id,reason\n{reference},3520212345671,paid,{},2026-10-12,RTL-0042,\n",
        amount.plain()
    );
    reg.rt
        .block_on(reg.reg.import_bank_file(&off, bank.as_bytes()))
        .expect("bank file");
    // The household hears of the payment on the phone it gave, in one SMS (the enrolment told it
    // first), in Urdu.
    let sent = shumari_sms::FileGateway::read(&outbox).expect("outbox");
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|m| m.to == "0300-1234567"));
    assert!(
        sent[1].text.contains(&amount.to_string()),
        "{}",
        sent[1].text
    );
    assert!(sent
        .iter()
        .all(|m| shumari_sms::segments(&m.text).fits_one()));
    // The same file again changes nothing and sends nothing.
    reg.rt
        .block_on(reg.reg.import_bank_file(&off, bank.as_bytes()))
        .expect("bank file again");
    let again = shumari_sms::FileGateway::read(&outbox).expect("outbox");
    assert_eq!(again.len(), 2);

    let base = serve(reg);
    let c = Client::new();
    let page = c
        .post(format!("{base}/status"))
        .form(&[
            ("lang", "en"),
            ("cnic", CNIC),
            ("day", "14"),
            ("month", "8"),
            ("year", "2015"),
        ])
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("Kafalat") && page.contains("Eligible"),
        "{page}"
    );
    assert!(page.contains("no exclusion applies"), "{page}");
    assert!(page.contains("Enrolled"), "{page}");
    assert!(
        page.contains(&amount.to_string()) && page.contains("Paid on 12-10-2026"),
        "{page}"
    );
    assert!(page.contains(&reference), "{page}");
    assert!(page.len() < 20 * 1024);
    let ur = c
        .post(format!("{base}/status"))
        .form(&[
            ("lang", "ur"),
            ("cnic", CNIC),
            ("day", "14"),
            ("month", "8"),
            ("year", "2015"),
        ])
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        ur.contains("اہل") && ur.contains("شامل") && ur.contains("ادا شدہ"),
        "{ur}"
    );

    let sms: serde_json::Value = c
        .post(format!("{base}/sms/inbound"))
        .bearer_auth(SECRET)
        .form(&[("from", "+923001234567"), ("text", CNIC)])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let reply = sms["reply"].as_str().unwrap();
    assert!(
        reply.contains(&format!("Last payment {amount} 12-10-2026")),
        "{reply}"
    );
    assert!(shumari_portal::sms::fits_one(reply), "{reply}");

    // The citizen says the agent kept part of it: the complaint names the payment, and the cycle's
    // reconciliation lists the shortfall with the grievance's tracking number.
    let token = page
        .split(r#"name="token" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("token")
        .to_string();
    let filed = c
        .post(format!("{base}/status/report"))
        .form(&[
            ("lang", "en"),
            ("token", token.as_str()),
            ("category", "paid_less"),
            ("payment", reference.as_str()),
            ("received", "1000"),
            ("phone", "0300-1234567"),
            ("text", "The agent gave me Rs 1,000 only"),
        ])
        .send()
        .unwrap()
        .text()
        .unwrap();
    let tracking = filed
        .split(r#"data-testid="tracking">"#)
        .nth(1)
        .and_then(|r| r.split('<').next())
        .unwrap_or_else(|| panic!("tracking number: {filed}"))
        .to_string();
    let report = reg
        .rt
        .block_on(reg.reg.reconcile_with_reports(&off, &cycle.id, None))
        .expect("reconciliation");
    assert_eq!(report.shortfalls.len(), 1, "{report:?}");
    let line = &report.shortfalls[0];
    assert_eq!(
        (line.payment_reference.as_str(), line.grievance.as_str()),
        (reference.as_str(), tracking.as_str())
    );
    assert_eq!(line.reported, shumari_domain::Paisa::rupees(1000));
    assert_eq!(line.shortfall.0, amount.0 - 100_000);
}

on_both!(
    money_reaches_the_citizen_sqlite,
    money_reaches_the_citizen_postgres,
    paid_household_reaches_the_citizen
);
