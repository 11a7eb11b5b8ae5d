//! Review that reaches the tablet: a surveyor completes and syncs a household (the registry marks it
//! submitted), a supervisor returns it with a comment and the questions concerned, the surveyor's
//! device receives the return with its next sync, fixes and completes it, syncs (submitted again),
//! the supervisor approves, and the device shows the approval. A surveyor's edit made while the
//! household is in review merges with the decision. Refusals: a surveyor does not review, a
//! supervisor reviews only in their areas and only submitted households, a return says why. Each
//! scenario runs on SQLite and on PostgreSQL (`pg_` + its name), like `sync_scenarios.rs`.

use serde_json::{json, Value};
use shumari_domain::review::Decision;
use shumari_domain::Status;
use shumari_registry::{RegistryError, ReviewRequest, Reviewed, Storage};
use shumari_scenarios::on_both;
use shumari_scenarios::{http_transport, other_area, TestDevice, TestRegistry, AREA};
use shumari_sync::engine::KEY_TOKEN;
use std::io::{Read, Write};
use uuid::Uuid;

on_both!(
    returned_fixed_resubmitted_and_approved_reaches_the_tablet,
    pg_returned_fixed_resubmitted_and_approved_reaches_the_tablet,
    round_trip
);
on_both!(
    decisions_are_checked_by_role_area_and_status,
    pg_decisions_are_checked_by_role_area_and_status,
    refusals
);
on_both!(
    the_review_routes_answer_json_for_the_console,
    pg_the_review_routes_answer_json_for_the_console,
    http_routes
);

fn decide<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    id: Uuid,
    decision: Decision,
    comment: &str,
    questions: &[&str],
) -> Result<Reviewed, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        let req = ReviewRequest {
            decision,
            comment: comment.into(),
            questions: questions.iter().map(|q| q.to_string()).collect(),
        };
        reg.reg.review(&u, &id.to_string(), req).await
    })
}

fn on_device(d: &TestDevice, id: Uuid) -> shumari_domain::Household {
    d.store
        .get(&id.to_string())
        .expect("on the device")
        .household
}

fn status_at<S: Storage>(reg: &TestRegistry<S>, id: Uuid) -> String {
    reg.show(id)["status"].as_str().expect("status").to_string()
}

