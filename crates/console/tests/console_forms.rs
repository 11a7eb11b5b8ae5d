//! Forms besides the household questionnaire in the console over real HTTP, on SQLite and on
//! PostgreSQL: an administrator publishes a service point's daily report by upload (a broken form is
//! refused with its located errors, a forged upload with 403); a tablet's reports are counted per
//! site per day on the form's page with the missing ones; a monitor of another province sees
//! neither the form nor its page. A supervisor returns a report with a note from its page (a forged
//! decision is refused with 403, a supervisor of another district finds no report, a monitor may
//! not decide), and the page keeps the decision with who made it.

mod common;

use common::{
    console_user_with_password, csrf_of, serve, signed_in_administrator, Browser, TestClock,
    CONSOLE_PASSWORD,
};
use serde_json::json;
use shumari_registry::service::NewSubmission;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, other_area, TestRegistry, AREA};

const MEAL_CENTRE: &str = include_str!("../../forms/questionnaires/meal_centre_daily.toml");

on_both!(
    a_form_is_published_and_its_reports_counted,
    pg_a_form_is_published_and_its_reports_counted,
    forms_page
);

fn multipart(csrf: &str, name: &str, file: &str, areas: &str) -> (String, Vec<u8>) {
    let boundary = "----shumari-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"areas\"\r\n\r\n{areas}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/toml\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

fn report(site: &str, day: &str) -> NewSubmission {
    NewSubmission {
        id: uuid::Uuid::new_v4(),
        form_id: "meal_centre_daily".into(),
        version: "1".into(),
        area: AREA.into(),
        answers: json!({"site": site, "date": day, "site_kind": "meal_centre", "meals_served": 90}),
        filled_at: 1_780_000_000_000,
    }
}

fn forms_page<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let (_, mut admin) = signed_in_administrator(reg, &base, &clock, &["PK1"]);

    // The list with the publish form; a forged upload and a broken form are refused.
    let page = admin.get("/console/forms");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"no-forms\""));
    assert!(page.body.contains("data-testid=\"form-publish\""));
    let csrf = csrf_of(&page.body);
    let (ct, forged) = multipart("forged", "meal_centre_daily.toml", MEAL_CENTRE, AREA);
    assert_eq!(
        admin.post_raw("/console/forms/publish", &ct, forged).status,
        403
    );
    let broken = MEAL_CENTRE.replace(
        "type = \"integer\"\nname = \"meals_served\"",
        "type = \"integr\"\nname = \"meals_served\"",
    );
    let (ct, body) = multipart(&csrf, "meal_centre_daily.toml", &broken, AREA);
    let refused = admin.post_raw("/console/forms/publish", &ct, body);
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("data-testid=\"form-refused\""));
    assert!(
        refused.body.contains("sheet survey, row"),
        "{}",
        refused.body
    );

    // Published by upload.
    let (ct, body) = multipart(&csrf, "meal_centre_daily.toml", MEAL_CENTRE, AREA);
    let done = admin.post_raw("/console/forms/publish", &ct, body);
    assert_eq!(done.status, 303, "{}", done.body);
    let page = admin.get("/console/forms?published=meal_centre_daily+1");
    assert!(page.body.contains("data-testid=\"form-published\""));
    assert!(
        page.body.contains("data-form=\"meal_centre_daily\""),
        "{}",
        page.body
    );

    // A tablet's reports, counted on the form's page of a provincial monitor.
    let surveyor = reg.user("surveyor", &[AREA]);
    reg.rt
        .block_on(async {
            let u = reg.reg.acting_user(&surveyor).await?;
            reg.reg
                .ingest_submissions(
                    &u,
                    "device-1",
                    &[
                        report("Langar Mall Road", "2026-11-29"),
                        report("Langar Mall Road", "2026-11-30"),
                        report("Panahgah Data Darbar", "2026-11-30"),
                    ],
                )
                .await
        })
        .expect("reports");
    let monitor = console_user_with_password(reg, "Nadia Monitor", Role::Province, &["PK1"]);
    let mut m = Browser::new(&base);
    assert_eq!(m.sign_in(&monitor, CONSOLE_PASSWORD).status, 303);
    let list = m.get("/console/forms");
    assert!(list.body.contains("data-testid=\"nav-forms\""));
    assert!(list.body.contains("data-form=\"meal_centre_daily\""));
    assert!(
        !list.body.contains("data-testid=\"form-publish\""),
        "a monitor does not publish"
    );
    let page = m.get("/console/forms/meal_centre_daily?from=2026-11-29&until=2026-11-30");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("data-testid=\"form-total\">3<"),
        "{}",
        page.body
    );
    assert!(page.body.contains("data-site=\"Langar Mall Road\""));
    assert!(
        page.body
            .contains("data-day=\"2026-11-29\" data-count=\"0\""),
        "{}",
        page.body
    );
    let missing: Vec<&str> = page.body.matches("data-testid=\"missing-row\"").collect();
    assert_eq!(missing.len(), 1, "{}", page.body);
    assert!(page.body.contains(
        "data-testid=\"missing-row\" data-day=\"2026-11-29\" data-site=\"Panahgah Data Darbar\""
    ));

    // A monitor of another province sees neither the form nor its page.
    let province = other_area()[..3].to_string();
    let other = console_user_with_password(reg, "Bilal Monitor", Role::Province, &[&province]);
    let mut o = Browser::new(&base);
    assert_eq!(o.sign_in(&other, CONSOLE_PASSWORD).status, 303);
    let list = o.get("/console/forms");
    assert!(
        list.body.contains("data-testid=\"no-forms\""),
        "{}",
        list.body
    );
    assert_eq!(o.get("/console/forms/meal_centre_daily").status, 404);
}

