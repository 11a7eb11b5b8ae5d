//! Devices and users that can be cut off, over real HTTP, on SQLite and on PostgreSQL (`pg_` + the
//! name; the conformance pattern of `sync_scenarios.rs`): a revoked device is refused with 401
//! `revoked` on every authenticated endpoint and its sync stops with `SyncError::Revoked`, its
//! households kept; a disabled user's devices and unused codes are refused; an expired token is refused
//! with `expired`; rotation keeps a device syncing round after round while every replaced token dies,
//! also when the answer carrying a new token is lost or the link cuts the exchange anywhere; the device list shows what happened, and every
//! admin action and refusal is in the access audit trail.

use shumari_registry::{Config, Registry, Storage};
use shumari_scenarios::faults::{FaultConfig, FaultProxy};
use shumari_scenarios::on_both;
use shumari_scenarios::{http_transport, TestDevice, TestRegistry, AREA};
use shumari_sync::engine::{KEY_DEVICE, KEY_TOKEN};
use shumari_sync::proto::{
    ActorsRequest, CheckRequest, Cursor, Message, PullRequest, PushRequest, TokenRequest,
    TokenResponse,
};
use shumari_sync::{Endpoint, Retry, SyncError, TransportError};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

/// A valid request frame for every endpoint that needs a token. The match has no catch-all, so an
/// endpoint added later does not compile here until this test covers it.
fn frame_for(ep: Endpoint) -> Option<Vec<u8>> {
    Some(match ep {
        Endpoint::Enroll => return None,
        Endpoint::Actors => ActorsRequest {
            actors: vec![vec![7; 16]],
            key: None,
        }
        .encode(),
        Endpoint::Push => PushRequest {
            docs: vec![],
            submissions: Vec::new(),
        }
        .encode(),
        Endpoint::Pull => PullRequest {
            cursor: Cursor::default(),
            max_bytes: 65_536,
            digest: [0; 8],
            assignments: false,
            signatures: false,
            bundle_key: false,
            forms: false,
            held_forms: Vec::new(),
            reviews_after: None,
        }
        .encode(),
        Endpoint::Check => CheckRequest {
            buckets: vec![0],
            docs: vec![],
            signatures: false,
        }
        .encode(),
        Endpoint::Token => TokenRequest.encode(),
        Endpoint::HubDevices => shumari_proto::message::HubDevicesRequest::default().encode(),
        Endpoint::HubDirectory => shumari_proto::message::HubDirectoryRequest::default().encode(),
    })
}

const ENDPOINTS: [Endpoint; 8] = [
    Endpoint::Enroll,
    Endpoint::Actors,
    Endpoint::Push,
    Endpoint::Pull,
    Endpoint::Check,
    Endpoint::Token,
    Endpoint::HubDevices,
    Endpoint::HubDirectory,
];

/// `GET path` with a bearer token over plain HTTP: (status, body).
fn http_get(url: &str, path: &str, token: &str) -> (u16, String) {
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
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    (status, body)
}

/// What every authenticated route answers `token` with: (route, status, code).
fn every_route(url: &str, token: &str, household: uuid::Uuid) -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    let mut t = http_transport(url);
    for ep in ENDPOINTS {
        let Some(body) = frame_for(ep) else { continue };
        let (status, code) = match t.call(ep, Some(token), body) {
            Ok(_) => (200, "ok".to_string()),
            Err(TransportError::Rejected { status, code, .. }) => (status, code),
            Err(e) => panic!("{}: {e}", ep.path()),
        };
        out.push((ep.path().to_string(), status, code));
    }
    for path in [
        "/v1/households".to_string(),
        format!("/v1/households/{household}"),
    ] {
        let (status, body) = http_get(url, &path, token);
        let code = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["code"].as_str().map(str::to_string))
            .unwrap_or_else(|| "ok".into());
        out.push((path, status, code));
    }
    out
}

fn token(d: &TestDevice) -> String {
    d.store.kv_get(KEY_TOKEN).unwrap().unwrap()
}