fn queue<S: Storage>(reg: &TestRegistry<S>, status: Status) -> Vec<Uuid> {
    reg.rt
        .block_on(reg.reg.review_list(None, status, None))
        .expect("queue")
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn round_trip<S: Storage>(reg: &mut TestRegistry<S>) {
    let surveyor = reg.user("surveyor", &[AREA]);
    let mut a = reg.device_for(&surveyor);
    // A colleague's tablet in the same area sees the decisions too.
    let mut b = reg.device(&[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let id = a.add(1, AREA);
    let draft = a.add(2, AREA);
    a.set(id, "status", json!("complete"));
    let r = a.sync();
    assert!(r.refused.is_empty() && r.pushed == 2, "{r:?}");
    // The registry acknowledges the completed interview as submitted, and the device learns it in
    // the same round (push, then pull).
    assert_eq!(status_at(reg, id), "submitted");
    assert_eq!(status_at(reg, draft), "draft");
    assert_eq!(on_device(&a, id).status, Status::Submitted);
    assert_eq!(queue(reg, Status::Submitted), vec![id]);

    let done = decide(
        reg,
        &supervisor,
        id,
        Decision::Returned,
        "The number of rooms looks wrong",
        &["q01", "q03"],
    )
    .expect("return");
    assert_eq!(done.status, Status::Returned);
    assert_eq!(done.review.by, supervisor);
    // Meanwhile, before syncing, the surveyor edits another answer of the submitted household.
    a.set(id, "answers.q05", json!("noted during review"));
    let r = a.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    let h = on_device(&a, id);
    assert_eq!(h.status, Status::Returned);
    let review = h.review.expect("the decision reached the tablet");
    assert_eq!(review.decision, Decision::Returned);
    assert_eq!(review.by, supervisor);
    assert_eq!(review.by_name, "Test User");
    assert_eq!(review.comment, "The number of rooms looks wrong");
    assert_eq!(review.questions, ["q01", "q03"]);
    assert_eq!(
        h.answers["q05"],
        json!("noted during review"),
        "nothing vanishes"
    );
    let at_registry = reg.show(id);
    assert_eq!(at_registry["answers"]["q05"], json!("noted during review"));
    assert_eq!(at_registry["review"]["decision"], json!("returned"));
    assert_eq!(at_registry["status"], json!("returned"));
    b.sync();
    assert_eq!(on_device(&b, id).status, Status::Returned);

    // The surveyor fixes the named question, completes, and the next sync submits it again.
    a.set(id, "answers.q01", json!(3));
    a.set(id, "status", json!("complete"));
    let r = a.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    assert_eq!(status_at(reg, id), "submitted");
    assert_eq!(on_device(&a, id).status, Status::Submitted);

    decide(reg, &supervisor, id, Decision::Approved, "", &[]).expect("approve");
    let r = a.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    let h = on_device(&a, id);
    assert_eq!(h.status, Status::Approved);
    assert_eq!(h.review.expect("review").decision, Decision::Approved);
    assert_eq!(h.answers["q01"], json!(3));
    b.sync();
    assert_eq!(on_device(&b, id).status, Status::Approved);
    let heads = reg.heads();
    assert_eq!(a.heads(), heads, "the surveyor's tablet converged");
    assert_eq!(b.heads(), heads, "the colleague's tablet converged");
    assert!(queue(reg, Status::Submitted).is_empty());
    // Every decision is on the access trail.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    let reviews = trail
        .iter()
        .filter(|r| r.action == "household.review")
        .count();
    assert_eq!(reviews, 2);
}

fn refusals<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let surveyor_id = reg.user("surveyor", &[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let elsewhere = reg.user("supervisor", &[other_area().as_str()]);
    let monitor = reg.user("province", &[AREA]);
    let submitted = a.add(1, AREA);
    let draft = a.add(2, AREA);
    a.set(submitted, "status", json!("complete"));
    a.sync();
    let code = |r: Result<Reviewed, RegistryError>| r.expect_err("refused").code();
    for who in [&surveyor_id, &monitor] {
        for d in [Decision::Approved, Decision::Returned, Decision::Rejected] {
            assert_eq!(
                code(decide(reg, who, submitted, d, "why", &[])),
                "forbidden"
            );
        }
    }
    assert_eq!(
        code(decide(
            reg,
            &elsewhere,
            submitted,
            Decision::Approved,
            "",
            &[]
        )),
        "not_found",
        "out of the supervisor's areas"
    );
    assert_eq!(
        code(decide(reg, &supervisor, draft, Decision::Approved, "", &[])),
        "forbidden_transition",
        "only a submitted household is approved"
    );
    assert_eq!(
        code(decide(
            reg,
            &supervisor,
            submitted,
            Decision::Returned,
            " ",
            &[]
        )),
        "bad_request",
        "a return says why"
    );
    assert_eq!(
        code(decide(
            reg,
            &supervisor,
            Uuid::nil(),
            Decision::Approved,
            "",
            &[]
        )),
        "not_found"
    );
    assert_eq!(
        status_at(reg, submitted),
        "submitted",
        "nothing was written"
    );
    decide(
        reg,
        &supervisor,
        submitted,
        Decision::Rejected,
        "Not a household",
        &[],
    )
    .expect("reject");
    assert_eq!(
        code(decide(
            reg,
            &supervisor,
            submitted,
            Decision::Returned,
            "again",
            &[]
        )),
        "forbidden_transition",
        "a rejection is final"
    );
    assert_eq!(
        code(
            reg.rt
                .block_on(reg.reg.acting_user("u-nobody"))
                .map(|_| unreachable!())
        ),
        "not_found"
    );
    let r = a.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    assert_eq!(on_device(&a, submitted).status, Status::Rejected);
}

/// A request over HTTP: (status, JSON body).
fn http(url: &str, method: &str, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status line");
    let text = out.split("\r\n\r\n").nth(1).unwrap_or_default();
    (status, serde_json::from_str(text).unwrap_or(Value::Null))
}

fn http_routes<S: Storage>(reg: &mut TestRegistry<S>) {
    let url = reg.serve_http();
    let mut a = TestDevice::new(http_transport(&url));
    a.enroll(&reg.code(&reg.user("surveyor", &[AREA])))
        .expect("enroll");
    let mut sup = TestDevice::new(http_transport(&url));
    sup.enroll(&reg.code(&reg.user("supervisor", &[AREA])))
        .expect("enroll");
    let id = a.add(1, AREA);
    a.set(id, "status", json!("complete"));
    a.sync();
    let token = |d: &TestDevice| d.store.kv_get(KEY_TOKEN).unwrap().unwrap();
    let (status, rows) = http(&url, "GET", "/v1/review", &token(&sup), None);
    assert_eq!(status, 200, "{rows}");
    assert_eq!(rows[0]["id"], json!(id.to_string()));
    assert_eq!(rows[0]["status"], json!("submitted"));
    let (status, rows) = http(
        &url,
        "GET",
        "/v1/review?status=approved",
        &token(&sup),
        None,
    );
    assert_eq!((status, rows), (200, json!([])));
    let (status, err) = http(&url, "GET", "/v1/review?status=done", &token(&sup), None);
    assert_eq!((status, err["code"].clone()), (400, json!("bad_request")));
    let path = format!("/v1/households/{id}/review");
    let ret = json!({"decision": "returned", "comment": "Check q01", "questions": ["q01"]});
    let (status, err) = http(&url, "POST", &path, &token(&a), Some(&ret));
    assert_eq!(
        (status, err["code"].clone()),
        (403, json!("forbidden")),
        "{err}"
    );
    let (status, done) = http(&url, "POST", &path, &token(&sup), Some(&ret));
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["status"], json!("returned"));
    assert_eq!(done["review"]["questions"], json!(["q01"]));
    let approve = json!({"decision": "approved"});
    let (status, err) = http(&url, "POST", &path, &token(&sup), Some(&approve));
    assert_eq!(
        (status, err["code"].clone()),
        (409, json!("forbidden_transition")),
        "{err}"
    );
    let (status, err) = http(
        &url,
        "POST",
        &path,
        &token(&sup),
        Some(&json!({"decision": "ok"})),
    );
    assert_eq!((status, err["code"].clone()), (400, json!("bad_request")));
    let (status, _) = http(&url, "POST", &path, "not-a-token", Some(&approve));
    assert_eq!(status, 401);
    a.sync();
    assert_eq!(on_device(&a, id).status, Status::Returned);
}
