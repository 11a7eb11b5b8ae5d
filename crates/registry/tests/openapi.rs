//! The OpenAPI document and the router agree: every (method, path) of the registry's route table
//! is described, every described operation is routed, and each described path is answered by the
//! real router (never axum's bare 404 or a 405). `/openapi.json` is served without a token, is
//! OpenAPI 3.1, and carries no personal data.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use shumari_registry::http::openapi::spec;
use shumari_registry::http::route_table;
use shumari_registry::{app, Config, Registry, SqliteStorage};
use std::collections::BTreeSet;
use std::sync::Arc;
use tower::ServiceExt;

/// The (METHOD, path) pairs the document describes.
fn described() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(spec()).expect("document as JSON");
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete", "head", "options"] {
            if item.get(method).is_some() {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

fn routed() -> BTreeSet<(String, String)> {
    route_table::<SqliteStorage>()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

#[test]
fn every_route_is_described_and_every_description_is_routed() {
    let described = described();
    let routed = routed();
    let undocumented: Vec<_> = routed.difference(&described).collect();
    let unrouted: Vec<_> = described.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "operations the router does not have: {unrouted:?}"
    );
    // The table is not trivially empty: the protocol, the JSON routes and the document itself.
    for want in [
        ("POST", "/v1/push"),
        ("GET", "/v1/households/{id}"),
        ("GET", "/openapi.json"),
    ] {
        assert!(routed.contains(&(want.0.to_string(), want.1.to_string())));
    }
}

#[tokio::test]
async fn every_described_path_is_answered_by_the_router() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("r.db")).unwrap();
    let router = app(Arc::new(Registry::new(storage, Config::default())));
    for (method, path) in described() {
        // Path parameters get a value that names nothing; the route must still be the one matched.
        let concrete = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    "no-such-thing"
                } else {
                    seg
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&concrete)
            .header("content-type", "application/json")
            .body(Body::from("{}"))
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_ne!(
            status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path} is described but the router has no such method"
        );
        // A handler's 404 is JSON `{code, message}`; the router's own is empty.
        assert!(
            !(status == StatusCode::NOT_FOUND && body.is_empty()),
            "{method} {path} is described but the router has no such path"
        );
    }
}

#[tokio::test]
async fn the_document_is_served_without_a_token_and_is_openapi_3_1() {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("r.db")).unwrap();
    let router = app(Arc::new(Registry::new(storage, Config::default())));
    let resp = router
        .oneshot(Request::get("/openapi.json").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    let doc: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(
        doc,
        serde_json::to_value(spec()).unwrap(),
        "the served document is the spec"
    );
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    // The protocol's frames are binary, described with a pointer to the protocol's documentation.
    let push = &doc["paths"]["/v1/push"]["post"];
    let body = &push["requestBody"]["content"]["application/octet-stream"];
    assert!(body.is_object(), "{push}");
    assert!(
        push["requestBody"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("crates/proto")),
        "{push}"
    );
    // The JSON routes name their types, and authenticated routes their token.
    assert_eq!(
        doc["paths"]["/v1/households"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["items"]["$ref"],
        "#/components/schemas/HouseholdSummary"
    );
    assert!(doc["components"]["securitySchemes"]["device_token"].is_object());
    assert!(doc["paths"]["/v1/households"]["get"]["security"].is_array());
    assert!(doc["paths"]["/openapi.json"]["get"]["security"].is_null());
}

/// A real list row and error answer fit the schemas the document gives them.
#[test]
fn answers_fit_their_schemas() {
    let doc = serde_json::to_value(spec()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let row = &schemas["HouseholdSummary"];
    let required: BTreeSet<&str> = row["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    for field in [
        "id",
        "ref",
        "area",
        "member_count",
        "status",
        "conflict_count",
        "updated_at",
    ] {
        assert!(required.contains(field), "{field} required: {row}");
    }
    assert!(row["properties"]["head_id_number"].is_object(), "{row}");
    let status: Vec<&str> = schemas["Status"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        status,
        [
            "draft",
            "complete",
            "submitted",
            "approved",
            "returned",
            "rejected"
        ]
    );
    let e = &schemas["Error"];
    assert_eq!(e["required"], serde_json::json!(["code", "message"]));
}
