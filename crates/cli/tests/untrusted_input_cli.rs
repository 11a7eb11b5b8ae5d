//! Decompression bombs pushed to a real `shumari registry serve`: a few KiB on the wire that automerge
//! would inflate to more than a GiB are refused per household (`too_large`) while the other
//! households of the same push are stored, and the registry process's peak memory (VmHWM, read from
//! `/proc/<pid>/status` after the push) stays under 256 MiB. The request limits of the settings
//! file's `[limits]` table apply to a running registry.

use flate2::{Compress, Compression, FlushCompress};
use shumari_domain::HouseholdInput;
use shumari_store::Store;
use shumari_sync::codec::Writer;
use shumari_sync::engine::KEY_TOKEN;
use shumari_sync::proto::{DocOutcome, Message, PushDoc, PushRequest, PushResponse};
use shumari_sync::{Endpoint, HttpTransport, Options, Transport};
use std::io::Read;
use std::path::Path;
use uuid::Uuid;

mod common;
use common::{admin_text, sqlite_url as db_arg, Server, PIN};

fn serve(db: &Path, extra: &[&str]) -> Server {
    Server::loopback(&db_arg(db), extra)
}

fn admin(db: &Path, args: &[&str]) -> String {
    admin_text(&db_arg(db), args)
}
const AREA: &str = "PK10101";
const GIB: u64 = 1 << 30;

/// Peak resident memory of a process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/<pid>/status")
}

/// A raw DEFLATE stream of `n_mib` MiB of zeros, about 1 KiB per MiB: one compressed MiB, byte
/// aligned by a sync flush, repeated (each copy refers only to the zeros before it), then an empty
/// final block.
fn deflate_bomb(n_mib: usize) -> Vec<u8> {
    let mut c = Compress::new(Compression::best(), false);
    let zeros = vec![0u8; 1 << 20];
    let mut segment = Vec::with_capacity(1 << 16);
    c.compress_vec(&zeros, &mut segment, FlushCompress::Sync)
        .unwrap();
    assert_eq!(c.total_in(), zeros.len() as u64);
    let mut out = Vec::with_capacity(segment.len() * n_mib + 2);
    for _ in 0..n_mib {
        out.extend_from_slice(&segment);
    }
    out.extend_from_slice(&[0x03, 0x00]); // final block: fixed Huffman, end of block
    out
}

/// An automerge chunk of `kind` around `body` (the checksum is not checked before inflating): the
/// length is a LEB128 varint, the protocol codec's own.
fn chunk(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(kind);
    w.bytes(body);
    [&[0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0][..], &w.into_inner()].concat()
}

/// A compressed change chunk (type 2) whose body inflates to `deflated`'s size.
fn compressed_change(deflated: &[u8]) -> Vec<u8> {
    chunk(2, deflated)
}

/// A document chunk (type 0) with one deflated change column holding `deflated`.
fn document_with_deflated_column(deflated: &[u8]) -> Vec<u8> {
    let mut body = Writer::new();
    body.u8(0); // no actors
    body.u8(0); // no heads
    body.u8(1); // one change column: id 1, group, deflate bit
    body.varint(1 << 4 | 0x08);
    body.varint(deflated.len() as u64);
    body.u8(0); // no op columns
    let mut body = body.into_inner();
    body.extend_from_slice(deflated);
    chunk(0, &body)
}

fn household(n: u32) -> HouseholdInput {
    serde_json::from_value(serde_json::json!({
        "area": AREA,
        "answers": {"q01": format!("answer {n}")},
        "members": [{"name": format!("Head {n}"), "relation": "head", "sex": "female", "age": 40}],
    }))
    .expect("valid household")
}

