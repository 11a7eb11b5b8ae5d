//! The web console over real HTTP against a real registry, on SQLite and on PostgreSQL (`pg_` + the
//! name, a server the harness starts): sign-in and its refusals (wrong password, lockout, a tablet
//! role, an administrator's second factor), the session cookie, CSRF, scope, review through the
//! forms reaching a syncing tablet, paging and search, Urdu pages and escaping.

mod common;

use common::{csrf_of, serve, testid_text, Browser, TestClock};
use serde_json::json;
use shumari_domain::review::Decision;
use shumari_domain::Status;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::on_both;
use shumari_scenarios::{other_area, TestRegistry, AREA};
use uuid::Uuid;

const PASSWORD: &str = "a long console password";

on_both!(
    sign_in_refuses_a_wrong_password_and_locks_after_five,
    pg_sign_in_refuses_a_wrong_password_and_locks_after_five,
    lockout
);
on_both!(
    an_administrator_gives_a_totp_code_and_a_surveyor_never_signs_in,
    pg_an_administrator_gives_a_totp_code_and_a_surveyor_never_signs_in,
    second_factor
);
on_both!(
    approve_and_return_through_the_forms_reach_the_tablet,
    pg_approve_and_return_through_the_forms_reach_the_tablet,
    review_round_trip
);
on_both!(
    a_supervisor_sees_only_their_areas,
    pg_a_supervisor_sees_only_their_areas,
    scope
);
on_both!(
    the_list_pages_in_area_and_id_order_and_searches,
    pg_the_list_pages_in_area_and_id_order_and_searches,
    paging
);

/// A console user with a password; returns the id.
fn console_user<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    name: &str,
    role: Role,
    areas: &[&str],
) -> String {
    let areas: Vec<String> = areas.iter().map(|a| a.to_string()).collect();
    reg.rt.block_on(async {
        let id = reg
            .reg
            .add_user(name, role, &areas)
            .await
            .expect("add user");
        shumari_console::set_password(&reg.reg, &id, PASSWORD, common::T0)
            .await
            .expect("password");
        id
    })
}

fn status_at<S: Storage>(reg: &TestRegistry<S>, id: Uuid) -> String {
    reg.show(id)["status"].as_str().expect("status").to_string()
}

fn lockout<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let sup = console_user(reg, "Nasreen Akhtar", Role::Supervisor, &[AREA]);
    let mut b = Browser::new(&base);

    // Pages need a session.
    let home = b.get("/console");
    assert_eq!(home.status, 303);
    assert_eq!(home.location.as_deref(), Some("/console/sign-in"));

    let wrong = b.sign_in(&sup, "not the password");
    assert_eq!(wrong.status, 401);
    assert!(testid_text(&wrong.body, "sign-in-error").is_some());
    assert!(!b.cookies.contains_key("shumari_session"));
    let unknown = b.sign_in("u-nobody", PASSWORD);
    assert_eq!(
        unknown.status, 401,
        "an unknown user reads like a wrong password"
    );

    // Four more wrong passwords make five: the fifth locks the account.
    for i in 0..4 {
        let r = b.sign_in(&sup, "still wrong");
        assert_eq!(r.status, if i < 3 { 401 } else { 429 }, "attempt {}", i + 2);
    }
    let locked = b.sign_in(&sup, PASSWORD);
    assert_eq!(locked.status, 429, "locked even with the right password");
    clock.advance_ms(14 * 60 * 1000);
    assert_eq!(b.sign_in(&sup, PASSWORD).status, 429);
    clock.advance_ms(61 * 1000);

    let ok = b.sign_in(&sup, PASSWORD);
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/console"));
    let cookie = ok
        .set_cookies
        .iter()
        .find(|c| c.starts_with("shumari_session="))
        .expect("session cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attr), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    let id = &b.cookies["shumari_session"];
    assert_eq!(id.len(), 64, "256 bits in hex");
    let home = b.get("/console");
    assert_eq!(home.status, 200);
    assert_eq!(
        testid_text(&home.body, "signed-in-user").as_deref(),
        Some("Nasreen Akhtar · supervisor")
    );
    assert!(
        home.headers.contains_key("x-request-id"),
        "served like every registry route"
    );
    assert!(home
        .headers
        .get("content-security-policy")
        .is_some_and(|v| v.to_str().unwrap().contains("default-src 'none'")));

    // The success cleared the failures: four wrong passwords do not lock.
    let mut other = Browser::new(&base);
    for _ in 0..4 {
        assert_eq!(other.sign_in(&sup, "wrong").status, 401);
    }

    // Served as over HTTPS, the cookie is Secure.
    let tls_base = serve(reg, &clock, true);
    let mut s = Browser::new(&tls_base);
    let ok = s.sign_in(&sup, PASSWORD);
    assert_eq!(ok.status, 303);
    assert!(ok
        .set_cookies
        .iter()
        .any(|c| c.starts_with("shumari_session=") && c.contains("Secure")));

    // Signing out ends the session for good.
    let page = b.get("/console");
    let csrf = csrf_of(&page.body);
    let old = b.cookies["shumari_session"].clone();
    let out = b.post("/console/sign-out", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303);
    b.cookies.insert("shumari_session".into(), old);
    assert_eq!(b.get("/console").status, 303);
}

