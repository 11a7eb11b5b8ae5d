//! The concurrency limit and the request timeout of the HTTP face, on the real router: a device that
//! starts an upload and stalls holds a slot until the timeout cuts it off with 408; with one slot, a
//! request arriving meanwhile waits its turn and is then served. (Rates and 429 are tested over real
//! HTTP in `tests/limits.rs`.)

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use shumari_registry::{app, Config, Registry, SqliteStorage};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_upload_holds_the_only_slot_until_the_timeout_cuts_it_off() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("registry.db")).unwrap();
    let mut config = Config::default();
    config.rate.max_concurrent = 1;
    config.rate.timeout = Duration::from_secs(3);
    let router = app(Arc::new(Registry::new(storage, config)));

    // A push whose body never finishes: the sender is kept and never closes.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(1);
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, std::io::Error>(b), rx))
    }));
    let stalled = Request::post("/v1/push")
        .header("content-length", "100000")
        .header("authorization", "Bearer nobody")
        .body(body)
        .unwrap();
    let a = tokio::spawn(router.clone().oneshot(stalled));
    // The channel holds one chunk: the second send returns once the handler has taken the first,
    // that is once the stalled request holds the slot.
    tx.send(Bytes::from_static(b"partial")).await.unwrap();
    tx.send(Bytes::from_static(b"more")).await.unwrap();

    // The second request arrives a second later, so its own timeout ends well after the first's.
    tokio::time::sleep(Duration::from_secs(1)).await;
    // (A list without a token: it needs a slot, then is refused. `/healthz` would not wait: the
    // monitoring routes sit outside the limits.)
    let list = Request::get("/v1/households").body(Body::empty()).unwrap();
    let mut b = tokio::spawn(router.clone().oneshot(list));
    assert!(
        tokio::time::timeout(Duration::from_millis(500), &mut b)
            .await
            .is_err(),
        "a second request waits while the only slot is held"
    );
    let a = a.await.unwrap().unwrap();
    assert_eq!(
        a.status(),
        StatusCode::REQUEST_TIMEOUT,
        "the stalled upload is cut off"
    );
    let b = b.await.unwrap().unwrap();
    assert_eq!(
        b.status(),
        StatusCode::UNAUTHORIZED,
        "the waiting request is then served"
    );
    drop(tx);
}
