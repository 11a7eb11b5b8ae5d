//! The DCI social registry API over real HTTP on loopback, on SQLite and PostgreSQL: a system client
//! gets a token, searches by CNIC and by predicate within its areas, is refused without a valid
//! signature, searches asynchronously with the answer delivered to its callback, asks the
//! transaction's status; every answer fits the vendored standard's schemas, and the access trail
//! records each request without a CNIC.

mod common;

use common::*;
use reqwest::blocking::Client;
use serde_json::{json, Value};
use shumari_dci::DciStore;
use shumari_scenarios::{on_both, TestRegistry, AREA};
use std::time::Duration;

const CNIC: &str = "35202-1234567-1";
const CNIC_DIGITS: &str = "3520212345671";
const OTHER_AREA: &str = "PK10201";

/// Households: two in the client's area (one headed by a woman holding [`CNIC`]), one outside it.
fn households<S: DciStore>(reg: &TestRegistry<S>) {
    let mut d = reg.device(&[AREA]);
    for (name, sex, cnic) in [
        ("Ayesha Bibi", "female", CNIC),
        ("Imran Khan", "male", "35202-7654321-3"),
    ] {
        let input = serde_json::from_value(json!({
            "area": AREA,
            "members": [
                {"name": name, "relation": "head", "sex": sex, "age": 41, "id_number": cnic},
                {"name": "Child", "relation": "son", "sex": "male", "age": 9}
            ]
        }))
        .unwrap();
        d.store
            .add_household(&input, None, "nser-household", "1")
            .unwrap();
    }
    d.sync();
    let mut far = reg.device(&[OTHER_AREA]);
    let input = serde_json::from_value(json!({
        "area": OTHER_AREA,
        "members": [{"name": "Far Away", "relation": "head", "sex": "female", "age": 30, "id_number": "35202-1111111-2"}]
    }))
    .unwrap();
    far.store
        .add_household(&input, None, "nser-household", "1")
        .unwrap();
    far.sync();
}

fn envelope(action: &str, message: Value) -> Value {
    json!({
        "header": {
            "version": "1.0.0",
            "message_id": "m-1",
            "message_ts": "2025-01-31T08:00:00Z",
            "action": action,
            "sender_id": "bisp",
            "total_count": 1,
            "is_msg_encrypted": false
        },
        "message": message
    })
}

fn search(
    transaction: &str,
    entity: &str,
    query_type: &str,
    query: Value,
    page_size: u32,
) -> Value {
    envelope(
        "search",
        json!({
            "transaction_id": transaction,
            "search_request": [{
                "reference_id": "r-1",
                "timestamp": "2025-01-31T08:00:00Z",
                "search_criteria": {
                    "version": "1.0.0",
                    "reg_event_type": "REGISTER",
                    "query_type": query_type,
                    "response_entity": entity,
                    "query": query,
                    "sort": [{"attribute_name": "poverty_score", "sort_order": "asc"}],
                    "pagination": {"page_size": page_size, "page_number": 1}
                },
                "locale": "eng"
            }]
        }),
    )
}

fn records(answer: &Value) -> &Vec<Value> {
    answer["message"]["search_response"][0]["data"]["reg_records"]
        .as_array()
        .expect("records")
}

/// A tiny callback receiver: every body POSTed to `/registry/on-search` or
/// `/registry/txn/on-status` goes to the channel.
fn receiver<S>(reg: &TestRegistry<S>) -> (String, std::sync::mpsc::Receiver<Value>) {
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    let take = move |axum::Json(v): axum::Json<Value>| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(v);
            axum::Json(json!({"message": {"ack_status": "ACK"}}))
        }
    };
    let app = axum::Router::new()
        .route("/registry/on-search", axum::routing::post(take.clone()))
        .route("/registry/txn/on-status", axum::routing::post(take));
    let listener = reg
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    reg.rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), rx)
}

