//! The monitoring face of the registry on the real router, for both backends: `/healthz` answers
//! without a database, `/readyz` says whether the database answers with the schema this build
//! needs, `/metrics` counts requests by route template (never a path's id nor a query's CNIC),
//! errors by code, protocol exchanges, and is answered only to a loopback peer or to the metrics
//! token; every answer carries an `x-request-id`, a caller's own id kept.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use pg::PgCluster;
use sha2::{Digest, Sha256};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::{app, Config, Registry, SqliteStorage, Storage};
use std::net::SocketAddr;
use std::sync::Arc;
use tower::ServiceExt;

async fn call(router: &axum::Router, req: Request<Body>) -> (StatusCode, String, Option<String>) {
    let resp = router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let id = resp
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_string());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), id)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// A request as if it came over a socket from `peer`.
fn get_from(path: &str, peer: &str) -> Request<Body> {
    let mut r = get(path);
    r.extensions_mut()
        .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    r
}

/// Everything but the schema check, on one backend.
async fn monitoring_answers<S: Storage>(storage: S) {
    let router = app(Arc::new(Registry::new(storage, Config::default())));

    let (status, body, id) = call(&router, get("/healthz")).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"status":"ok"}"#)
    );
    assert!(id.is_some_and(|i| i.len() >= 32), "a request id is made");

    let (status, body, _) = call(&router, get("/readyz")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains(r#""status":"ready""#), "{body}");

    // A caller's own request id is kept (a proxy in front sets one).
    let mut r = get("/healthz");
    r.headers_mut()
        .insert("x-request-id", "proxy-abc-123".parse().unwrap());
    assert_eq!(call(&router, r).await.2.as_deref(), Some("proxy-abc-123"));

    // Requests with ids and CNICs in them: only route templates may reach the labels.
    let cnic = "35202-1234567-1";
    call(&router, get(&format!("/v1/households?cnic={cnic}"))).await;
    call(&router, get(&format!("/v1/households/{cnic}"))).await;
    call(&router, get("/no/such/page")).await;
    let push = Request::post("/v1/push")
        .body(Body::from(vec![0u8; 3]))
        .unwrap();
    let (status, _, _) = call(&router, push).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a malformed frame");

    // Metrics: refused to a peer on the network, answered to one on this machine.
    let (status, body, _) = call(&router, get_from("/metrics", "10.1.2.3:5000")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body.contains(r#""code":"unauthorized""#));
    let (status, text, _) = call(&router, get_from("/metrics", "127.0.0.1:5000")).await;
    assert_eq!(status, StatusCode::OK);
    for want in [
        r#"shumari_http_requests_total{method="GET",route="/healthz",status="200"} 2"#,
        r#"shumari_http_requests_total{method="GET",route="/v1/households",status="401"} 1"#,
        r#"shumari_http_requests_total{method="GET",route="/v1/households/{id}",status="401"} 1"#,
        r#"shumari_http_requests_total{method="GET",route="other",status="404"} 1"#,
        r#"shumari_http_requests_total{method="POST",route="/v1/push",status="400"} 1"#,
        r#"shumari_http_errors_total{code="unauthorized"} 2"#,
        r#"shumari_http_errors_total{code="bad_request"} 1"#,
        "shumari_http_request_duration_seconds_bucket",
        "shumari_households_ingested_total 0",
        "shumari_sync_rounds_total 0",
        "shumari_db_connections ",
    ] {
        assert!(text.contains(want), "metrics lack {want}:\n{text}");
    }
    assert!(!text.contains(cnic) && !text.contains("/no/such"), "{text}");
}

#[tokio::test]
async fn sqlite_registry_answers_health_readiness_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    monitoring_answers(SqliteStorage::open(&dir.path().join("r.db")).unwrap()).await;
}

#[test]
fn postgres_registry_answers_health_readiness_and_metrics() {
    let pg = PgCluster::shared();
    let url = pg.database();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        monitoring_answers(PgStorage::connect_with(&url, 2).await.unwrap()).await;
    });
}

#[tokio::test]
async fn readiness_fails_while_the_database_schema_is_not_this_builds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let router = app(Arc::new(Registry::new(
        SqliteStorage::open(&path).unwrap(),
        Config::default(),
    )));
    // Another build migrated the database further while this one serves.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) \
             VALUES (99, 'future', '2030-01-01T00:00:00Z', '0')",
            [],
        )
        .unwrap();
    let (status, body, _) = call(&router, get("/readyz")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains(r#""code":"not_ready""#), "{body}");
    assert!(body.contains("version 99"), "{body}");
    // Alive all the same: a restart is for the operator to decide.
    assert_eq!(call(&router, get("/healthz")).await.0, StatusCode::OK);
}

#[tokio::test]
async fn metrics_with_a_token_need_it_even_on_this_machine() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        metrics_token: Some(Sha256::digest(b"scrape-token-0123456789").into()),
        ..Config::default()
    };
    let router = app(Arc::new(Registry::new(
        SqliteStorage::open(&dir.path().join("r.db")).unwrap(),
        config,
    )));
    let with = |token: &str| {
        let mut r = get_from("/metrics", "127.0.0.1:9");
        r.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        r
    };
    assert_eq!(
        call(&router, get_from("/metrics", "127.0.0.1:9")).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        call(&router, with("wrong-token-0123456789")).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, text, _) = call(&router, with("scrape-token-0123456789")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("# TYPE shumari_http_requests_total counter"));
}