fn device_id(d: &TestDevice) -> String {
    d.store.kv_get(KEY_DEVICE).unwrap().unwrap()
}

/// A device enrolled over HTTP for `user`.
fn http_device<S: Storage>(reg: &TestRegistry<S>, url: &str, user: &str) -> TestDevice {
    let mut d = TestDevice::new(http_transport(url));
    d.enroll(&reg.code(user)).expect("enroll");
    d
}

fn audit_actions<S: Storage>(reg: &TestRegistry<S>) -> Vec<String> {
    reg.rt
        .block_on(reg.reg.access_audit(0, 1000))
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

fn states<S: Storage>(reg: &TestRegistry<S>) -> Vec<(String, String)> {
    reg.rt
        .block_on(reg.reg.device_list())
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.state.to_string()))
        .collect()
}

/// A revoked device is refused on every endpoint; its households stay on it; others sync on.
fn revoked_device_is_refused_everywhere<S: Storage>(reg: &mut TestRegistry<S>) {
    let url = reg.serve_http();
    let user = reg.user("surveyor", &[AREA]);
    let mut a = http_device(reg, &url, &user);
    let mut b = http_device(reg, &url, &user);
    let synced = a.add(1, AREA);
    assert_eq!(a.sync().pushed, 1);
    // While it is trusted, every route answers it.
    for (route, status, code) in every_route(&url, &token(&a), synced) {
        if route == Endpoint::HubDevices.path() || route == Endpoint::HubDirectory.path() {
            // Only a hub registers tablets; a tablet is refused for its role, not its trust.
            assert_eq!((status, code.as_str()), (403, "forbidden"), "{route}");
        } else {
            assert_eq!(status, 200, "{route} before revocation: {code}");
        }
    }
    let kept = a.add(2, AREA);
    reg.rt
        .block_on(reg.reg.revoke_device(&device_id(&a)))
        .unwrap();
    let answers = every_route(&url, &token(&a), synced);
    assert_eq!(answers.len(), 9, "every authenticated route was tried");
    for (route, status, code) in answers {
        assert_eq!((status, code.as_str()), (401, "revoked"), "{route}");
    }
    assert!(matches!(a.try_sync(), Err(SyncError::Revoked(_))));
    // What was not synced stays on the device, readable.
    assert_eq!(a.store.unsynced_count().unwrap(), 1);
    assert!(a.store.get(&kept.to_string()).is_ok());
    // Another device of the same user syncs on.
    assert_eq!(b.sync().pulled, 1);
    let st = states(reg);
    assert!(st.contains(&(device_id(&a), "revoked".into())), "{st:?}");
    assert!(st.contains(&(device_id(&b), "active".into())), "{st:?}");
    let actions = audit_actions(reg);
    assert!(
        actions.contains(&"device.revoke".to_string()),
        "{actions:?}"
    );
    assert!(actions.contains(&"auth.revoked".to_string()), "{actions:?}");
    assert!(actions.contains(&"device.list".to_string()), "{actions:?}");
    let rows = reg.rt.block_on(reg.reg.access_audit(0, 1000)).unwrap();
    let refused = rows.iter().find(|r| r.action == "auth.revoked").unwrap();
    assert_eq!(
        (refused.actor.as_str(), refused.subject.as_deref()),
        (user.as_str(), Some(device_id(&a).as_str()))
    );
    assert_eq!(refused.detail.as_deref(), Some("device_revoked"));
    assert!(
        !format!("{rows:?}").contains(&token(&a)),
        "a token reached the trail"
    );
    assert!(matches!(
        reg.rt.block_on(reg.reg.revoke_device("no-such-device")),
        Err(shumari_registry::RegistryError::NotFound(_))
    ));
}

