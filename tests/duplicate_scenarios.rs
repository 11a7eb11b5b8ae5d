//! The duplicates queue end to end: a second household carrying a member's CNIC opens a case in the
//! district's queue; neither household is approved while it is open; a supervisor keeps the member
//! in one household, the registry removes it from the other and the removal reaches the tablet on
//! its next sync; the households are approved afterwards. Refusals by role and area, dismissal and
//! data errors, and the HTTP routes. Each scenario runs on SQLite and on PostgreSQL.

use serde_json::{json, Value};
use shumari_domain::review::Decision;
use shumari_registry::service::{CaseState, DuplicateCase, Resolution};
use shumari_registry::{RegistryError, ReviewRequest, Storage};
use shumari_scenarios::on_both;
use shumari_scenarios::{http_transport, other_area, TestDevice, TestRegistry, AREA};
use shumari_sync::engine::KEY_TOKEN;
use std::io::{Read, Write};
use uuid::Uuid;

on_both!(
    a_shared_cnic_opens_a_case_that_blocks_approval_until_resolved,
    pg_a_shared_cnic_opens_a_case_that_blocks_approval_until_resolved,
    case_round_trip
);
on_both!(
    cases_are_dismissed_or_marked_data_errors_by_reviewers_in_their_areas,
    pg_cases_are_dismissed_or_marked_data_errors_by_reviewers_in_their_areas,
    refusals_and_other_closings
);
on_both!(
    possible_duplicates_need_alike_names_and_a_shared_attribute,
    pg_possible_duplicates_need_alike_names_and_a_shared_attribute,
    possible_duplicates
);
on_both!(
    a_case_blocks_approval_before_the_background_queue_reaches_it,
    pg_a_case_blocks_approval_before_the_background_queue_reaches_it,
    blocked_before_the_queue
);
on_both!(
    the_duplicates_routes_answer_json_for_the_console,
    pg_the_duplicates_routes_answer_json_for_the_console,
    http_routes
);

/// A member of household `id` on device `d` (the roster's `index`-th) and that member's id.
fn member(d: &TestDevice, id: Uuid, index: usize) -> shumari_domain::Member {
    d.store
        .get(&id.to_string())
        .expect("on the device")
        .household
        .members[index]
        .clone()
}

/// Household `of` (on `d`) whose member `index` carries `b`'s head's CNIC.
fn copy_cnic(d: &mut TestDevice, of: Uuid, index: usize, cnic: &str) {
    let m = member(d, of, index);
    d.set(of, &format!("members.{}.id_number", m.id), json!(cnic));
}

fn open_cases<S: Storage>(reg: &TestRegistry<S>) -> Vec<DuplicateCase> {
    reg.rt
        .block_on(reg.reg.duplicates_list(None, None, Some(CaseState::Open)))
        .expect("queue")
}

fn decide<S: Storage>(reg: &TestRegistry<S>, user: &str, id: Uuid) -> Result<(), RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        let req = ReviewRequest {
            decision: Decision::Approved,
            comment: String::new(),
            questions: Vec::new(),
        };
        reg.reg.review(&u, &id.to_string(), req).await.map(|_| ())
    })
}

fn resolve<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    case: &str,
    r: Resolution,
) -> Result<DuplicateCase, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.resolve_duplicate(&u, case, r).await
    })
}

fn head_cnic(d: &TestDevice, id: Uuid) -> String {
    member(d, id, 0)
        .id_number
        .expect("the head has a CNIC")
        .digits()
        .to_string()
}

