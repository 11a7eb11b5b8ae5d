//! Data-quality flags end to end: tablets record paradata and sync households that trip each flag
//! (a short interview, no GPS, an inaccurate fix, a point far from its tehsil, too many households
//! by one surveyor in a day, identical asset answers, an edit after approval), and the registry lists
//! exactly those households, each with its reason, to a reader of the area and to no one outside
//! it. Each scenario runs on SQLite and on PostgreSQL (`pg_` + its name).

use chrono::{Duration, TimeZone, Utc};
use serde_json::json;
use shumari_domain::review::Decision;
use shumari_registry::service::{Flag, FlagKind};
use shumari_registry::{ReviewRequest, Storage};
use shumari_scenarios::{http_transport, on_both, other_area, TestDevice, TestRegistry, AREA};
use shumari_sync::engine::KEY_TOKEN;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use uuid::Uuid;

on_both!(
    households_tripping_each_flag_are_listed_with_their_reasons,
    pg_households_tripping_each_flag_are_listed_with_their_reasons,
    each_flag
);
on_both!(
    the_flags_route_answers_json_within_the_callers_areas,
    pg_the_flags_route_answers_json_within_the_callers_areas,
    http_route
);

/// A fix near the middle of the tehsil: household `n` a few hundred metres from the others.
fn near(n: u32) -> serde_json::Value {
    json!({"lat": 31.50 + f64::from(n % 7) * 0.002, "lon": 74.30 + f64::from(n % 5) * 0.002, "accuracy": 8.0})
}

/// Records an interview of `minutes` opened at `start` (what the field app records).
fn interview(d: &mut TestDevice, id: Uuid, start: chrono::DateTime<Utc>, minutes: i64) {
    d.store
        .edit_household(&id.to_string(), "paradata", |e| {
            e.interview_opened(start, "tablet-1")?;
            e.interview_completed(start + Duration::minutes(minutes))
        })
        .expect("paradata");
}

fn add_located(d: &mut TestDevice, n: u32, start: chrono::DateTime<Utc>) -> Uuid {
    let id = d.add(n, AREA);
    d.set(id, "gps", near(n));
    interview(d, id, start, 40);
    id
}

fn flags<S: Storage>(reg: &TestRegistry<S>, user: &str) -> Vec<Flag> {
    reg.rt
        .block_on(async {
            let u = reg.reg.acting_user(user).await?;
            reg.reg.flags_list(&u, None, None, 10_000).await
        })
        .expect("flags")
}

fn by_kind(flags: &[Flag]) -> BTreeMap<FlagKind, BTreeSet<Uuid>> {
    let mut out: BTreeMap<FlagKind, BTreeSet<Uuid>> = BTreeMap::new();
    for f in flags {
        out.entry(f.kind).or_default().insert(f.household);
    }
    out
}

