//! The gateways against what they write to: the file gateway's lines read back, and the HTTP gateway
//! against a real local HTTP server (axum on a loopback port) that records each request.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::routing::any;
use axum::Router;
use shumari_sms::{segments, FileGateway, Lang, Notice, SmsError, SmsSettings};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: String,
    auth: Option<String>,
    content_type: Option<String>,
    body: String,
}

type Log = Arc<Mutex<Vec<Seen>>>;

async fn record(
    State(log): State<Log>,
    method: Method,
    uri: Uri,
    h: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let header = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    log.lock().unwrap().push(Seen {
        method,
        uri: uri.to_string(),
        auth: header("x-api-key"),
        content_type: header("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    if uri.path() == "/fail" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    }
}

async fn server() -> (String, Log) {
    let log: Log = Arc::default();
    let app = Router::new().fallback(any(record)).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), log)
}

fn settings(toml_text: &str) -> SmsSettings {
    #[derive(serde::Deserialize)]
    struct File {
        sms: SmsSettings,
    }
    toml::from_str::<File>(toml_text).unwrap().sms
}

#[tokio::test]
async fn the_http_gateway_fills_the_url_template_with_encoded_values() {
    let (base, log) = server().await;
    let gw = settings(&format!(
        "[sms]\ngateway = \"http\"\nurl = \"{base}/send?to={{to}}&msg={{text}}\""
    ))
    .gateway()
    .unwrap()
    .unwrap();
    let text = Notice::GrievanceFiled {
        tracking: "GRV-PK603-000001".into(),
    }
    .text(Lang::Ur);
    gw.send("+923001234567", &text).await.unwrap();
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, Method::GET);
    let query = seen[0].uri.split_once('?').unwrap().1;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(
        pairs,
        vec![("to".into(), "+923001234567".into()), ("msg".into(), text)]
    );
}

#[tokio::test]
async fn the_http_gateway_posts_a_json_body_with_its_auth_header() {
    let (base, log) = server().await;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key");
    std::fs::write(&key, "s3cret-key\n").unwrap();
    let gw = settings(&format!(
        "[sms]\ngateway = \"http\"\nurl = \"{base}/v1/messages\"\nbody = '{{\"to\":\"{{to}}\",\"text\":\"{{text}}\"}}'\nbody_format = \"json\"\nauth_header = \"X-Api-Key\"\nauth_value_file = \"{}\"",
        key.display()
    ))
    .gateway()
    .unwrap()
    .unwrap();
    gw.send("03001234567", "Rs 9,000 \"paid\" {ok}")
        .await
        .unwrap();
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen[0].method, Method::POST);
    assert_eq!(seen[0].uri, "/v1/messages");
    assert_eq!(seen[0].auth.as_deref(), Some("s3cret-key"));
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    let v: serde_json::Value = serde_json::from_str(&seen[0].body).unwrap();
    assert_eq!(v["to"], "03001234567");
    assert_eq!(v["text"], "Rs 9,000 \"paid\" {ok}");
}

#[tokio::test]
async fn an_error_status_or_no_server_is_an_error_that_names_no_number() {
    let (base, _log) = server().await;
    let gw = settings(&format!(
        "[sms]\ngateway = \"http\"\nurl = \"{base}/fail?to={{to}}\""
    ))
    .gateway()
    .unwrap()
    .unwrap();
    let e = gw.send("03001234567", "hello").await.unwrap_err();
    assert!(matches!(e, SmsError::Status(503)), "{e}");
    let closed = settings("[sms]\ngateway = \"http\"\nurl = \"http://127.0.0.1:9/s?to={to}\"")
        .gateway()
        .unwrap()
        .unwrap();
    let e = closed.send("03001234567", "hello").await.unwrap_err();
    assert!(matches!(e, SmsError::Unreachable(_)));
    assert!(!e.to_string().contains("03001234567"));
}

#[tokio::test]
async fn the_file_gateway_appends_one_json_line_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sms.jsonl");
    let gw = settings(&format!(
        "[sms]\ngateway = \"file\"\nfile = \"{}\"",
        path.display()
    ))
    .gateway()
    .unwrap()
    .unwrap();
    let en = Notice::GrievanceResolved {
        tracking: "GRV-PK101-000002".into(),
    }
    .text(Lang::En);
    let ur = Notice::GrievanceResolved {
        tracking: "GRV-PK101-000002".into(),
    }
    .text(Lang::Ur);
    gw.send("03001111111", &en).await.unwrap();
    gw.send("03002222222", &ur).await.unwrap();
    let lines = FileGateway::read(&path).unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (
            lines[0].to.as_str(),
            lines[0].encoding.as_str(),
            lines[0].segments
        ),
        ("03001111111", "gsm7", 1)
    );
    assert_eq!(
        (
            lines[1].text.as_str(),
            lines[1].encoding.as_str(),
            lines[1].segments
        ),
        (ur.as_str(), "ucs2", 1)
    );
    assert_eq!(segments(&lines[1].text).units, ur.encode_utf16().count());
}

#[test]
fn unusable_settings_are_refused() {
    assert!(settings("[sms]\ngateway = \"file\"").gateway().is_err());
    assert!(settings("[sms]\ngateway = \"carrier-pigeon\"")
        .gateway()
        .is_err());
    assert!(
        settings("[sms]\ngateway = \"http\"\nurl = \"https://x/{to}\"\nauth_header = \"A\"")
            .gateway()
            .is_err()
    );
    assert!(settings("[sms]").gateway().unwrap().is_none());
}