fn case_round_trip<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let first = a.add(1, AREA);
    a.set(first, "status", json!("complete"));
    a.sync();
    assert!(open_cases(reg).is_empty(), "one household is no duplicate");
    let cnic = head_cnic(&a, first);
    // A second surveyor records a household whose third member carries the first head's CNIC.
    let second = b.add(2, AREA);
    copy_cnic(&mut b, second, 2, &cnic);
    b.set(second, "status", json!("complete"));
    let r = b.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    let cases = open_cases(reg);
    assert_eq!(cases.len(), 1, "{cases:?}");
    let case = &cases[0];
    assert_eq!(case.id_number, cnic);
    assert_eq!(case.area, "PK101", "queued in the district");
    let mut ids: Vec<Uuid> = case.households.iter().map(|h| h.id).collect();
    ids.sort();
    let mut want = vec![first, second];
    want.sort();
    assert_eq!(ids, want);
    assert!(case.households.iter().all(|h| h.household.is_some()));
    // Pushing again does not open the case twice.
    b.set(second, "answers.q05", json!("seen again"));
    b.sync();
    assert_eq!(open_cases(reg).len(), 1);
    // Neither household is approved while the case is open.
    for id in [first, second] {
        let e = decide(reg, &supervisor, id).expect_err("blocked by the open case");
        assert_eq!(e.code(), "forbidden_transition");
        assert!(e.to_string().contains(&case.id), "{e}");
    }
    // The supervisor keeps the person in the first household.
    let done = resolve(
        reg,
        &supervisor,
        &case.id,
        Resolution::Keep {
            household: first.to_string(),
            note: "Lives with her parents".into(),
        },
    )
    .expect("resolve");
    assert_eq!(done.state, CaseState::Resolved);
    assert_eq!(done.kept, Some(first));
    assert_eq!(done.closed_by.as_deref(), Some(supervisor.as_str()));
    assert_eq!(done.note.as_deref(), Some("Lives with her parents"));
    assert!(open_cases(reg).is_empty());
    // The removal reaches the second surveyor's tablet with the next sync.
    let r = b.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    let on_b = b.store.get(&second.to_string()).expect("on b").household;
    assert_eq!(on_b.members.len(), 5, "the member was removed");
    assert!(on_b
        .members
        .iter()
        .all(|m| m.id_number.as_ref().is_none_or(|n| n.digits() != cnic)));
    assert_eq!(
        reg.show(second)["members"].as_array().map(Vec::len),
        Some(5)
    );
    assert_eq!(reg.heads(), b.heads(), "the tablet converged");
    // The first household keeps its member.
    assert_eq!(reg.show(first)["members"].as_array().map(Vec::len), Some(6));
    // The scores follow the roster.
    let s = reg
        .rt
        .block_on(reg.reg.pmt_show(None, &second.to_string()))
        .expect("score");
    assert!(
        Some(s.scored_at) >= done.closed_at,
        "scored again once the member was removed"
    );
    // Both households are approved now.
    decide(reg, &supervisor, first).expect("approve first");
    decide(reg, &supervisor, second).expect("approve second");
    // The resolution is on the access trail, and closed cases stay listed as such.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 1000))
        .expect("trail");
    assert!(trail.iter().any(
        |r| r.action == "duplicates.resolve" && r.subject.as_deref() == Some(case.id.as_str())
    ));
    let closed = reg
        .rt
        .block_on(
            reg.reg
                .duplicates_list(None, None, Some(CaseState::Resolved)),
        )
        .expect("closed");
    assert_eq!(closed.len(), 1);
}

