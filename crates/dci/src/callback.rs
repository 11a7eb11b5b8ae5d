//! Asynchronous requests: the search runs after the acknowledgement, and its `on-search` envelope is
//! POSTed to the client's registered callback (`{callback}/registry/on-search`), never to a URL a
//! request names (a registry must not be made to call arbitrary addresses). The transaction's row
//! (`store.rs`) records the outcome and the HTTP status the callback answered, for
//! `/registry/txn/status`. An asynchronous status request is answered the same way: its
//! `txn-on-status` envelope is POSTed to `{callback}/registry/txn/on-status`.

use crate::clients::now_ms;
use crate::store::{ClientRow, DciStore};
use crate::Dci;
use serde_json::Value;
use std::sync::Arc;

/// Runs an accepted search and delivers its answer; records how it ended.
pub(crate) async fn deliver<S: DciStore>(
    dci: Arc<Dci<S>>,
    client: ClientRow,
    user: shumari_registry::storage::User,
    env: Value,
    transaction_id: String,
    correlation_id: String,
) {
    let (answer, records) =
        crate::routes::answer_search(&dci, &client, &user, &env, &transaction_id, &correlation_id)
            .await;
    let state = if answer["header"]["status"] == "succ" {
        "succ"
    } else {
        "rjct"
    };
    let mut status = None;
    if let Some(base) = &client.callback_url {
        match dci
            .http
            .post(format!("{base}/registry/on-search"))
            .json(&answer)
            .send()
            .await
        {
            Ok(r) => status = Some(i64::from(r.status().as_u16())),
            Err(e) => {
                tracing::warn!(client = %client.id, error = %e.without_url(), "dci: the on-search callback could not be reached")
            }
        }
    }
    if let Err(e) = dci
        .reg
        .storage
        .finish_txn(
            &client.id,
            &transaction_id,
            state,
            records as i64,
            status,
            now_ms(),
        )
        .await
    {
        tracing::error!(error = %e, "dci: a transaction's end could not be recorded");
    }
}

/// Delivers a `txn-on-status` envelope to the client's `{callback}/registry/txn/on-status`.
pub(crate) async fn deliver_status<S: DciStore>(
    dci: Arc<Dci<S>>,
    client: ClientRow,
    answer: Value,
) {
    let Some(base) = &client.callback_url else {
        return;
    };
    if let Err(e) = dci
        .http
        .post(format!("{base}/registry/txn/on-status"))
        .json(&answer)
        .send()
        .await
    {
        tracing::warn!(client = %client.id, error = %e.without_url(), "dci: the txn on-status callback could not be reached");
    }
}
