//! A household's detail page beyond its answers, over real HTTP on SQLite and PostgreSQL: the
//! registry's PMT score with each variable's contribution, the tablet's score beside it once a new
//! model makes them differ, and the household's history (who changed what, when) read from its
//! automerge document, in English and Urdu; and the scoring page with the rescoring run.

mod common;

use common::{
    console_user_with_password, serve, testid_text, Browser, TestClock, CONSOLE_PASSWORD,
};
use serde_json::json;
use shumari_forms::pmt::PMT_MODEL_TOML;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, TestRegistry, AREA};

on_both!(
    the_detail_shows_the_score_its_contributions_and_the_history,
    pg_the_detail_shows_the_score_its_contributions_and_the_history,
    score_and_history
);

/// The numbers in the `data-testid="pmt-line"` rows' last cells (points).
fn points(html: &str) -> Vec<f64> {
    html.split("data-testid=\"pmt-line\"")
        .skip(1)
        .map(|row| {
            let row = &row[..row.find("</tr>").expect("row end")];
            let last =
                row.rfind("<td dir=\"ltr\">").expect("points cell") + "<td dir=\"ltr\">".len();
            row[last..last + row[last..].find('<').expect("cell end")]
                .parse()
                .expect("points")
        })
        .collect()
}

fn score_and_history<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let mut tablet = reg.device(&[AREA]);
    let id = tablet.add(1, AREA);
    tablet.set(id, "answers.rooms", json!(4));
    tablet.set(id, "status", json!("complete"));
    assert!(tablet.sync().refused.is_empty());

    let sup = console_user_with_password(reg, "Imran Qureshi", Role::Supervisor, &[AREA]);
    let mut b = Browser::new(&base);
    assert_eq!(b.sign_in(&sup, CONSOLE_PASSWORD).status, 303);
    let page = b.get(&format!("/console/households/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);

    // The score and its lines, which sum to it.
    let score: f64 = testid_text(&page.body, "pmt-score")
        .map(|_| {
            let at = page.body.find("data-testid=\"pmt-score\"").unwrap();
            let rest = &page.body[at..];
            let s = rest.find("<strong>").unwrap() + "<strong>".len();
            rest[s..s + rest[s..].find('<').unwrap()].parse().unwrap()
        })
        .expect("a registry score");
    let lines = points(&page.body);
    assert!(lines.len() > 3, "{lines:?}");
    assert!(
        (lines.iter().sum::<f64>() - score).abs() < 0.2,
        "{lines:?} sum to {score}"
    );
    assert!(
        testid_text(&page.body, "pmt-device-score").is_none(),
        "same model, same score: nothing to set beside"
    );

    // History: the registry's acknowledgement (submitted) on top, the surveyor's edits below, the
    // creation last.
    let rows = page.body.matches("data-testid=\"history-row\"").count();
    assert!(rows >= 3, "{rows} history rows");
    let authors: Vec<&str> = page
        .body
        .split("data-testid=\"history-author\">")
        .skip(1)
        .map(|s| &s[..s.find('<').unwrap()])
        .collect();
    assert_eq!(authors.first(), Some(&"the registry"), "{authors:?}");
    assert!(authors[1..].iter().all(|a| a.contains('(')), "{authors:?}");
    let fields: Vec<&str> = page
        .body
        .split("data-testid=\"history-fields\">")
        .skip(1)
        .map(|s| &s[..s.find("</td>").unwrap()])
        .collect();
    assert!(fields.iter().any(|f| f.contains("Status")), "{fields:?}");
    assert!(
        fields.iter().any(|f| f.contains("room")),
        "the rooms question by its label: {fields:?}"
    );
    assert_eq!(
        fields.last().map(|f| f.trim()),
        Some("Created the household")
    );

    // A new model at the registry: the tablet still shows the shipped model's score.
    let v2 = PMT_MODEL_TOML
        .replace(
            "model_version = \"illustrative-v1\"",
            "model_version = \"illustrative-v2\"",
        )
        .replace("constant = 10.0", "constant = 20.0");
    reg.rt
        .block_on(reg.reg.install_pmt_model(&v2))
        .expect("install");
    reg.rt.block_on(reg.reg.rescore(|_| {})).expect("rescore");
    let page = b.get(&format!("/console/households/{id}"));
    let device = testid_text(&page.body, "pmt-device-score");
    assert!(
        device.is_some(),
        "the tablet's score set beside the registry's"
    );
    assert!(page.body.contains("illustrative-v1") && page.body.contains("illustrative-v2"));

    // The scoring page: the model in force and the finished run, with its progress.
    let scoring = b.get("/console/scoring");
    assert_eq!(scoring.status, 200);
    assert_eq!(
        testid_text(&scoring.body, "scoring-model").as_deref(),
        Some("illustrative-v2")
    );
    assert!(scoring
        .body
        .contains("data-testid=\"scoring-run\" data-state=\"done\""));
    assert_eq!(
        testid_text(&scoring.body, "scoring-progress").as_deref(),
        Some("1 / 1")
    );
    assert!(
        testid_text(&scoring.body, "scoring-refreshing").is_none(),
        "nothing running: no reload"
    );

    // In Urdu, the same sections in Urdu.
    b.get("/console/lang/ur");
    let ur = b.get(&format!("/console/households/{id}"));
    assert!(ur.body.contains("تاریخچہ"), "history title in Urdu");
    assert!(ur.body.contains("پراکسی مینز ٹیسٹ"));
    assert!(ur.body.contains("رجسٹری"));
}