fn refusals_and_other_closings<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let surveyor = reg.user("surveyor", &[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let elsewhere = reg.user("supervisor", &[other_area().as_str()]);
    let one = a.add(1, AREA);
    let two = a.add(2, AREA);
    let three = a.add(3, AREA);
    let cnic_one = head_cnic(&a, one);
    let cnic_two = head_cnic(&a, two);
    copy_cnic(&mut a, two, 3, &cnic_one);
    copy_cnic(&mut a, three, 3, &cnic_two);
    a.sync();
    let cases = open_cases(reg);
    assert_eq!(cases.len(), 2, "{cases:?}");
    let case_of = |n: &str| {
        cases
            .iter()
            .find(|c| c.id_number == n)
            .expect("case")
            .id
            .clone()
    };
    let (c1, c2) = (case_of(&cnic_one), case_of(&cnic_two));
    let dismiss = || Resolution::Dismiss {
        note: "Twins".into(),
    };
    assert_eq!(
        resolve(reg, &surveyor, &c1, dismiss()).unwrap_err().code(),
        "forbidden",
        "a surveyor does not resolve cases"
    );
    assert_eq!(
        resolve(reg, &elsewhere, &c1, dismiss()).unwrap_err().code(),
        "not_found",
        "outside the supervisor's areas"
    );
    let in_other_area = reg
        .rt
        .block_on(async {
            let u = reg.reg.acting_user(&elsewhere).await?;
            reg.reg.duplicates_list(Some(&u), None, None).await
        })
        .expect("list");
    assert!(in_other_area.is_empty());
    assert_eq!(
        resolve(
            reg,
            &supervisor,
            &c1,
            Resolution::Keep {
                household: three.to_string(),
                note: String::new()
            }
        )
        .unwrap_err()
        .code(),
        "bad_request",
        "the kept household must be one of the case's"
    );
    let d = resolve(reg, &supervisor, &c1, dismiss()).expect("dismiss");
    assert_eq!(d.state, CaseState::Dismissed);
    let e = resolve(
        reg,
        &supervisor,
        &c2,
        Resolution::DataError {
            note: "Mistyped".into(),
        },
    )
    .expect("data error");
    assert_eq!(e.state, CaseState::DataError);
    assert_eq!(
        resolve(reg, &supervisor, &c2, dismiss())
            .unwrap_err()
            .code(),
        "forbidden_transition",
        "a closed case stays closed"
    );
    // Nothing was removed, and the same households do not open the case again.
    assert_eq!(reg.show(two)["members"].as_array().map(Vec::len), Some(6));
    a.set(two, "answers.q05", json!("again"));
    a.sync();
    assert!(open_cases(reg).is_empty());
    assert_eq!(reg.rt.block_on(reg.reg.scan_duplicates()).expect("scan"), 0);
    // A household new to the number does.
    let four = a.add(4, AREA);
    copy_cnic(&mut a, four, 2, &cnic_one);
    a.sync();
    let reopened = open_cases(reg);
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened[0].id_number, cnic_one);
}

