//! The handlers: each authenticates the bearer token, verifies the envelope's signature against
//! the client's key, checks the header's action, and answers in the standard's shapes
//! (`envelope.rs`); refusals are the standard's `HttpErrorResponse` (`error.rs`).

use crate::clients::{audit, authenticate, issue_token, now_ms};
use crate::envelope::{self, header_of, message_of, text};
use crate::error::{DciError, Result};
use crate::store::{ClientRow, DciStore, TxnRow};
use crate::{query, search, signature, Dci};
use axum::extract::rejection::{FormRejection, JsonRejection};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use shumari_registry::http::bearer;
use shumari_registry::storage::User;
use std::sync::Arc;

/// Request items per message at most.
const MAX_ITEMS: usize = 20;

pub(crate) fn router<S: DciStore>(dci: Arc<Dci<S>>) -> Router {
    Router::new()
        .route("/oauth2/client/token", post(token::<S>))
        .route("/registry/sync/search", post(sync_search::<S>))
        .route("/registry/search", post(async_search::<S>))
        .route("/registry/txn/status", post(async_txn_status::<S>))
        .route("/registry/sync/txn/status", post(sync_txn_status::<S>))
        .with_state(dci)
}

/// The OAuth2 token request (form-encoded, RFC 6749 section 4.4).
#[derive(Debug, serde::Deserialize)]
struct TokenRequest {
    grant_type: String,
    client_id: String,
    client_secret: String,
}

async fn token<S: DciStore>(
    State(dci): State<Arc<Dci<S>>>,
    form: std::result::Result<Form<TokenRequest>, FormRejection>,
) -> Result<Json<Value>> {
    let Form(req) = form.map_err(|e| DciError::BadRequest(e.body_text()))?;
    if req.grant_type != "client_credentials" {
        return Err(DciError::BadRequest(
            "grant_type must be client_credentials".into(),
        ));
    }
    let (token, ttl) = issue_token(
        &dci.reg,
        &req.client_id,
        &req.client_secret,
        dci.config.token_ttl_secs,
    )
    .await?;
    Ok(Json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": ttl.to_string(),
    })))
}