/// Disabling a user cuts off all their devices and cancels their unused codes; nobody else's.
fn disabled_user_is_cut_off<S: Storage>(reg: &mut TestRegistry<S>) {
    let url = reg.serve_http();
    let user = reg.user("surveyor", &[AREA]);
    let other = reg.user("surveyor", &[AREA]);
    let mut a = http_device(reg, &url, &user);
    let mut b = http_device(reg, &url, &user);
    let mut c = http_device(reg, &url, &other);
    let unused = reg.code(&user);
    a.add(1, AREA);
    a.sync();
    let done = reg.rt.block_on(reg.reg.disable_user(&user)).unwrap();
    assert_eq!((done.devices, done.codes), (2, 1));
    for d in [&mut a, &mut b] {
        assert!(matches!(d.try_sync(), Err(SyncError::Revoked(_))));
    }
    assert_eq!(c.sync().pulled, 1, "another user's device is not touched");
    let mut late = TestDevice::new(http_transport(&url));
    assert!(late.enroll(&unused).is_err(), "an unused code died");
    assert!(
        reg.rt.block_on(reg.reg.enroll_code(&user)).is_err(),
        "no new code for a disabled user"
    );
    let st = states(reg);
    assert_eq!(
        st.iter().filter(|(_, s)| s == "user_disabled").count(),
        2,
        "{st:?}"
    );
    assert!(audit_actions(reg).contains(&"user.disable".to_string()));
}

/// A token older than the registry's token lifetime is refused with `expired`. The same database is
/// served a second time with a lifetime of zero seconds: every token is past it, no clock is waited on.
fn expired_token_is_refused<S: Storage + Clone>(reg: &mut TestRegistry<S>) {
    let url = reg.serve_http();
    let user = reg.user("surveyor", &[AREA]);
    let mut d = http_device(reg, &url, &user);
    let id = d.add(1, AREA);
    d.sync();
    let strict = Arc::new(Registry::new(
        reg.reg.storage.clone(),
        Config {
            token_ttl_secs: 0,
            ..Config::default()
        },
    ));
    let listener = reg
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let strict_url = format!("http://{}", listener.local_addr().unwrap());
    let served = strict.clone();
    reg.rt.spawn(async move {
        let _ = shumari_registry::launch(listener, served, std::future::pending()).await;
    });
    for (route, status, code) in every_route(&strict_url, &token(&d), id) {
        assert_eq!((status, code.as_str()), (401, "expired"), "{route}");
    }
    d.transport = http_transport(&strict_url);
    d.add(2, AREA);
    assert!(matches!(d.try_sync(), Err(SyncError::Expired(_))));
    assert_eq!(d.store.unsynced_count().unwrap(), 1, "the household stays");
    let listed = reg.rt.block_on(strict.device_list()).unwrap();
    assert_eq!(listed[0].state, "expired");
    // Under the usual lifetime the same token is still good.
    d.transport = http_transport(&url);
    assert_eq!(d.sync().pushed, 1);
    assert!(audit_actions(reg).contains(&"auth.expired".to_string()));
}

/// Rotation on every round: the device syncs on, each replaced token dies once the new one is used,
/// and a new token lost on the way locks nothing out.
fn rotation_keeps_syncing<S: Storage>(reg: &mut TestRegistry<S>) {
    let url = reg.serve_http();
    let user = reg.user("surveyor", &[AREA]);
    let mut d = http_device(reg, &url, &user);
    let mut peer = http_device(reg, &url, &user);
    d.options.rotate_after = Duration::ZERO;
    let mut dead = vec![token(&d)];
    for n in 0..4 {
        let id = d.add(n, AREA);
        let r = d.sync();
        assert_eq!(r.pushed, 1, "round {n}: {r:?}");
        let now = token(&d);
        assert!(!dead.contains(&now), "round {n}: the token was replaced");
        for old in &dead {
            let answers = every_route(&url, old, id);
            for (route, status, code) in answers {
                assert_eq!((status, code.as_str()), (401, "unauthorized"), "{route}");
            }
        }
        dead.push(now);
    }
    // The registry issues a new token but the answer is lost: the device still holds its token.
    let held = token(&d);
    let mut t = http_transport(&url);
    let lost = TokenResponse::decode(
        &t.call(Endpoint::Token, Some(&held), TokenRequest.encode())
            .expect("rotated"),
    )
    .unwrap()
    .token;
    let id = d.add(10, AREA);
    assert_eq!(d.sync().pushed, 1, "the held token still works");
    let now = token(&d);
    assert!(now != held && now != lost);
    for old in [&held, &lost] {
        let (_, status, code) = every_route(&url, old, id).remove(2);
        assert_eq!((status, code.as_str()), (401, "unauthorized"));
    }
    assert_eq!(peer.sync().pulled, 5, "everything arrived");
    let listed = reg.rt.block_on(reg.reg.device_list()).unwrap();
    assert!(listed.iter().all(|x| x.state == "active"), "{listed:?}");
    assert!(
        listed.iter().all(|x| x.last_seen_at.is_some()),
        "{listed:?}"
    );
}

