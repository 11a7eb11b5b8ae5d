//! The citizen status page and the SMS webhook over real HTTP, on SQLite and PostgreSQL: a household
//! pushed by a tablet is found with its CNIC and date of issue, and nothing is learned without both.

use reqwest::blocking::Client;
use shumari_portal::sms::fits_one;
use shumari_portal::PortalConfig;
use shumari_registry::service::CitizenLimits;
use shumari_registry::storage::AttemptRule;
use shumari_registry::Storage;
use shumari_scenarios::{on_both, TestRegistry, AREA};
use uuid::Uuid;

const CNIC: &str = "35202-1234567-1";
const PHONE: &str = "0300-1234567";
const SECRET: &str = "gateway-secret-for-tests";

/// Small limits so the lockout is reached in a few requests.
fn config() -> PortalConfig {
    let rule = |limit| AttemptRule {
        limit,
        window_ms: 3_600_000,
        lock_ms: 3_600_000,
    };
    PortalConfig {
        limits: CitizenLimits {
            per_cnic: rule(4),
            per_address: rule(8),
        },
        ..Default::default()
    }
    .with_sms_secret(SECRET)
}

/// The registry with the portal, served on loopback.
fn serve<S: Storage>(reg: &TestRegistry<S>) -> String {
    let listener = reg
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = shumari_registry::app_with(
        reg.reg.clone(),
        shumari_portal::router(reg.reg.clone(), config()),
    );
    reg.rt.spawn(async move {
        let _ = shumari_registry::launch_router(listener, router, std::future::pending()).await;
    });
    format!("http://{addr}")
}