fn second_factor<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let admin = console_user(reg, "Admin", Role::Administrator, &[AREA]);
    let mut b = Browser::new(&base);
    let refused = b.sign_in(&admin, PASSWORD);
    assert_eq!(
        refused.status, 403,
        "an administrator needs a second factor"
    );

    let url = reg
        .rt
        .block_on(shumari_console::setup_totp(&reg.reg, &admin, clock.now()))
        .expect("totp");
    let totp = totp_rs::TOTP::from_url(&url).expect("otpauth url");
    let ok = b.sign_in(&admin, PASSWORD);
    assert_eq!(ok.status, 303);
    assert_eq!(ok.location.as_deref(), Some("/console/second-factor"));
    // The password alone opens nothing else.
    assert_eq!(b.get("/console").status, 303);
    assert_eq!(b.get("/console/households").status, 303);
    let page = b.get("/console/second-factor");
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.body);
    let secs = u64::try_from(clock.now() / 1000).unwrap();
    let wrong = if totp.generate(secs) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let r = b.post(
        "/console/second-factor",
        &[("csrf", &csrf), ("code", wrong)],
    );
    assert_eq!(r.status, 401);
    let r = b.post(
        "/console/second-factor",
        &[("csrf", &csrf), ("code", &totp.generate(secs))],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let home = b.get("/console");
    assert_eq!(home.status, 200);
    assert!(testid_text(&home.body, "no-household-data").is_some());
    assert_eq!(b.get("/console/households").status, 403);

    // A surveyor gets no console password, and cannot sign in.
    let surveyor = reg.user("surveyor", &[AREA]);
    let err = reg
        .rt
        .block_on(shumari_console::set_password(
            &reg.reg,
            &surveyor,
            PASSWORD,
            clock.now(),
        ))
        .unwrap_err();
    assert!(
        matches!(err, shumari_console::AccountError::TabletRole(_)),
        "{err}"
    );
    let mut s = Browser::new(&base);
    assert_eq!(s.sign_in(&surveyor, PASSWORD).status, 401);
}

/// Signs a supervisor in; returns the browser.
fn supervisor_browser<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    base: &str,
) -> (String, Browser) {
    let sup = console_user(reg, "Imran Qureshi", Role::Supervisor, &[AREA]);
    let mut b = Browser::new(base);
    assert_eq!(b.sign_in(&sup, PASSWORD).status, 303);
    (sup, b)
}

