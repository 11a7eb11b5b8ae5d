//! The standard's message envelope: reading a request's (`signature`, `header`, `message`) and
//! writing the registry's answers — a search's `on-search` envelope (header with the status and
//! counts, `message.search_response` with one entry per request item, each with its records and
//! pagination), a transaction's status, and the acknowledgement of an asynchronous request.

use crate::error::{DciError, Result};
use serde_json::{json, Value};

/// The standard's version this registry speaks.
pub const VERSION: &str = "1.0.0";

/// Checks the request's header names `action` (`search`, `txn-status`); returns the header.
pub fn header_of<'a>(env: &'a Value, action: &str) -> Result<&'a Value> {
    let h = env
        .get("header")
        .filter(|h| h.is_object())
        .ok_or_else(|| DciError::BadRequest("the envelope has no header".into()))?;
    match h.get("action").and_then(Value::as_str) {
        Some(a) if a == action => Ok(h),
        other => Err(DciError::BadRequest(format!(
            "header.action is {other:?}; this endpoint takes `{action}`"
        ))),
    }
}

/// The request's `message` object.
pub fn message_of(env: &Value) -> Result<&Value> {
    env.get("message")
        .filter(|m| m.is_object())
        .ok_or_else(|| DciError::BadRequest("the envelope has no message".into()))
}

/// A string field of `v`, or "".
pub fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An answer's header: `action` (`on-search`, `txn-on-status`), the overall `status`, how many
/// request items there were and how many completed.
pub fn reply_header(
    action: &str,
    status: &str,
    total: usize,
    completed: usize,
    sender_id: &str,
    receiver_id: &str,
) -> Value {
    json!({
        "version": VERSION,
        "message_id": uuid::Uuid::new_v4().to_string(),
        "message_ts": now(),
        "action": action,
        "status": status,
        "total_count": total,
        "completed_count": completed,
        "sender_id": sender_id,
        "receiver_id": receiver_id,
        "is_msg_encrypted": false,
    })
}

/// One `search_response` entry: records found, with their pagination.
pub fn found_entry(
    reference_id: &str,
    records: Vec<Value>,
    page_size: usize,
    page_number: usize,
    total: usize,
) -> Value {
    json!({
        "reference_id": reference_id,
        "timestamp": now(),
        "status": "succ",
        "data": {"version": VERSION, "reg_records": records},
        "pagination": {"page_size": page_size, "page_number": page_number, "total_count": total},
        "locale": "eng",
    })
}

/// One `search_response` entry refused with the standard's reason code.
pub fn refused_entry(reference_id: &str, code: &str, message: &str) -> Value {
    json!({
        "reference_id": reference_id,
        "timestamp": now(),
        "status": "rjct",
        "status_reason_code": code,
        "status_reason_message": message,
        "data": {"version": VERSION, "reg_records": []},
        "locale": "eng",
    })
}

/// The acknowledgement of an asynchronous request (the standard's `Response`).
pub fn ack(correlation_id: &str) -> Value {
    json!({"message": {"ack_status": "ACK", "timestamp": now(), "correlation_id": correlation_id}})
}