/// A tablet pushes a household whose head holds [`CNIC`], issued 2015-08-14, with [`PHONE`].
fn household<S: Storage>(reg: &TestRegistry<S>) -> (Uuid, String, shumari_scenarios::TestDevice) {
    let mut d = reg.device(&[AREA]);
    let input = serde_json::from_value(serde_json::json!({
        "area": AREA,
        "answers": {"address": "House 4, Mohalla Noor", "phone": PHONE},
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
    (created.id, created.reference, d)
}

fn lookup(
    c: &Client,
    base: &str,
    cnic: &str,
    d: &str,
    m: &str,
    y: &str,
    lang: &str,
) -> (u16, String) {
    let r = c
        .post(format!("{base}/status"))
        .form(&[
            ("lang", lang),
            ("cnic", cnic),
            ("day", d),
            ("month", m),
            ("year", y),
        ])
        .send()
        .expect("post");
    (r.status().as_u16(), r.text().expect("body"))
}

fn page_rules(body: &str) {
    assert!(body.len() < 20 * 1024, "page of {} bytes", body.len());
    assert!(!body.contains("<script"), "no JavaScript");
    assert!(
        body.contains("width=device-width"),
        "readable on a small screen"
    );
}

fn citizen_finds_their_household_and_strangers_learn_nothing<S: Storage>(
    reg: &mut TestRegistry<S>,
) {
    let (id, reference, mut tablet) = household(reg);
    let base = serve(reg);
    let c = Client::new();

    // The form, in both languages.
    let en = c.get(format!("{base}/status")).send().expect("get");
    assert_eq!(en.status(), 200);
    assert_eq!(en.headers()["cache-control"], "no-store");
    let en = en.text().unwrap();
    page_rules(&en);
    assert!(en.contains("Date of issue"), "{en}");
    let ur = c
        .get(format!("{base}/status?lang=ur"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    page_rules(&ur);
    assert!(
        ur.contains(r#"dir="rtl""#) && ur.contains("تاریخ اجراء"),
        "{ur}"
    );

    // Found: the household, names masked, where it is in the workflow.
    let (status, found) = lookup(&c, &base, CNIC, "14", "8", "2015", "en");
    assert_eq!(status, 200, "{found}");
    page_rules(&found);
    assert!(found.contains(&reference), "{found}");
    assert!(
        found.contains("Ay**** B***") && found.contains("Im*** K***"),
        "{found}"
    );
    assert!(
        !found.contains("Ayesha") && !found.contains("Imran"),
        "names are masked"
    );
    assert!(found.contains("The survey is not finished yet."), "{found}");
    assert!(found.contains("Report a problem"), "{found}");
    let (_, found_ur) = lookup(&c, &base, "3520212345671", "14", "08", "2015", "ur");
    assert!(found_ur.contains("سروے ابھی مکمل نہیں ہوا۔") && found_ur.contains(&reference));

    // A problem reported from the household's page opens a grievance with a tracking number,
    // routed to the household's district, and the next look-up lists it.
    let token = found
        .split(r#"name="token" value=""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the page's token")
        .to_string();
    let report = |fields: &[(&str, &str)]| {
        let r = c
            .post(format!("{base}/status/report"))
            .form(fields)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let (s, filed) = report(&[
        ("lang", "en"),
        ("token", &token),
        ("category", "paid_less"),
        ("received", "9,000"),
        ("phone", PHONE),
        ("text", "The agent kept Rs 1,500 of my payment"),
    ]);
    assert_eq!(s, 200, "{filed}");
    page_rules(&filed);
    assert!(filed.contains("GRV-PK101-000001"), "{filed}");
    let (s, no_kind) = report(&[("lang", "en"), ("token", &token), ("text", "help")]);
    assert_eq!(s, 400);
    assert!(no_kind.contains("Choose what the problem is"), "{no_kind}");
    let (s, no_phone) = report(&[
        ("lang", "en"),
        ("token", &token),
        ("category", "not_paid"),
        ("text", "not paid"),
    ]);
    assert_eq!(s, 400);
    assert!(no_phone.contains("Write your phone number"), "{no_phone}");
    let (s, bad_amount) = report(&[
        ("lang", "en"),
        ("token", &token),
        ("category", "paid_less"),
        ("received", "nine thousand"),
        ("phone", PHONE),
        ("text", "less money"),
    ]);
    assert_eq!(s, 400);
    assert!(bad_amount.contains("amount in rupees"), "{bad_amount}");
    // Change the last hex digit to one it is not (a fixed "0" would leave one token in 16 intact).
    let last = if token.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &token[..token.len() - 1]);
    let (s, expired) = report(&[
        ("lang", "en"),
        ("token", &forged),
        ("category", "not_paid"),
        ("text", "not paid"),
    ]);
    assert_eq!(s, 400);
    assert!(expired.contains("This page has expired"), "{expired}");
    let (_, again) = lookup(&c, &base, CNIC, "14", "8", "2015", "en");
    assert!(again.contains("GRV-PK101-000001"), "{again}");

    // The surveyor completes the interview: the next look-up says it is being checked (a page
    // decoded before is never shown once the household has changed).
    tablet.set(id, "status", serde_json::json!("complete"));
    tablet.sync();
    let (_, checked) = lookup(&c, &base, CNIC, "14", "8", "2015", "en");
    assert!(
        checked.contains("The district office is checking your data."),
        "{checked}"
    );

    // A wrong date and an unknown CNIC get the same page, byte for byte.
    let (s1, wrong_date) = lookup(&c, &base, CNIC, "15", "8", "2015", "en");
    let (s2, unknown) = lookup(&c, &base, "35202-7654321-3", "14", "8", "2015", "en");
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(wrong_date, unknown);
    assert!(unknown.contains("No household found"), "{unknown}");

    // Malformed input says what is wrong and keeps what was typed.
    let (s, bad) = lookup(&c, &base, "35202-12345", "14", "8", "2015", "en");
    assert_eq!(s, 400);
    assert!(
        bad.contains("13 digits") && bad.contains("35202-12345"),
        "{bad}"
    );
    let (s, bad) = lookup(&c, &base, CNIC, "31", "2", "2015", "en");
    assert_eq!(s, 400);
    assert!(bad.contains("day, month and year"), "{bad}");

    // Every look-up is in the access trail with its outcome, never the number.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    let lookups: Vec<_> = trail
        .iter()
        .filter(|e| e.action == "citizen.lookup")
        .collect();
    assert_eq!(lookups.len(), 6, "{lookups:?}");
    assert_eq!(
        lookups
            .iter()
            .filter(|e| e.subject.as_deref() == Some(&id.to_string()))
            .count(),
        4
    );
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.action == "grievance.file")
            .count(),
        1
    );
    for e in &trail {
        let text = format!("{e:?}");
        assert!(!text.contains("1234567"), "a CNIC in the trail: {text}");
    }
}

fn failures_lock_the_cnic_and_the_address<S: Storage>(reg: &mut TestRegistry<S>) {
    household(reg);
    let base = serve(reg);
    let c = Client::new();
    // Four wrong dates lock the CNIC: then even the right date is refused.
    for day in ["1", "2", "3", "4"] {
        let (s, _) = lookup(&c, &base, CNIC, day, "1", "2000", "en");
        assert_eq!(s, 200);
    }
    let (s, locked) = lookup(&c, &base, CNIC, "14", "8", "2015", "en");
    assert_eq!(s, 429, "{locked}");
    assert!(
        locked.contains("Too many tries") && !locked.contains("Ay****"),
        "{locked}"
    );
    // An unknown CNIC locks the same way: a lockout does not tell a registered number apart.
    for day in ["1", "2", "3", "4"] {
        lookup(&c, &base, "35202-7654321-3", day, "1", "2000", "en");
    }
    let (s, _) = lookup(&c, &base, "35202-7654321-3", "1", "1", "2000", "en");
    assert_eq!(s, 429);
    // Eight failures from this address lock it for every CNIC.
    let (s, _) = lookup(&c, &base, "61101-1111111-1", "1", "1", "2000", "en");
    assert_eq!(s, 429, "the address is locked after eight failures");

    // The lockout ends: an hour later (the service's clock is a parameter) the right date works.
    let later = reg.reg.clock_ms() + 3_600_001;
    let answer = reg
        .rt
        .block_on(reg.reg.citizen_lookup(
            CNIC,
            chrono::NaiveDate::from_ymd_opt(2015, 8, 14).unwrap(),
            "127.0.0.1".parse().unwrap(),
            later,
            &config().limits,
        ))
        .expect("lookup");
    assert!(
        matches!(answer, shumari_registry::service::CitizenAnswer::Found(_)),
        "{answer:?}"
    );
}

fn sms(
    c: &Client,
    base: &str,
    secret: Option<&str>,
    from: &str,
    text: &str,
) -> (u16, serde_json::Value) {
    let mut r = c
        .post(format!("{base}/sms/inbound"))
        .form(&[("from", from), ("text", text)]);
    if let Some(s) = secret {
        r = r.bearer_auth(s);
    }
    let r = r.send().expect("post");
    (
        r.status().as_u16(),
        r.json().unwrap_or(serde_json::Value::Null),
    )
}

fn sms_details_go_only_to_the_household_phone<S: Storage>(reg: &mut TestRegistry<S>) {
    let (_, reference, _) = household(reg);
    let base = serve(reg);
    let c = Client::new();
    let (s, e) = sms(&c, &base, None, "+923001234567", CNIC);
    assert_eq!(s, 401, "{e}");
    assert_eq!(e["code"], "unauthorized");
    let (s, _) = sms(&c, &base, Some("wrong"), "+923001234567", CNIC);
    assert_eq!(s, 401);

    // The household's own phone (written another way) gets the details.
    let (s, own) = sms(
        &c,
        &base,
        Some(SECRET),
        "+923001234567",
        &format!("status {CNIC}"),
    );
    assert_eq!(s, 200, "{own}");
    let reply = own["reply"].as_str().unwrap();
    assert!(
        reply.contains(&reference) && reply.contains("survey not finished"),
        "{reply}"
    );
    // Another phone, or an unknown number: the same sentence, revealing nothing.
    let (_, other) = sms(&c, &base, Some(SECRET), "03331112222", CNIC);
    let (_, unknown) = sms(&c, &base, Some(SECRET), "03331112222", "35202-7654321-3");
    assert_eq!(other["reply"], unknown["reply"]);
    assert!(!other["reply"].as_str().unwrap().contains(&reference));
    // No number: how to use the service. Urdu asks get Urdu answers (Urdu digits read too).
    let (_, help) = sms(&c, &base, Some(SECRET), "03331112222", "hello");
    assert!(
        help["reply"].as_str().unwrap().contains("13-digit"),
        "{help}"
    );
    let (_, ur) = sms(
        &c,
        &base,
        Some(SECRET),
        "+923001234567",
        "حیثیت ۳۵۲۰۲۱۲۳۴۵۶۷۱",
    );
    let ur_reply = ur["reply"].as_str().unwrap();
    assert!(
        ur_reply.contains(&reference) && ur_reply.contains("سروے جاری"),
        "{ur_reply}"
    );
    for r in [&own, &other, &help, &ur] {
        assert!(fits_one(r["reply"].as_str().unwrap()), "{r}");
    }
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    assert_eq!(
        trail.iter().filter(|e| e.action == "citizen.sms").count(),
        5
    );
}

on_both!(
    status_page_sqlite,
    status_page_postgres,
    citizen_finds_their_household_and_strangers_learn_nothing
);
on_both!(
    lockout_sqlite,
    lockout_postgres,
    failures_lock_the_cnic_and_the_address
);
on_both!(
    sms_sqlite,
    sms_postgres,
    sms_details_go_only_to_the_household_phone
);

/// The portal is held to the registry's request limits like every caller: an address over its rate
/// gets 429 before any look-up is made.
#[test]
fn the_portal_is_rate_limited_per_address() {
    let mut config = shumari_registry::Config::default();
    config.rate.per_address_per_minute = 1;
    config.rate.address_burst = 2;
    let reg = TestRegistry::sqlite_with(config);
    let base = serve(&reg);
    let c = Client::new();
    let codes: Vec<u16> = (0..4)
        .map(|_| {
            c.get(format!("{base}/status"))
                .send()
                .unwrap()
                .status()
                .as_u16()
        })
        .collect();
    assert_eq!(&codes[..2], &[200, 200]);
    assert_eq!(codes[3], 429, "{codes:?}");
}