/// Authenticates, reads the JSON and verifies its signature.
async fn admit<S: DciStore>(
    dci: &Dci<S>,
    headers: &HeaderMap,
    body: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<(ClientRow, User, Value)> {
    let (client, user) = authenticate(&dci.reg, bearer(headers)).await?;
    let Json(env) = body.map_err(|e| DciError::BadRequest(e.body_text()))?;
    if let Err(e) = signature::verify(&env, &client.id, &client.public_key, now_ms() / 1000) {
        audit(
            &dci.reg,
            "dci.refused",
            &client,
            format!("reason={}", e.code()),
        )
        .await?;
        return Err(e.into());
    }
    Ok((client, user, env))
}

/// Answers every item of a search message; returns the `on-search` envelope and the records
/// answered. The request is on the access trail before any household is read.
pub(crate) async fn answer_search<S: DciStore>(
    dci: &Dci<S>,
    client: &ClientRow,
    user: &User,
    env: &Value,
    transaction_id: &str,
    correlation_id: &str,
) -> (Value, usize) {
    let items = env["message"]["search_request"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut responses = Vec::new();
    let mut records = 0;
    let mut all_ok = true;
    for item in &items {
        let reference = text(item, "reference_id");
        let entry = match query::criteria(item, dci.config.max_page) {
            Err(r) => Err(r),
            Ok(c) => search::run(&dci.reg, user, &c, dci.config.max_scan)
                .await
                .map(|f| (c, f)),
        };
        responses.push(match entry {
            Ok((c, f)) => {
                records += f.records.len();
                envelope::found_entry(reference, f.records, c.page_size, c.page_number, f.total)
            }
            Err(r) => {
                all_ok = false;
                envelope::refused_entry(reference, r.code, &r.message)
            }
        });
    }
    let header = envelope::reply_header(
        "on-search",
        if all_ok { "succ" } else { "rjct" },
        items.len(),
        responses.len(),
        &dci.config.sender_id,
        &client.id,
    );
    let answer = json!({
        "header": header,
        "message": {
            "transaction_id": transaction_id,
            "correlation_id": correlation_id,
            "search_response": responses,
        }
    });
    (answer, records)
}

/// Checks a search message's shape; returns its transaction id (one is made when it is empty).
fn search_message(env: &Value) -> Result<String> {
    header_of(env, "search")?;
    let m = message_of(env)?;
    let items = m
        .get("search_request")
        .and_then(Value::as_array)
        .ok_or_else(|| DciError::BadRequest("message.search_request is not a list".into()))?;
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(DciError::BadRequest(format!(
            "message.search_request holds 1 to {MAX_ITEMS} requests"
        )));
    }
    let t = text(m, "transaction_id");
    if t.len() > 99 {
        return Err(DciError::BadRequest(
            "transaction_id is longer than 99".into(),
        ));
    }
    Ok(if t.is_empty() {
        uuid::Uuid::new_v4().simple().to_string()
    } else {
        t.to_string()
    })
}

async fn sync_search<S: DciStore>(
    State(dci): State<Arc<Dci<S>>>,
    headers: HeaderMap,
    body: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>> {
    let (client, user, env) = admit(&dci, &headers, body).await?;
    let transaction_id = search_message(&env)?;
    let correlation_id = uuid::Uuid::new_v4().simple().to_string();
    let items = env["message"]["search_request"]
        .as_array()
        .map_or(0, Vec::len);
    audit(
        &dci.reg,
        "dci.search",
        &client,
        format!("mode=sync correlation={correlation_id} requests={items}"),
    )
    .await?;
    let (answer, records) =
        answer_search(&dci, &client, &user, &env, &transaction_id, &correlation_id).await;
    tracing::info!(client = %client.id, items, records, "dci: sync search answered");
    Ok(Json(answer))
}

async fn async_search<S: DciStore>(
    State(dci): State<Arc<Dci<S>>>,
    headers: HeaderMap,
    body: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>> {
    let (client, user, env) = admit(&dci, &headers, body).await?;
    let transaction_id = search_message(&env)?;
    if client.callback_url.is_none() {
        return Err(DciError::BadRequest(
            "this client has no callback registered; use /registry/sync/search".into(),
        ));
    }
    let correlation_id = uuid::Uuid::new_v4().simple().to_string();
    let fresh = dci
        .reg
        .storage
        .add_txn(&TxnRow {
            client_id: client.id.clone(),
            transaction_id: transaction_id.clone(),
            correlation_id: correlation_id.clone(),
            action: "search".into(),
            state: "pdng".into(),
            records: 0,
            callback_status: None,
            created_at: now_ms(),
            finished_at: None,
        })
        .await?;
    if !fresh {
        return Err(DciError::BadRequest(format!(
            "transaction `{transaction_id}` was already sent"
        )));
    }
    let items = env["message"]["search_request"]
        .as_array()
        .map_or(0, Vec::len);
    audit(
        &dci.reg,
        "dci.search",
        &client,
        format!("mode=async correlation={correlation_id} requests={items}"),
    )
    .await?;
    tokio::spawn(crate::callback::deliver(
        dci.clone(),
        client,
        user,
        env,
        transaction_id,
        correlation_id.clone(),
    ));
    Ok(Json(envelope::ack(&correlation_id)))
}

/// `/registry/sync/txn/status`: the transaction's status, answered at once.
async fn sync_txn_status<S: DciStore>(
    State(dci): State<Arc<Dci<S>>>,
    headers: HeaderMap,
    body: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>> {
    let (client, _user, env) = admit(&dci, &headers, body).await?;
    let answer = status_answer(&dci, &client, &env, "sync").await?;
    Ok(Json(answer))
}

/// `/registry/txn/status`: acknowledged at once, the status POSTed to the client's
/// `{callback}/registry/txn/on-status` (`callback.rs`), as `/registry/search` does `on-search`.
async fn async_txn_status<S: DciStore>(
    State(dci): State<Arc<Dci<S>>>,
    headers: HeaderMap,
    body: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<Json<Value>> {
    let (client, _user, env) = admit(&dci, &headers, body).await?;
    if client.callback_url.is_none() {
        return Err(DciError::BadRequest(
            "this client has no callback registered; use /registry/sync/txn/status".into(),
        ));
    }
    // Read (and refused, for an unknown transaction) before the acknowledgement.
    let answer = status_answer(&dci, &client, &env, "async").await?;
    let correlation_id = answer["message"]["correlation_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    tokio::spawn(crate::callback::deliver_status(dci.clone(), client, answer));
    Ok(Json(envelope::ack(&correlation_id)))
}

/// The `txn-on-status` envelope of the transaction a `txn-status` request asks about (by
/// `transaction_id`), on the access trail as `dci.txn_status`.
async fn status_answer<S: DciStore>(
    dci: &Dci<S>,
    client: &ClientRow,
    env: &Value,
    mode: &str,
) -> Result<Value> {
    header_of(env, "txn-status")?;
    let m = message_of(env)?;
    let req = &m["txnstatus_request"];
    let asked = match text(req, "attribute_type") {
        "transaction_id" | "" => req["attribute_value"]
            .as_str()
            .unwrap_or(text(m, "transaction_id"))
            .to_string(),
        other => {
            return Err(DciError::BadRequest(format!(
                "attribute_type `{other}` is not supported; ask by transaction_id"
            )))
        }
    };
    let row = dci
        .reg
        .storage
        .txn(&client.id, &asked)
        .await?
        .ok_or_else(|| DciError::BadRequest(format!("no transaction `{asked}` of this client")))?;
    audit(
        &dci.reg,
        "dci.txn_status",
        client,
        format!("mode={mode} correlation={}", row.correlation_id),
    )
    .await?;
    let header = envelope::reply_header(
        "txn-on-status",
        "succ",
        1,
        1,
        &dci.config.sender_id,
        &client.id,
    );
    Ok(json!({
        "header": header,
        "message": {
            "transaction_id": text(m, "transaction_id"),
            "correlation_id": row.correlation_id,
            "txnstatus_response": {
                "txn_type": "search",
                // The standard's shape of a search's status: its ids and the answers (delivered by
                // the callback, so none here), with where it stands and what the callback got.
                "txn_status": {
                    "transaction_id": row.transaction_id,
                    "correlation_id": row.correlation_id,
                    "search_response": [],
                    "status": row.state,
                    "records": row.records,
                    "callback_status": row.callback_status,
                }
            }
        }
    }))
}