fn a_system_client_searches_its_areas<S: DciStore>(reg: &mut TestRegistry<S>) {
    households(reg);
    let doc = social_api();
    let sync_answer = validator(&doc, SYNC_SEARCH_RESPONSE);
    let sync_request = validator(&doc, SYNC_SEARCH_REQUEST);
    let on_search = validator(&doc, ON_SEARCH_REQUEST);
    let on_status = validator(&doc, ON_STATUS_REQUEST);
    let ack = validator(&doc, ACK_RESPONSE);

    let (callback, delivered) = receiver(reg);
    let k = key();
    let client = reg
        .rt
        .block_on(shumari_dci::add_client(
            &reg.reg,
            "BISP",
            &[AREA.to_string()],
            public(&k),
            Some(&callback),
        ))
        .unwrap();
    let base = serve(reg);
    let http = Client::new();

    // Wrong secret: no token.
    let r = http
        .post(format!("{base}/oauth2/client/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.id.as_str()),
            ("client_secret", "guess"),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().unwrap();
    assert_eq!(e["errors"][0]["code"], "err.request.unauthorized");
    let token = token(&http, &base, &client.id, &client.secret);
    let sync_url = format!("{base}/registry/sync/search");

    // By CNIC: the household holding it, as a Group with its head and roster.
    let req = signed(
        search(
            "t-1",
            "Group",
            "idtype-value",
            json!({"type": "CNIC", "value": CNIC}),
            10,
        ),
        &client.id,
        &k,
    );
    assert_eq!(violations(&sync_request, &req), Vec::<String>::new());
    let (status, answer) = post(&http, &sync_url, &token, &req);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        violations(&sync_answer, &answer),
        Vec::<String>::new(),
        "{answer:#}"
    );
    assert_eq!(answer["header"]["status"], "succ");
    assert_eq!(answer["header"]["action"], "on-search");
    assert_eq!(answer["message"]["transaction_id"], "t-1");
    let found = records(&answer);
    assert_eq!(found.len(), 1, "{answer:#}");
    assert_eq!(found[0]["@type"], "Group");
    assert_eq!(found[0]["group_size"], 2);
    assert_eq!(
        found[0]["group_head_info"]["demographic_info"]["identifier"][0]["identifier_value"],
        CNIC_DIGITS
    );
    assert!(
        found[0]["poverty_score"].is_number(),
        "scored: {:#}",
        found[0]
    );
    assert_eq!(
        answer["message"]["search_response"][0]["pagination"]["total_count"],
        1
    );

    // A CNIC outside the client's areas finds nothing, the same as an unknown one.
    let req = signed(
        search(
            "t-2",
            "Group",
            "idtype-value",
            json!({"type": "CNIC", "value": "35202-1111111-2"}),
            10,
        ),
        &client.id,
        &k,
    );
    let (_, answer) = post(&http, &sync_url, &token, &req);
    assert!(records(&answer).is_empty(), "{answer:#}");

    // By predicate over area and PMT: both households in the area, a page of one at a time.
    let predicate = json!([{
        "seq_num": 1,
        "expression1": {"attribute_name": "area", "operator": "in", "attribute_value": [AREA, OTHER_AREA]},
        "condition": "and",
        "expression2": {"attribute_name": "poverty_score", "operator": "le", "attribute_value": 100}
    }]);
    let req = signed(
        search("t-3", "Group", "predicate", predicate.clone(), 1),
        &client.id,
        &k,
    );
    let (status, answer) = post(&http, &sync_url, &token, &req);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(violations(&sync_answer, &answer), Vec::<String>::new());
    assert_eq!(records(&answer).len(), 1);
    let page = &answer["message"]["search_response"][0]["pagination"];
    assert_eq!(
        (page["page_size"].as_u64(), page["total_count"].as_u64()),
        (Some(1), Some(2))
    );

    // Members: the women of the area (the one outside it is not among them).
    let req = signed(
        search(
            "t-4",
            "Member",
            "predicate",
            json!([{"expression1": {"attribute_name": "sex", "operator": "eq", "attribute_value": "female"}}]),
            10,
        ),
        &client.id,
        &k,
    );
    let (_, answer) = post(&http, &sync_url, &token, &req);
    let women = records(&answer);
    assert_eq!(women.len(), 1, "{answer:#}");
    assert_eq!(women[0]["@type"], "Member");
    assert_eq!(women[0]["demographic_info"]["sex"], "female");

    // A condition the registry cannot answer is refused by the standard's reason code.
    let req = signed(
        search(
            "t-5",
            "Group",
            "predicate",
            json!([{"expression1": {"attribute_name": "income", "operator": "lt", "attribute_value": 5}}]),
            10,
        ),
        &client.id,
        &k,
    );
    let (status, answer) = post(&http, &sync_url, &token, &req);
    assert_eq!(status, 200);
    assert_eq!(violations(&sync_answer, &answer), Vec::<String>::new());
    assert_eq!(answer["header"]["status"], "rjct");
    assert_eq!(
        answer["message"]["search_response"][0]["status_reason_code"],
        "rjct.search_criteria.invalid"
    );

    // Signatures: missing, forged by another key, or over another message: refused.
    let mut unsigned = search("t-6", "Group", "predicate", predicate.clone(), 10);
    let (status, e) = post(&http, &sync_url, &token, &unsigned);
    assert_eq!(
        (status, e["errors"][0]["code"].as_str()),
        (401, Some("err.signature.missing"))
    );
    unsigned = signed(unsigned, &client.id, &key());
    let (status, e) = post(&http, &sync_url, &token, &unsigned);
    assert_eq!(
        (status, e["errors"][0]["code"].as_str()),
        (401, Some("err.signature.invalid"))
    );
    let mut tampered = signed(
        search("t-7", "Group", "predicate", predicate.clone(), 10),
        &client.id,
        &k,
    );
    tampered["message"]["search_request"][0]["search_criteria"]["pagination"]["page_size"] =
        json!(100);
    let (status, e) = post(&http, &sync_url, &token, &tampered);
    assert_eq!(
        (status, e["errors"][0]["code"].as_str()),
        (401, Some("err.signature.invalid"))
    );
    // No token at all.
    let r = http.post(&sync_url).json(&req).send().unwrap();
    assert_eq!(r.status(), 401);

    // Asynchronous: acknowledged at once, the answer delivered to the client's callback.
    let req = signed(
        search("t-async", "Group", "predicate", predicate, 10),
        &client.id,
        &k,
    );
    let (status, answer) = post(&http, &format!("{base}/registry/search"), &token, &req);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(violations(&ack, &answer), Vec::<String>::new());
    assert_eq!(answer["message"]["ack_status"], "ACK");
    let correlation = answer["message"]["correlation_id"]
        .as_str()
        .unwrap()
        .to_string();
    let called = delivered
        .recv_timeout(Duration::from_secs(30))
        .expect("on-search callback");
    assert_eq!(
        violations(&on_search, &called),
        Vec::<String>::new(),
        "{called:#}"
    );
    assert_eq!(called["message"]["transaction_id"], "t-async");
    assert_eq!(called["message"]["correlation_id"], correlation.as_str());
    assert_eq!(records(&called).len(), 2);
    // The same transaction id again is refused.
    let again = signed(
        search(
            "t-async",
            "Group",
            "idtype-value",
            json!({"type": "CNIC", "value": CNIC}),
            10,
        ),
        &client.id,
        &k,
    );
    let (status, _) = post(&http, &format!("{base}/registry/search"), &token, &again);
    assert_eq!(status, 400);

    // Its status, once the callback has been answered.
    let status_req = |t: &str| {
        signed(
            envelope(
                "txn-status",
                json!({"transaction_id": "s-1", "txnstatus_request": {
                    "reference_id": "r-1", "txn_type": "search",
                    "attribute_type": "transaction_id", "attribute_value": t}}),
            ),
            &client.id,
            &k,
        )
    };
    let mut state = Value::Null;
    for _ in 0..100 {
        let (status, answer) = post(
            &http,
            &format!("{base}/registry/sync/txn/status"),
            &token,
            &status_req("t-async"),
        );
        assert_eq!(status, 200, "{answer}");
        state = answer["message"]["txnstatus_response"]["txn_status"].clone();
        if state["status"] != "pdng" && !state["callback_status"].is_null() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(state["status"], "succ", "{state}");
    assert_eq!(state["records"], 2);
    assert_eq!(state["callback_status"], 200);
    // Asked asynchronously: acknowledged, the same status POSTed to `txn/on-status`.
    let (status, answer) = post(
        &http,
        &format!("{base}/registry/txn/status"),
        &token,
        &status_req("t-async"),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(violations(&ack, &answer), Vec::<String>::new());
    assert_eq!(answer["message"]["correlation_id"], correlation.as_str());
    let called = delivered
        .recv_timeout(Duration::from_secs(30))
        .expect("txn on-status callback");
    assert_eq!(
        violations(&on_status, &called),
        Vec::<String>::new(),
        "{called:#}"
    );
    assert_eq!(called["header"]["action"], "txn-on-status");
    assert_eq!(called["message"]["correlation_id"], correlation.as_str());
    let delivered_state = &called["message"]["txnstatus_response"]["txn_status"];
    assert_eq!(delivered_state["transaction_id"], "t-async");
    assert_eq!(delivered_state["status"], "succ");
    assert_eq!(delivered_state["records"], 2);
    // An unknown transaction is refused before any acknowledgement.
    let (status, _) = post(
        &http,
        &format!("{base}/registry/txn/status"),
        &token,
        &status_req("nothing"),
    );
    assert_eq!(status, 400);
    let (status, _) = post(
        &http,
        &format!("{base}/registry/sync/txn/status"),
        &token,
        &status_req("nothing"),
    );
    assert_eq!(status, 400);

    // Every request is on the access trail, by client, and no CNIC is anywhere in it.
    let trail = reg.rt.block_on(reg.reg.access_audit(0, 10_000)).unwrap();
    let searches = trail
        .iter()
        .filter(|e| e.action == "dci.search" && e.subject.as_deref() == Some(client.id.as_str()))
        .count();
    assert_eq!(
        searches, 6,
        "five sync searches and one asynchronous (a refused repeat is not)"
    );
    assert!(trail.iter().any(|e| e.action == "dci.refused"));
    assert!(trail
        .iter()
        .any(|e| e.action == "household.show" && e.actor == client.user_id));
    let text = format!("{trail:?}");
    for digits in [CNIC_DIGITS, "3520276543213", "3520211111112"] {
        assert!(!text.contains(digits), "a CNIC on the trail");
    }
    assert!(!text.contains(CNIC));
}

on_both!(
    sqlite_system_client_searches_its_areas,
    postgres_system_client_searches_its_areas,
    a_system_client_searches_its_areas
);

/// The standard's own example requests, each signed by a registered client and replayed against a
/// running registry: each is answered in the envelope the standard describes.
fn the_standards_examples_are_answered<S: DciStore>(reg: &mut TestRegistry<S>) {
    households(reg);
    let doc = social_api();
    let sync_answer = validator(&doc, SYNC_SEARCH_RESPONSE);
    let k = key();
    let client = reg
        .rt
        .block_on(shumari_dci::add_client(
            &reg.reg,
            "SP-System",
            &[AREA.to_string()],
            public(&k),
            None,
        ))
        .unwrap();
    let base = serve(reg);
    let http = Client::new();
    let token = token(&http, &base, &client.id, &client.secret);
    let mut replayed = 0;
    for entry in std::fs::read_dir(spec_dir().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with("req.json") {
            continue;
        }
        let example: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        // As sent, the example's placeholder signature is refused.
        let (status, e) = post(
            &http,
            &format!("{base}/registry/sync/search"),
            &token,
            &example,
        );
        assert_eq!(
            (status, e["errors"][0]["code"].as_str()),
            (401, Some("err.signature.invalid")),
            "{name}"
        );
        let (status, answer) = post(
            &http,
            &format!("{base}/registry/sync/search"),
            &token,
            &signed(example.clone(), &client.id, &k),
        );
        assert_eq!(status, 200, "{name}: {answer}");
        assert_eq!(
            violations(&sync_answer, &answer),
            Vec::<String>::new(),
            "{name}: {answer:#}"
        );
        let items = example["message"]["search_request"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(
            answer["message"]["search_response"]
                .as_array()
                .unwrap()
                .len(),
            items,
            "{name}"
        );
        replayed += 1;
    }
    assert_eq!(replayed, 6, "every social-registry example request");
}

on_both!(
    sqlite_the_standards_examples_are_answered,
    postgres_the_standards_examples_are_answered,
    the_standards_examples_are_answered
);

/// A client is listed, revoked, and its token stops working at once: no search, no new token.
fn a_revoked_clients_tokens_stop_working<S: DciStore>(reg: &mut TestRegistry<S>) {
    households(reg);
    let k = key();
    let client = reg
        .rt
        .block_on(shumari_dci::add_client(
            &reg.reg,
            "BISP",
            &[AREA.to_string()],
            public(&k),
            None,
        ))
        .unwrap();
    let base = serve(reg);
    let http = Client::new();
    let token = token(&http, &base, &client.id, &client.secret);
    let sync_url = format!("{base}/registry/sync/search");
    let by_cnic = |t: &str| {
        signed(
            search(
                t,
                "Group",
                "idtype-value",
                json!({"type": "CNIC", "value": CNIC}),
                10,
            ),
            &client.id,
            &k,
        )
    };
    let (status, answer) = post(&http, &sync_url, &token, &by_cnic("r-1"));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(records(&answer).len(), 1);

    let listed = reg
        .rt
        .block_on(shumari_dci::list_clients(&reg.reg))
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, client.id);
    assert_eq!(listed[0].areas, vec![AREA.to_string()]);
    assert!(listed[0].revoked_at.is_none());

    let revoked = reg
        .rt
        .block_on(shumari_dci::revoke_client(&reg.reg, &client.id))
        .unwrap();
    assert!(revoked.revoked_at.is_some());
    // The token taken before is refused on the very next request.
    let (status, e) = post(&http, &sync_url, &token, &by_cnic("r-2"));
    assert_eq!(status, 401, "{e}");
    assert_eq!(e["errors"][0]["code"], "err.request.unauthorized");
    // And no new token is issued.
    let r = http
        .post(format!("{base}/oauth2/client/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client.id.as_str()),
            ("client_secret", client.secret.as_str()),
        ])
        .send()
        .unwrap();
    assert!(r.status() == 401 || r.status() == 403, "{}", r.status());
    // Revoking again changes nothing; an unknown client is "not found".
    let again = reg
        .rt
        .block_on(shumari_dci::revoke_client(&reg.reg, &client.id))
        .unwrap();
    assert_eq!(again.revoked_at, revoked.revoked_at);
    assert!(reg
        .rt
        .block_on(shumari_dci::revoke_client(&reg.reg, "dci-nobody"))
        .is_err());
    let trail = reg.rt.block_on(reg.reg.access_audit(0, 10_000)).unwrap();
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.action == "dci.client_revoke")
            .count(),
        2
    );
}

on_both!(
    sqlite_a_revoked_clients_tokens_stop_working,
    postgres_a_revoked_clients_tokens_stop_working,
    a_revoked_clients_tokens_stop_working
);