fn each_flag<S: Storage>(reg: &mut TestRegistry<S>) {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 5, 0, 0).unwrap();
    let supervisor = reg.user("supervisor", &[AREA]);

    // Surveyor A: one household per flag judged on its own, and four that trip nothing.
    let mut a = reg.device(&[AREA]);
    let fine: Vec<Uuid> = (1..=4).map(|n| add_located(&mut a, n, t0)).collect();
    let short = a.add(5, AREA);
    a.set(short, "gps", near(5));
    interview(&mut a, short, t0 + Duration::hours(1), 6);
    let no_gps = a.add(6, AREA);
    interview(&mut a, no_gps, t0, 40);
    let inaccurate = add_located(&mut a, 7, t0);
    a.set(
        inaccurate,
        "gps",
        json!({"lat": 31.501, "lon": 74.301, "accuracy": 180.0}),
    );
    let far = add_located(&mut a, 8, t0);
    a.set(
        far,
        "gps",
        json!({"lat": 32.5, "lon": 74.3, "accuracy": 6.0}),
    );
    let approved = add_located(&mut a, 9, t0);
    a.set(approved, "status", json!("complete"));
    let r = a.sync();
    assert!(r.refused.is_empty(), "{r:?}");

    // Approved, then changed by a district officer's tablet (the one role that may).
    reg.rt
        .block_on(async {
            let u = reg.reg.acting_user(&supervisor).await?;
            let req = ReviewRequest {
                decision: Decision::Approved,
                comment: String::new(),
                questions: vec![],
            };
            reg.reg.review(&u, &approved.to_string(), req).await
        })
        .expect("approve");
    let before_edit = by_kind(&flags(reg, &supervisor));
    assert!(
        !before_edit
            .get(&FlagKind::EditedAfterApproval)
            .is_some_and(|s| s.contains(&approved)),
        "the approval alone is no edit"
    );
    let officer = reg.user("district", &[AREA]);
    let mut d = reg.device_for(&officer);
    d.sync();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    d.set(approved, "answers.q03", json!("Mohalla corrected"));
    let r = d.sync();
    assert!(r.refused.is_empty(), "{r:?}");

    // Surveyor B: 26 households on one day, one more than the default threshold.
    let mut b = reg.device(&[AREA]);
    let busy: Vec<Uuid> = (100..126).map(|n| add_located(&mut b, n, t0)).collect();
    b.sync();

    // Surveyor C: five households with the very same asset answers, one with other answers.
    let mut c = reg.device(&[AREA]);
    let assets =
        json!({"answers.assets": "tv fridge", "answers.has_livestock": "yes", "answers.cattle": 2});
    let mut alike = Vec::new();
    for n in 200..206 {
        let id = add_located(&mut c, n, t0);
        for (path, v) in assets.as_object().unwrap() {
            c.set(id, path, v.clone());
        }
        alike.push(id);
    }
    let different = alike.pop().unwrap();
    c.set(different, "answers.cattle", json!(7));
    c.sync();

    let listed = flags(reg, &supervisor);
    let got = by_kind(&listed);
    let set = |ids: &[Uuid]| ids.iter().copied().collect::<BTreeSet<_>>();
    let want: BTreeMap<FlagKind, BTreeSet<Uuid>> = [
        (FlagKind::ShortInterview, set(&[short])),
        (FlagKind::GpsMissing, set(&[no_gps])),
        (FlagKind::GpsInaccurate, set(&[inaccurate])),
        (FlagKind::GpsFar, set(&[far])),
        (FlagKind::ManyPerDay, set(&busy)),
        (FlagKind::IdenticalAssets, set(&alike)),
        (FlagKind::EditedAfterApproval, set(&[approved])),
    ]
    .into_iter()
    .collect();
    assert_eq!(got, want);
    for id in fine.iter().chain([&different]) {
        assert!(!listed.iter().any(|f| f.household == *id), "{id} is fine");
    }

    // Every flag has its reason in both languages.
    let reason = |id: Uuid, kind: FlagKind| {
        listed
            .iter()
            .find(|f| f.household == id && f.kind == kind)
            .map(|f| (f.reason_en.clone(), f.reason_ur.clone()))
            .expect("listed")
    };
    assert_eq!(
        reason(short, FlagKind::ShortInterview).0,
        "The interview took 6 minutes from first opening to completion; at least 15 are expected."
    );
    assert_eq!(
        reason(inaccurate, FlagKind::GpsInaccurate).0,
        "The GPS location is accurate only to 180 m; at most 50 m is accepted."
    );
    assert!(reason(far, FlagKind::GpsFar)
        .0
        .contains("km from the middle of tehsil PK10101"));
    assert!(reason(busy[0], FlagKind::ManyPerDay)
        .0
        .contains("recorded 26 households on 2026-03-02; more than 25 in a day is unusual."));
    assert!(reason(alike[0], FlagKind::IdenticalAssets)
        .0
        .contains("recorded 5 households with exactly the same answers"));
    for f in &listed {
        assert!(!f.reason_en.is_empty() && !f.reason_ur.is_empty());
    }

    // One kind at a time, and the household detail carries its flags and paradata.
    let only_far = reg
        .rt
        .block_on(async {
            let u = reg.reg.acting_user(&supervisor).await?;
            reg.reg
                .flags_list(&u, Some(AREA), Some(FlagKind::GpsFar), 100)
                .await
        })
        .expect("flags");
    assert_eq!(only_far.len(), 1);
    let detail = reg.show(short);
    assert_eq!(detail["flags"][0]["kind"], json!("short_interview"));
    assert_eq!(detail["paradata"]["device_id"], json!("tablet-1"));

    // A fix makes the flag go: the inaccurate household gets a good fix.
    a.set(
        inaccurate,
        "gps",
        json!({"lat": 31.501, "lon": 74.301, "accuracy": 5.0}),
    );
    a.sync();
    let after = by_kind(&flags(reg, &supervisor));
    assert!(!after.contains_key(&FlagKind::GpsInaccurate));

    // The home page's count, and nothing for a reader of another area.
    let count = reg
        .rt
        .block_on(async {
            let u = reg.reg.acting_user(&supervisor).await?;
            reg.reg.flagged_count(&u).await
        })
        .expect("count");
    let flagged: BTreeSet<Uuid> = flags(reg, &supervisor)
        .iter()
        .map(|f| f.household)
        .collect();
    assert_eq!(count, flagged.len() as u64);
    let elsewhere = reg.user("supervisor", &[other_area().as_str()]);
    assert!(flags(reg, &elsewhere).is_empty());
}

fn get(url: &str, path: &str, token: &str) -> (u16, serde_json::Value) {
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
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
    (
        status,
        serde_json::from_str(text).unwrap_or(serde_json::Value::Null),
    )
}

fn http_route<S: Storage>(reg: &mut TestRegistry<S>) {
    let url = reg.serve_http();
    let enrolled = |role: &str, area: &str| {
        let mut d = TestDevice::new(http_transport(&url));
        d.enroll(&reg.code(&reg.user(role, &[area])))
            .expect("enroll");
        d
    };
    let mut a = enrolled("surveyor", AREA);
    let sup = enrolled("supervisor", AREA);
    let elsewhere = enrolled("supervisor", &other_area());
    let id = a.add(1, AREA);
    a.sync();
    let token = |d: &TestDevice| d.store.kv_get(KEY_TOKEN).unwrap().unwrap();

    let (status, rows) = get(&url, "/v1/flags", &token(&sup));
    assert_eq!(status, 200, "{rows}");
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(rows[0]["household"], json!(id.to_string()));
    assert_eq!(rows[0]["kind"], json!("gps_missing"));
    assert_eq!(
        rows[0]["reason_en"],
        json!("No GPS location was recorded for the dwelling.")
    );
    assert_eq!(
        rows[0]["reason_ur"],
        json!("گھر کا جی پی ایس مقام درج نہیں کیا گیا۔")
    );
    let (status, rows) = get(
        &url,
        &format!("/v1/flags?area={AREA}&kind=short_interview"),
        &token(&sup),
    );
    assert_eq!((status, rows), (200, json!([])));
    let (status, err) = get(&url, "/v1/flags?kind=nope", &token(&sup));
    assert_eq!((status, err["code"].clone()), (400, json!("bad_request")));
    let (status, rows) = get(&url, "/v1/flags", &token(&elsewhere));
    assert_eq!((status, rows), (200, json!([])));
    let (status, _) = get(&url, "/v1/flags", "not-a-token");
    assert_eq!(status, 401);
}