/// Rotation on every round through a link that cuts connections at random points (seeded), token
/// exchanges included: no round is ever refused, and once the link is clean everything arrives.
fn rotation_survives_a_cutting_link<S: Storage>(reg: &mut TestRegistry<S>) {
    let url = reg.serve_http();
    let user = reg.user("surveyor", &[AREA]);
    let mut d = http_device(reg, &url, &user);
    let mut peer = http_device(reg, &url, &user);
    // Requests and answers of a token exchange are a few hundred bytes with their HTTP headers: cut
    // within them.
    let proxy = FaultProxy::start(
        reg.rt.handle(),
        url.trim_start_matches("http://").parse().unwrap(),
        0x7013_2026,
        FaultConfig {
            max_cuts: 40,
            max_cut_up: 400,
            max_cut_down: 300,
            ..FaultConfig::default()
        },
    );
    d.transport = http_transport(&proxy.url());
    d.options.rotate_after = Duration::ZERO;
    d.options.retry = Retry {
        attempts: 3,
        base: Duration::from_millis(1),
        max: Duration::from_millis(5),
    };
    let mut tokens = vec![token(&d)];
    for n in 0..20 {
        d.add(n, AREA);
        match d.try_sync() {
            Ok(_) | Err(SyncError::Transport(TransportError::Unreachable(_))) => {}
            Err(e) => panic!("round {n} was refused: {e}"),
        }
        tokens.push(token(&d));
    }
    let stats = proxy.stats();
    assert!(stats.cuts_up > 0 && stats.cuts_down > 0, "{stats:?}");
    proxy.set_faults(false);
    let r = d.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(d.store.unsynced_count().unwrap(), 0);
    assert_eq!(peer.sync().pulled, 20);
    tokens.dedup();
    assert!(tokens.len() > 5, "tokens rotated: {}", tokens.len());
    let current = token(&d);
    for old in tokens.iter().filter(|t| **t != current) {
        let mut t = http_transport(&url);
        let refused = t.call(Endpoint::Token, Some(old), TokenRequest.encode());
        assert!(
            matches!(&refused, Err(TransportError::Rejected { status: 401, .. })),
            "a replaced token still works"
        );
    }
}

on_both!(
    a_revoked_device_is_refused_on_every_endpoint,
    pg_a_revoked_device_is_refused_on_every_endpoint,
    revoked_device_is_refused_everywhere
);
on_both!(
    a_disabled_users_devices_and_codes_are_refused,
    pg_a_disabled_users_devices_and_codes_are_refused,
    disabled_user_is_cut_off
);
on_both!(
    an_expired_token_is_refused,
    pg_an_expired_token_is_refused,
    expired_token_is_refused
);
on_both!(
    rotation_keeps_a_device_syncing_and_kills_replaced_tokens,
    pg_rotation_keeps_a_device_syncing_and_kills_replaced_tokens,
    rotation_keeps_syncing
);
on_both!(
    rotation_survives_a_link_that_cuts_token_exchanges,
    pg_rotation_survives_a_link_that_cuts_token_exchanges,
    rotation_survives_a_cutting_link
);
