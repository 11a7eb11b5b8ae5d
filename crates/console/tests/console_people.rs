//! Users and devices at the console, over real HTTP on SQLite and PostgreSQL: an administrator adds
//! a surveyor, makes an enrollment code (with its QR link) that a tablet redeems, sees the device,
//! revokes it (the tablet is refused from then on), and disables the user; everything outside the
//! administrator's areas is invisible and untouchable, and other roles get no such pages.

mod common;

use common::{
    console_user_with_password, csrf_of, serve, signed_in_administrator, testid_text, Browser,
    TestClock, CONSOLE_PASSWORD,
};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, other_area, TestDevice, TestRegistry, AREA};

on_both!(
    an_administrator_adds_a_surveyor_whose_code_enrolls_a_tablet_then_revokes_and_disables,
    pg_an_administrator_adds_a_surveyor_whose_code_enrolls_a_tablet_then_revokes_and_disables,
    lifecycle
);
on_both!(
    users_outside_the_administrators_areas_are_out_of_reach,
    pg_users_outside_the_administrators_areas_are_out_of_reach,
    scope
);

/// The id of the user row whose name is `name` on the users page.
fn user_id_named(html: &str, name: &str) -> String {
    let at = html.find(&format!("<td>{name}</td>")).expect("user row");
    let row_start = html[..at].rfind("data-id=\"").expect("row id") + "data-id=\"".len();
    html[row_start..row_start + html[row_start..].find('"').expect("end")].to_string()
}

fn lifecycle<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let (admin, mut b) = signed_in_administrator(reg, &base, &clock, &[AREA]);

    let page = b.get("/console/users");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"nav-users\""));
    let csrf = csrf_of(&page.body);
    let added = b.post(
        "/console/users",
        &[
            ("csrf", &csrf),
            ("name", "Nadia Parveen"),
            ("role", "surveyor"),
            ("areas", AREA),
        ],
    );
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(added.location.as_deref(), Some("/console/users?done=added"));
    let page = b.get("/console/users?done=added");
    assert!(testid_text(&page.body, "user-added").is_some());
    let nadia = user_id_named(&page.body, "Nadia Parveen");

    // A refused form says why, and adds nothing.
    let bad = b.post(
        "/console/users",
        &[
            ("csrf", &csrf),
            ("name", " "),
            ("role", "surveyor"),
            ("areas", AREA),
        ],
    );
    assert_eq!(bad.status, 400);
    assert!(testid_text(&bad.body, "users-error").is_some());
    assert_eq!(
        b.post(
            "/console/users",
            &[("name", "x"), ("role", "surveyor"), ("areas", AREA)]
        )
        .status,
        403,
        "no CSRF token, no user"
    );

    // An enrollment code, shown once with its QR code; a tablet redeems it.
    let code_page = b.post(&format!("/console/users/{nadia}/code"), &[("csrf", &csrf)]);
    assert_eq!(code_page.status, 200, "{}", code_page.body);
    let code = testid_text(&code_page.body, "enroll-code").expect("code shown");
    assert_eq!(code.len(), 14, "{code}");
    assert!(code_page.body.contains("<svg"), "a QR code is drawn");
    assert!(
        code_page.body.contains(&format!("code={code}")),
        "the QR link carries the code"
    );
    assert_eq!(
        testid_text(&code_page.body, "enroll-registry").as_deref(),
        Some(base.as_str())
    );
    let mut tablet = TestDevice::new(reg.transport());
    tablet.enroll(&code).expect("the code enrolls a tablet");
    tablet.add(1, AREA);
    assert!(tablet.sync().refused.is_empty());

    let devices = b.get("/console/devices");
    assert_eq!(devices.status, 200);
    assert_eq!(
        devices.body.matches("data-testid=\"device-row\"").count(),
        1
    );
    assert!(devices.body.contains("data-state=\"active\""));
    let at = devices
        .body
        .find("data-testid=\"device-row\" data-id=\"")
        .expect("row")
        + "data-testid=\"device-row\" data-id=\"".len();
    let device = devices.body[at..at + devices.body[at..].find('"').unwrap()].to_string();
    let users = b.get("/console/users");
    assert!(users.body.contains(&format!("data-id=\"{nadia}\"")));

    let revoked = b.post(
        &format!("/console/devices/{device}/revoke"),
        &[("csrf", &csrf)],
    );
    assert_eq!(revoked.status, 303);
    let devices = b.get("/console/devices?done=revoked");
    assert!(testid_text(&devices.body, "device-revoked").is_some());
    assert!(devices.body.contains("data-state=\"revoked\""));
    assert!(tablet.try_sync().is_err(), "a revoked tablet is refused");

    // Disabling needs the confirmation box; never oneself.
    let unconfirmed = b.post(
        &format!("/console/users/{nadia}/disable"),
        &[("csrf", &csrf)],
    );
    assert_eq!(
        unconfirmed.status, 403,
        "not confirmed: a form not accepted"
    );
    let disabled = b.post(
        &format!("/console/users/{nadia}/disable"),
        &[("csrf", &csrf), ("confirm", "yes")],
    );
    assert_eq!(disabled.status, 303);
    let users = b.get("/console/users?done=disabled");
    assert!(testid_text(&users.body, "user-disabled").is_some());
    let no_code = b.post(&format!("/console/users/{nadia}/code"), &[("csrf", &csrf)]);
    assert_eq!(no_code.status, 400, "a disabled user gets no code");
    let me = b.post(
        &format!("/console/users/{admin}/disable"),
        &[("csrf", &csrf), ("confirm", "yes")],
    );
    assert_eq!(me.status, 400);

    // The trail names the administrator, not the command line.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    for action in [
        "user.add",
        "enroll_code.issue",
        "device.revoke",
        "user.disable",
    ] {
        assert!(
            trail.iter().any(|e| e.action == action && e.actor == admin),
            "{action} by {admin}: {trail:?}"
        );
    }
}

fn scope<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let far = other_area();
    let outsider = reg.user("surveyor", &[&far]);
    let insider = reg.user("surveyor", &[AREA]);
    let (_, mut b) = signed_in_administrator(reg, &base, &clock, &[AREA]);
    let page = b.get("/console/users");
    assert!(page.body.contains(&format!("data-id=\"{insider}\"")));
    assert!(!page.body.contains(&outsider), "out of area: not listed");
    let csrf = csrf_of(&page.body);
    assert_eq!(
        b.post(
            &format!("/console/users/{outsider}/code"),
            &[("csrf", &csrf)]
        )
        .status,
        404
    );
    assert_eq!(
        b.post(
            &format!("/console/users/{outsider}/disable"),
            &[("csrf", &csrf), ("confirm", "yes")]
        )
        .status,
        404
    );
    let far_user = b.post(
        "/console/users",
        &[
            ("csrf", &csrf),
            ("name", "Far Away"),
            ("role", "surveyor"),
            ("areas", &far),
        ],
    );
    assert_eq!(far_user.status, 403, "{}", far_user.body);

    // A supervisor has no user pages and no link to them.
    let sup = console_user_with_password(reg, "Imran Qureshi", Role::Supervisor, &[AREA]);
    let mut s = Browser::new(&base);
    assert_eq!(s.sign_in(&sup, CONSOLE_PASSWORD).status, 303);
    let home = s.get("/console");
    assert!(!home.body.contains("nav-users"));
    assert_eq!(s.get("/console/users").status, 403);
    assert_eq!(s.get("/console/devices").status, 403);
}
