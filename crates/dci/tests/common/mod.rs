//! What the DCI tests share: the vendored standard's schemas as JSON-schema validators, a signing
//! client, and a registry with the DCI routes served on loopback.

#![allow(dead_code)]

use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::Value;
use shumari_dci::DciStore;
use shumari_scenarios::TestRegistry;
use std::path::PathBuf;

pub fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("spec")
}

/// The social registry API's YAML as JSON, its `$ref`s made resolvable ([`fix_refs`]).
pub fn social_api() -> Value {
    let text = std::fs::read_to_string(spec_dir().join("social_api_v1.0.0.yaml")).unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut doc = serde_json::to_value(yaml).unwrap();
    let original = doc.clone();
    fix_refs(&original, &mut doc);
    doc
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Where `pointer` leads once every `$ref` met on the way is followed: the upstream document has
/// references that walk *through* other references (`.../message/oneOf/0/properties/...`, where
/// `oneOf/0` is itself a `$ref`), which JSON Pointer cannot follow (upstream's known defect). `None`
/// when it leads nowhere even so.
fn resolve_through(doc: &Value, pointer: &str) -> Option<String> {
    let mut path: Vec<String> = Vec::new();
    let mut node = doc;
    for token in pointer.trim_start_matches('/').split('/').map(unescape) {
        // Follow references until the node is a schema of its own.
        for _ in 0..16 {
            let Some(r) = node.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let target = r.strip_prefix('#')?;
            path = target
                .trim_start_matches('/')
                .split('/')
                .map(unescape)
                .collect();
            node = doc.pointer(target)?;
        }
        node = match node {
            Value::Object(m) => m.get(&token)?,
            Value::Array(a) => a.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
        path.push(token);
    }
    Some(path.iter().map(|t| format!("/{}", escape(t))).collect())
}

/// Rewrites each `$ref` of `doc` that JSON Pointer cannot follow to the place it means.
pub fn fix_refs(original: &Value, doc: &mut Value) {
    match doc {
        Value::Object(m) => {
            if let Some(Value::String(r)) = m.get_mut("$ref") {
                if let Some(p) = r.strip_prefix('#') {
                    if original.pointer(p).is_none() {
                        if let Some(fixed) = resolve_through(original, p) {
                            *r = format!("#{fixed}");
                        }
                    }
                }
            }
            for v in m.values_mut() {
                fix_refs(original, v);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| fix_refs(original, v)),
        _ => {}
    }
}

/// A validator for the schema at JSON pointer `pointer` of the standard's document: the document
/// itself is the root (so its internal `$ref`s resolve), with a `$ref` to the schema wanted.
pub fn validator(doc: &Value, pointer: &str) -> jsonschema::Validator {
    let mut root = doc.clone();
    root["$ref"] = format!("#{pointer}").into();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .build(&root)
        .unwrap_or_else(|e| panic!("schema at {pointer}: {e}"))
}

/// Every violation of `v` by `instance`, as `path: message`, sorted.
pub fn violations(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("{}: {}", e.instance_path(), e))
        .collect();
    out.sort();
    out
}

pub const SYNC_SEARCH_REQUEST: &str =
    "/paths/~1registry~1sync~1search/post/requestBody/content/application~1json/schema";
pub const SYNC_SEARCH_RESPONSE: &str =
    "/paths/~1registry~1sync~1search/post/responses/default/content/application~1json/schema";
pub const ON_SEARCH_REQUEST: &str =
    "/paths/~1registry~1on-search/post/requestBody/content/application~1json/schema";
pub const ON_STATUS_REQUEST: &str =
    "/paths/~1registry~1txn~1on-status/post/requestBody/content/application~1json/schema";
pub const ACK_RESPONSE: &str = "/components/responses/Response/content/application~1json/schema";

/// A system client's key.
pub fn key() -> Ed25519KeyPair {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).unwrap();
    Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap()
}

pub fn public(key: &Ed25519KeyPair) -> [u8; 32] {
    key.public_key().as_ref().try_into().unwrap()
}

/// `env` signed now by `client` with `key`.
pub fn signed(mut env: Value, client: &str, key: &Ed25519KeyPair) -> Value {
    let now = chrono::Utc::now().timestamp();
    env["signature"] = shumari_dci::signature::sign(&env, client, key, now, 300).into();
    env
}

/// The registry with the DCI routes, served on loopback; returns its base URL.
pub fn serve<S: DciStore>(reg: &TestRegistry<S>) -> String {
    let listener = reg
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let router = shumari_registry::app_with(
        reg.reg.clone(),
        shumari_dci::router(reg.reg.clone(), shumari_dci::DciConfig::default()),
    );
    reg.rt.spawn(async move {
        let _ = shumari_registry::launch_router(listener, router, std::future::pending()).await;
    });
    format!("http://{addr}")
}

/// A client's bearer token.
pub fn token(http: &reqwest::blocking::Client, base: &str, id: &str, secret: &str) -> String {
    let r = http
        .post(format!("{base}/oauth2/client/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().unwrap();
    assert_eq!(v["token_type"], "bearer");
    v["access_token"].as_str().unwrap().to_string()
}

/// POSTs `env` with `token`; returns the status and the JSON answer.
pub fn post(http: &reqwest::blocking::Client, url: &str, token: &str, env: &Value) -> (u16, Value) {
    let r = http.post(url).bearer_auth(token).json(env).send().unwrap();
    let status = r.status().as_u16();
    (status, r.json().unwrap_or(Value::Null))
}