on_both!(
    a_supervisor_reviews_a_report,
    pg_a_supervisor_reviews_a_report,
    review_page
);

/// The `data-testid="{id}"` element's text up to the next tag.
fn after_testid<'a>(body: &'a str, id: &str) -> Option<&'a str> {
    let at = body.find(&format!("data-testid=\"{id}\""))?;
    let rest = &body[at..];
    let s = rest.find('>')? + 1;
    Some(&rest[s..s + rest[s..].find('<')?])
}

fn review_page<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let surveyor = reg.user("surveyor", &[AREA]);
    let first = report("Langar Mall Road", "2026-11-30");
    let id = first.id.to_string();
    reg.rt
        .block_on(async {
            reg.reg
                .publish_form(
                    None,
                    "meal_centre_daily.toml",
                    MEAL_CENTRE.as_bytes(),
                    &[AREA.into()],
                )
                .await?;
            let u = reg.reg.acting_user(&surveyor).await?;
            reg.reg
                .ingest_submissions(&u, "device-1", std::slice::from_ref(&first))
                .await
        })
        .expect("a report");

    // The form's page lists the report with its status; its page offers the decision.
    let sup = console_user_with_password(reg, "Imran Qureshi", Role::Supervisor, &[AREA]);
    let mut b = Browser::new(&base);
    assert_eq!(b.sign_in(&sup, CONSOLE_PASSWORD).status, 303);
    let list = b.get("/console/forms/meal_centre_daily?from=2026-11-30&until=2026-11-30");
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(
        list.body.contains(&format!(
            "data-testid=\"listed-report\" data-report=\"{id}\" data-status=\"submitted\""
        )),
        "{}",
        list.body
    );
    let path = format!("/console/forms/meal_centre_daily/reports/{id}");
    let page = b.get(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"report-review-form\""));
    assert!(page.body.contains("data-testid=\"report-approve\""));
    let csrf = csrf_of(&page.body);
    let review = format!("{path}/review");

    // A forged decision is refused; a return without a note is sent back with why.
    let forged = b.post(
        &review,
        &[("csrf", "forged"), ("decision", "returned"), ("note", "x")],
    );
    assert_eq!(forged.status, 403, "{}", forged.body);
    let bare = b.post(
        &review,
        &[("csrf", &csrf), ("decision", "returned"), ("note", "")],
    );
    assert_eq!(bare.status, 400, "{}", bare.body);
    assert!(
        after_testid(&bare.body, "report-review-error").is_some_and(|e| e.contains("note")),
        "{}",
        bare.body
    );

    // A supervisor of another district finds no report, on its page or by posting.
    let other = other_area();
    let far = console_user_with_password(reg, "Bilal Supervisor", Role::Supervisor, &[&other]);
    let mut f = Browser::new(&base);
    assert_eq!(f.sign_in(&far, CONSOLE_PASSWORD).status, 303);
    let theirs = f.get("/console/forms");
    let far_csrf = csrf_of(&theirs.body);
    assert_eq!(f.get(&path).status, 404);
    let refused = f.post(
        &review,
        &[
            ("csrf", &far_csrf),
            ("decision", "rejected"),
            ("note", "not mine"),
        ],
    );
    assert_eq!(refused.status, 404, "{}", refused.body);

    // A provincial monitor reads the report but may not decide.
    let monitor = console_user_with_password(reg, "Nadia Monitor", Role::Province, &["PK1"]);
    let mut m = Browser::new(&base);
    assert_eq!(m.sign_in(&monitor, CONSOLE_PASSWORD).status, 303);
    let seen = m.get(&path);
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(!seen.body.contains("data-testid=\"report-review-form\""));
    let m_csrf = csrf_of(&seen.body);
    let denied = m.post(
        &review,
        &[("csrf", &m_csrf), ("decision", "approved"), ("note", "")],
    );
    assert_eq!(denied.status, 403, "{}", denied.body);

    // Returned with a note: the page keeps the decision with who made it; none is offered now.
    let done = b.post(
        &review,
        &[
            ("csrf", &csrf),
            ("decision", "returned"),
            ("note", "Count the meals again"),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let page = b.get(done.location.as_deref().expect("to the report"));
    assert!(
        page.body.contains("data-testid=\"report-decided\""),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("data-report=\"{id}\" data-status=\"returned\"")));
    assert_eq!(
        after_testid(&page.body, "decision-note"),
        Some("Count the meals again")
    );
    assert!(page.body.contains("Imran Qureshi"));
    assert!(page.body.contains("data-testid=\"report-no-decision\""));

    // Both attempts that reached the report are on the access trail, the refused one as such.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 10_000))
        .expect("trail");
    let outcomes: Vec<String> = trail
        .iter()
        .filter(|e| e.action == "form.report_review" && e.subject.as_deref() == Some(&id))
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect();
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    assert!(outcomes[0].contains("outcome=out_of_scope"), "{outcomes:?}");
    assert!(
        outcomes[1].contains("decision=returned outcome=decided"),
        "{outcomes:?}"
    );
}