fn review_round_trip<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let mut tablet = reg.device(&[AREA]);
    let returned = tablet.add(1, AREA);
    let approved = tablet.add(2, AREA);
    tablet.set(
        returned,
        "answers.q03",
        json!("<script>alert('x')</script>"),
    );
    tablet.set(returned, "answers.address", json!("House 5, Street 2"));
    for id in [returned, approved] {
        tablet.set(id, "status", json!("complete"));
    }
    assert!(tablet.sync().refused.is_empty());
    assert_eq!(status_at(reg, returned), "submitted");

    let (sup, mut b) = supervisor_browser(reg, &base);
    let home = b.get("/console");
    assert_eq!(
        testid_text(&home.body, "queue-submitted-count").as_deref(),
        Some("2")
    );
    assert_eq!(
        testid_text(&home.body, "queue-returned-count").as_deref(),
        Some("0")
    );

    let page = b.get(&format!("/console/households/{returned}"));
    assert_eq!(page.status, 200);
    // The surveyor's answer is shown as text, never as markup.
    assert!(page
        .body
        .contains("&lt;script&gt;alert('x')&lt;/script&gt;"));
    assert!(!page.body.contains("<script>"));
    assert!(page.body.contains("data-testid=\"review-form\""));
    let csrf = csrf_of(&page.body);

    // Without the token, or with another, nothing happens.
    let path = format!("/console/households/{returned}/review");
    let no_token = b.post(&path, &[("decision", "returned"), ("comment", "x")]);
    assert_eq!(no_token.status, 403);
    let forged = b.post(
        &path,
        &[
            ("csrf", "0".repeat(64).as_str()),
            ("decision", "returned"),
            ("comment", "x"),
        ],
    );
    assert_eq!(forged.status, 403);
    assert_eq!(status_at(reg, returned), "submitted");

    // A return says why.
    let bare = b.post(&path, &[("csrf", &csrf), ("decision", "returned")]);
    assert_eq!(bare.status, 400);
    assert!(testid_text(&bare.body, "decision-error").is_some());

    let r = b.post(
        &path,
        &[
            ("csrf", &csrf),
            ("decision", "returned"),
            ("comment", "Rooms and toilet do not match"),
            ("question", "q01"),
            ("question", "q03"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location,
        Some(format!("/console/households/{returned}?decided=1"))
    );
    let shown = b.get(r.location.as_deref().unwrap());
    assert!(testid_text(&shown.body, "decision-recorded").is_some());
    assert_eq!(
        testid_text(&shown.body, "review-comment").as_deref(),
        Some("Rooms and toilet do not match")
    );
    assert!(shown.body.contains("data-status=\"returned\""));

    let r = b.post(
        &format!("/console/households/{approved}/review"),
        &[("csrf", &csrf), ("decision", "approved")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(status_at(reg, approved), "approved");
    // A second approval does not follow an approval.
    let again = b.post(
        &format!("/console/households/{approved}/review"),
        &[("csrf", &csrf), ("decision", "approved")],
    );
    assert_eq!(again.status, 409);

    // The tablet learns both decisions with its next sync.
    assert!(tablet.sync().refused.is_empty());
    let h = tablet
        .store
        .get(&returned.to_string())
        .expect("on tablet")
        .household;
    assert_eq!(h.status, Status::Returned);
    let review = h.review.expect("review on the tablet");
    assert_eq!(review.decision, Decision::Returned);
    assert_eq!(review.by, sup);
    assert_eq!(review.by_name, "Imran Qureshi");
    assert_eq!(review.comment, "Rooms and toilet do not match");
    assert_eq!(review.questions, ["q01", "q03"]);
    let h = tablet
        .store
        .get(&approved.to_string())
        .expect("on tablet")
        .household;
    assert_eq!(h.status, Status::Approved);

    let home = b.get("/console");
    assert_eq!(
        testid_text(&home.body, "queue-submitted-count").as_deref(),
        Some("0")
    );
    assert_eq!(
        testid_text(&home.body, "queue-returned-count").as_deref(),
        Some("1")
    );
    assert_eq!(
        testid_text(&home.body, "queue-approved-count").as_deref(),
        Some("1")
    );

    // Every page in Urdu, right to left; the switch comes back to the page it was pressed on.
    let back = format!("/console/households/{returned}");
    let switch = b.get(&format!("/console/lang/ur?back={back}"));
    assert_eq!(switch.status, 303);
    assert_eq!(switch.location.as_deref(), Some(back.as_str()));
    assert!(switch
        .set_cookies
        .iter()
        .any(|c| c.starts_with("shumari_lang=ur") && c.contains("SameSite=Strict")));
    for path in [
        "/console".to_string(),
        "/console/households".to_string(),
        "/console/households?status=returned".to_string(),
        back.clone(),
    ] {
        let p = b.get(&path);
        assert_eq!(p.status, 200, "{path}");
        assert!(p.body.contains("<html lang=\"ur\" dir=\"rtl\">"), "{path}");
        assert!(
            p.body.contains(">گھرانے<"),
            "{path}: the console's words in Urdu"
        );
    }
    // The answers under the questionnaire's own sections and labels, in Urdu.
    let p = b.get(&back);
    assert!(p.body.contains("واپس کیا گیا"), "the status in Urdu");
    assert!(p.body.contains("<h2>شناخت</h2>"), "{}", p.body);
    assert!(p
        .body
        .contains("<dt>گھر کا پتہ</dt><dd>House 5, Street 2</dd>"));
    assert!(testid_text(&p.body, "lang-switch").as_deref() == Some("English"));
    let mut anon = Browser::new(&base);
    anon.cookies.insert("shumari_lang".into(), "ur".into());
    let sign_in = anon.get("/console/sign-in");
    assert!(sign_in.body.contains("dir=\"rtl\""));
    // An address elsewhere is never a place to come back to.
    let evil = b.get("/console/lang/en?back=https://evil.example/");
    assert_eq!(evil.location.as_deref(), Some("/console"));
}

fn scope<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let elsewhere = other_area();
    let mut mine = reg.device(&[AREA]);
    let mut theirs = reg.device(&[&elsewhere]);
    let here = mine.add(1, AREA);
    let there = theirs.add(2, &elsewhere);
    for (d, id) in [(&mut mine, here), (&mut theirs, there)] {
        d.set(id, "status", json!("complete"));
        assert!(d.sync().refused.is_empty());
    }
    let (_, mut b) = supervisor_browser(reg, &base);
    assert_eq!(b.get(&format!("/console/households/{here}")).status, 200);
    let not_mine = b.get(&format!("/console/households/{there}"));
    assert_eq!(
        not_mine.status, 404,
        "another district's household is not found"
    );
    let list = b.get("/console/households");
    assert!(list.body.contains(&here.to_string()));
    assert!(!list.body.contains(&there.to_string()));
    let asked = b.get(&format!("/console/households?area={elsewhere}"));
    assert!(testid_text(&asked.body, "no-households").is_some());
    let home = b.get("/console");
    assert_eq!(
        testid_text(&home.body, "queue-submitted-count").as_deref(),
        Some("1")
    );
    // Nor can it be decided on.
    let csrf = csrf_of(&home.body);
    let r = b.post(
        &format!("/console/households/{there}/review"),
        &[("csrf", &csrf), ("decision", "approved")],
    );
    assert_eq!(r.status, 404);
    assert_eq!(status_at(reg, there), "submitted");
}

fn row_ids(html: &str) -> Vec<String> {
    html.split("data-testid=\"household-row\" data-id=\"")
        .skip(1)
        .map(|s| s[..36].to_string())
        .collect()
}

fn paging<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let mut tablet = reg.device(&[AREA]);
    let ids = tablet.add_many(1, 53, AREA);
    tablet.set(ids[7], "status", json!("complete"));
    assert!(tablet.sync().refused.is_empty());
    let (_, mut b) = supervisor_browser(reg, &base);

    let first = b.get("/console/households");
    let page1 = row_ids(&first.body);
    assert_eq!(page1.len(), shumari_console::routes::PAGE_ROWS);
    let at = first
        .body
        .find("data-testid=\"next-page\"")
        .expect("a next page");
    let start = first.body[..at].rfind("href=\"").expect("its link") + 6;
    let next = first.body[start..]
        .split('"')
        .next()
        .expect("link")
        .replace("&amp;", "&");
    let second = b.get(&next);
    let page2 = row_ids(&second.body);
    assert_eq!(page2.len(), 3);
    assert!(testid_text(&second.body, "next-page").is_none());
    let mut all: Vec<String> = page1.iter().chain(&page2).cloned().collect();
    let mut sorted = all.clone();
    sorted.sort();
    assert_eq!(all, sorted, "(area, id) order within one area");
    all.dedup();
    assert_eq!(all.len(), 53);

    // Filters and search.
    let submitted = b.get("/console/households?status=submitted");
    assert_eq!(row_ids(&submitted.body), [ids[7].to_string()]);
    let by_name = b.get("/console/households?q=member+0+of+household+12");
    assert_eq!(row_ids(&by_name.body), [ids[11].to_string()]);
    let cnic = b.get("/console/households?q=35202-0000012-1");
    assert_eq!(row_ids(&cnic.body), [ids[11].to_string()]);
    let reference = reg.show(ids[20])["ref"].as_str().unwrap().to_string();
    let by_ref = b.get(&format!("/console/households?q={reference}"));
    assert_eq!(row_ids(&by_ref.body), [ids[20].to_string()]);
    let literal = b.get("/console/households?q=%25");
    assert!(
        testid_text(&literal.body, "no-households").is_some(),
        "`%` is a character, not a wildcard"
    );
}