#[test]
fn decompression_bombs_are_refused_per_household_and_the_registry_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let server = serve(&db, &[]);
    let user = admin(
        &db,
        &[
            "user",
            "add",
            "--name",
            "Bomb Test",
            "--role",
            "surveyor",
            "--area",
            AREA,
        ],
    );
    let code = admin(&db, &["enroll-code", "--user", &user]);
    let mut store = Store::create(&dir.path().join("device"), PIN).unwrap();
    let mut t = HttpTransport::new(&server.url).unwrap();
    shumari_sync::enroll(&mut store, &mut t, &server.url, &code, &Options::default()).unwrap();
    // One sync registers the store's actor (and pushes a first household).
    store
        .add_households(&[household(0)], None, "nser-household", "1")
        .unwrap();
    let r = shumari_sync::sync(&mut store, &mut t, &Options::default(), &mut |_| {}).unwrap();
    assert!(r.complete, "{r:?}");
    let before = peak_rss_kib(server.child.id());

    store
        .add_households(&[household(1), household(2)], None, "nser-household", "1")
        .unwrap();
    let ids: Vec<Uuid> = store.unsynced(10).unwrap().iter().map(|o| o.id).collect();
    // Signed by the device, as its engine sends them.
    let good: Vec<PushDoc> = shumari_sync::identity::outgoing_signed(&store, &ids)
        .unwrap()
        .into_iter()
        .map(|o| {
            let records = o
                .signatures
                .into_iter()
                .map(shumari_sync::identity::to_wire);
            PushDoc::raw(o.id, o.changes).signed(records.collect())
        })
        .collect();
    assert_eq!(good.len(), 2);

    let bomb = deflate_bomb(1024 + 16);
    let mut inflated = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    let mut d = flate2::read::DeflateDecoder::new(&bomb[..]);
    while let Ok(n @ 1..) = d.read(&mut buf) {
        inflated += n as u64;
    }
    assert!(inflated > GIB, "the bomb inflates to {inflated} bytes");
    let change_bomb = Uuid::new_v4();
    let column_bomb = Uuid::new_v4();
    let req = PushRequest {
        docs: vec![
            good[0].clone(),
            PushDoc::raw(change_bomb, compressed_change(&bomb)),
            good[1].clone(),
            PushDoc::raw(column_bomb, document_with_deflated_column(&bomb)),
        ],
        submissions: Vec::new(),
    };
    let body = req.encode();
    assert!(body.len() < 64 * 1024, "{} bytes on the wire", body.len());

    let token = store.kv_get(KEY_TOKEN).unwrap().expect("enrolled");
    let resp = t.call(Endpoint::Push, Some(&token), body).unwrap();
    let resp = PushResponse::decode(&resp).unwrap();
    let peak = peak_rss_kib(server.child.id());
    eprintln!("registry peak RSS: {before} KiB before the push, {peak} KiB after");
    assert!(peak < 256 * 1024, "registry peak RSS {peak} KiB");
    let outcome = |id: Uuid| {
        resp.results
            .iter()
            .find(|(x, _)| *x == id)
            .map(|(_, o)| o.clone())
            .expect("an outcome per household")
    };
    assert_eq!(outcome(good[0].id), DocOutcome::Accepted);
    assert_eq!(outcome(good[1].id), DocOutcome::Accepted);
    for id in [change_bomb, column_bomb] {
        match outcome(id) {
            DocOutcome::Refused(r) => {
                assert_eq!(r.code.as_str(), "too_large", "{r:?}");
                assert!(r.message.contains("inflates"), "{r:?}");
            }
            other => panic!("a bomb was {other:?}"),
        }
    }

    // The registry holds the good households and nothing of the bombs.
    let listed = admin(&db, &["household", "list", "--json"]);
    for d in &good {
        assert!(listed.contains(&d.id.to_string()), "{listed}");
    }
    for id in [change_bomb, column_bomb] {
        assert!(!listed.contains(&id.to_string()), "{listed}");
    }
}

#[test]
fn the_settings_files_request_limits_apply() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let config = dir.path().join("registry.toml");
    std::fs::write(
        &config,
        "[limits]\nper_token_per_minute = 1\ntoken_burst = 2\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let server = serve(&db, &["--config", config]);
    let user = admin(
        &db,
        &[
            "user",
            "add",
            "--name",
            "Limit Test",
            "--role",
            "surveyor",
            "--area",
            AREA,
        ],
    );
    let code = admin(&db, &["enroll-code", "--user", &user]);
    let mut store = Store::create(&dir.path().join("device"), PIN).unwrap();
    let mut t = HttpTransport::new(&server.url).unwrap();
    shumari_sync::enroll(&mut store, &mut t, &server.url, &code, &Options::default()).unwrap();
    let token = store.kv_get(KEY_TOKEN).unwrap().expect("enrolled");
    let empty = || {
        shumari_sync::proto::ActorsRequest {
            actors: Vec::new(),
            key: None,
        }
        .encode()
    };
    // Enrollment registered the device's key with one request of the burst of two.
    t.call(Endpoint::Actors, Some(&token), empty()).unwrap();
    match t.call(Endpoint::Actors, Some(&token), empty()) {
        Err(shumari_sync::TransportError::Throttled { code, .. }) => {
            assert_eq!(code, "rate_limited")
        }
        other => panic!("expected 429, got {other:?}"),
    }

    // A misspelt limit is the operator's mistake to fix: exit 2, naming the key.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[limits]\nper_token_per_hour = 5\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shumari"))
        .args([
            "registry",
            "enroll-code",
            "--user",
            &user,
            "--db",
            &db_arg(&db),
        ])
        .args(["--config", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("per_token_per_hour"),
        "{out:?}"
    );
}
