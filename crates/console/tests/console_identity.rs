//! Identity verification with NADRA in the console over real HTTP, on SQLite and on PostgreSQL: a
//! district officer downloads an area's export and its manifest, uploads the authority's result
//! file through the CSRF-protected multipart form, sees what it did, uploads it again to no effect,
//! and the household detail shows each member's verification.

mod common;

use common::{csrf_of, serve, testid_text, Browser, TestClock};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::{on_both, TestRegistry, AREA};

const PASSWORD: &str = "a long console password";

on_both!(
    an_export_is_downloaded_and_a_result_file_uploaded,
    pg_an_export_is_downloaded_and_a_result_file_uploaded,
    exchange
);

fn multipart(csrf: &str, file: &str) -> (String, Vec<u8>) {
    let boundary = "----shumari-test-boundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"result.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
    );
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

fn exchange<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let officer = reg.rt.block_on(async {
        let id = reg
            .reg
            .add_user("Farah Naz", Role::District, &[AREA.to_string()])
            .await
            .expect("user");
        shumari_console::set_password(&reg.reg, &id, PASSWORD, common::T0)
            .await
            .expect("password");
        id
    });
    let mut a = reg.device(&[AREA]);
    let id = a.add(1, AREA);
    a.sync();
    let head = a.store.get(&id.to_string()).unwrap().household.members[0].clone();
    let cnic = head.id_number.as_ref().unwrap().digits().to_string();

    let mut web = Browser::new(&base);
    assert_eq!(web.sign_in(&officer, PASSWORD).status, 303);
    let page = web.get("/console/identity");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"nav-identity\""));
    let csrf = csrf_of(&page.body);

    // The export downloads as CSV, its manifest beside it.
    let csv = web.post(
        "/console/identity/export",
        &[("csrf", &csrf), ("area", AREA)],
    );
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert!(csv
        .body
        .starts_with("batch_id,cnic,name,father_or_husband_name,date_of_birth"));
    assert!(csv.body.contains(&cnic));
    let link = csv.headers["x-shumari-manifest"]
        .to_str()
        .unwrap()
        .to_string();
    let manifest: serde_json::Value = serde_json::from_str(&web.get(&link).body).unwrap();
    assert_eq!(manifest["rows"], 2);
    let batch = manifest["batch_id"].as_str().unwrap().to_string();

    // The result file, uploaded; a forged upload is refused first.
    let result = format!("batch_id,cnic,result,fields\n{batch},{cnic},not_found,\n");
    let (ct, forged) = multipart("forged", &result);
    assert_eq!(
        web.post_raw("/console/identity/import", &ct, forged).status,
        403
    );
    let (ct, body) = multipart(&csrf, &result);
    let done = web.post_raw("/console/identity/import", &ct, body.clone());
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(
        testid_text(&done.body, "report-not-found").as_deref(),
        Some("1")
    );
    assert_eq!(
        testid_text(&done.body, "report-members").as_deref(),
        Some("1")
    );
    assert_eq!(
        testid_text(&done.body, "report-cases").as_deref(),
        Some("1")
    );
    let again = web.post_raw("/console/identity/import", &ct, body);
    assert!(again
        .body
        .contains("data-testid=\"identity-already-imported\""));
    let (ct, bad) = multipart(&csrf, "batch_id,cnic,result,fields\n,123,verified,\n");
    let refused = web.post_raw("/console/identity/import", &ct, bad);
    assert_eq!(refused.status, 400);
    assert!(testid_text(&refused.body, "identity-error")
        .unwrap()
        .contains("line 2"));

    // The detail shows the head's result; the case is in the queue.
    let detail = web.get(&format!("/console/households/{id}"));
    assert!(
        detail.body.contains("data-verification=\"not_found\""),
        "{}",
        detail.body
    );
    let queue = web.get("/console/duplicates");
    assert!(queue.body.contains("data-kind=\"not_found\""));
}