fn blocked_before_the_queue<S: Storage>(reg: &mut TestRegistry<S>) {
    {
        let _rt = reg.rt.enter();
        reg.reg.spawn_queue();
    }
    let mut a = reg.device(&[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let one = a.add(1, AREA);
    let two = a.add(2, AREA);
    let cnic = head_cnic(&a, one);
    copy_cnic(&mut a, two, 2, &cnic);
    a.set(two, "status", json!("complete"));
    a.sync();
    // Right after the push, whether or not the queue has run yet.
    let e = decide(reg, &supervisor, two).expect_err("blocked");
    assert_eq!(e.code(), "forbidden_transition", "{e}");
    assert_eq!(open_cases(reg).len(), 1);
}

/// Household `n` on `d` with its head named `head`, the phone `phone` and a GPS point.
fn add_named(d: &mut TestDevice, n: u32, head: &str, phone: &str, gps: Option<(f64, f64)>) -> Uuid {
    let id = d.add(n, AREA);
    let m = member(d, id, 0);
    d.set(id, &format!("members.{}.name", m.id), json!(head));
    d.set(id, "answers.phone", json!(phone));
    if let Some((lat, lon)) = gps {
        d.set(id, "gps", json!({"lat": lat, "lon": lon, "accuracy": 5.0}));
    }
    id
}

fn possible_duplicates<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let mut b = reg.device(&[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let aslam = add_named(&mut a, 1, "Muhammad Aslam", "0300-1234567", None);
    // The same man, written in Urdu by another surveyor, with the phone in international form.
    let aslam_ur = add_named(&mut b, 2, "حاجی محمد اسلم", "+92 300 1234567", None);
    // Same phone, another man.
    add_named(&mut b, 3, "Muhammad Ali", "0300-1234567", None);
    // Same name, nothing else shared.
    add_named(
        &mut b,
        4,
        "Mohammad Aslam",
        "0333-7654321",
        Some((31.60, 74.40)),
    );
    // Same name spelled otherwise, 30 m away.
    let near_a = add_named(
        &mut a,
        5,
        "Ghulam Rasool",
        "0345-1111111",
        Some((31.5200, 74.3500)),
    );
    let near_b = add_named(
        &mut b,
        6,
        "Syed Ghulam Rasul",
        "0345-2222222",
        Some((31.5203, 74.3501)),
    );
    a.sync();
    b.sync();
    let list = |reg: &TestRegistry<S>| {
        reg.rt
            .block_on(reg.reg.possible_duplicates(None, AREA))
            .expect("possible")
    };
    let pairs = list(reg);
    let ids: Vec<(Uuid, Uuid, Vec<&str>)> = pairs
        .iter()
        .map(|p| {
            let mut x = [p.households[0].id, p.households[1].id];
            x.sort();
            (x[0], x[1], p.also.clone())
        })
        .collect();
    let pair = |x: Uuid, y: Uuid| if x < y { (x, y) } else { (y, x) };
    assert_eq!(ids.len(), 2, "{pairs:?}");
    let (x, y) = pair(aslam, aslam_ur);
    assert!(ids.contains(&(x, y, vec!["phone"])), "{ids:?}");
    let (x, y) = pair(near_a, near_b);
    assert!(ids.contains(&(x, y, vec!["gps"])), "{ids:?}");
    assert!(pairs.iter().all(|p| p.name_similarity >= 0.9));
    // Dismissed pairs are not listed again.
    reg.rt
        .block_on(async {
            let u = reg.reg.acting_user(&supervisor).await?;
            reg.reg
                .dismiss_possible_duplicate(&u, &near_a.to_string(), &near_b.to_string(), "Cousins")
                .await
        })
        .expect("dismiss");
    assert_eq!(list(reg).len(), 1);
}

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
    let one = a.add(1, AREA);
    let two = a.add(2, AREA);
    let cnic = head_cnic(&a, one);
    copy_cnic(&mut a, two, 1, &cnic);
    a.sync();
    let token = |d: &TestDevice| d.store.kv_get(KEY_TOKEN).unwrap().unwrap();
    let (status, cases) = http(&url, "GET", "/v1/duplicates", &token(&sup), None);
    assert_eq!(status, 200, "{cases}");
    assert_eq!(cases.as_array().map(Vec::len), Some(1), "{cases}");
    assert_eq!(cases[0]["id_number"], json!(cnic));
    assert_eq!(cases[0]["state"], json!("open"));
    let case = cases[0]["id"].as_str().expect("id").to_string();
    let (status, none) = http(
        &url,
        "GET",
        "/v1/duplicates?state=dismissed",
        &token(&sup),
        None,
    );
    assert_eq!((status, none), (200, json!([])));
    let (status, err) = http(
        &url,
        "GET",
        "/v1/duplicates?state=maybe",
        &token(&sup),
        None,
    );
    assert_eq!((status, err["code"].clone()), (400, json!("bad_request")));
    let path = format!("/v1/duplicates/{case}/resolve");
    let keep = json!({"resolution": "keep", "household": one.to_string()});
    let (status, err) = http(&url, "POST", &path, &token(&a), Some(&keep));
    assert_eq!(
        (status, err["code"].clone()),
        (403, json!("forbidden")),
        "{err}"
    );
    let (status, done) = http(&url, "POST", &path, &token(&sup), Some(&keep));
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["state"], json!("resolved"));
    assert_eq!(done["kept"], json!(one.to_string()));
    let (status, err) = http(&url, "POST", &path, &token(&sup), Some(&keep));
    assert_eq!(
        (status, err["code"].clone()),
        (409, json!("forbidden_transition"))
    );
    let (status, pairs) = http(
        &url,
        "GET",
        &format!("/v1/duplicates/possible?area={AREA}"),
        &token(&sup),
        None,
    );
    assert_eq!((status, pairs), (200, json!([])));
    let dismissal = json!({"a": one.to_string(), "b": two.to_string(), "note": "Neighbours"});
    let (status, ok) = http(
        &url,
        "POST",
        "/v1/duplicates/possible/dismiss",
        &token(&sup),
        Some(&dismissal),
    );
    assert_eq!(status, 200, "{ok}");
    let (status, _) = http(&url, "GET", "/v1/duplicates", "not-a-token", None);
    assert_eq!(status, 401);
    // The registry's score, over HTTP and in the household detail.
    let (status, score) = http(
        &url,
        "GET",
        &format!("/v1/households/{one}/pmt"),
        &token(&sup),
        None,
    );
    assert_eq!(status, 200, "{score}");
    assert_eq!(score["model_version"], json!("illustrative-v1"));
    let (status, detail) = http(
        &url,
        "GET",
        &format!("/v1/households/{one}"),
        &token(&sup),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(detail["pmt"]["score"], score["score"]);
    a.sync();
    assert_eq!(member_count(&a, two), 5);
}

fn member_count(d: &TestDevice, id: Uuid) -> usize {
    d.store
        .get(&id.to_string())
        .expect("on the device")
        .household
        .members
        .len()
}
