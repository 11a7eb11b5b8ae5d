//! Scalars between JSON and automerge: how an answer is written and how every reader reads it back.

use automerge::{ScalarValue, Value as AmValue};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

/// Converts a JSON scalar to an automerge scalar (strings stay immutable strings, never Text).
pub(super) fn to_scalar(v: &Value) -> ScalarValue {
    match v {
        Value::Null => ScalarValue::Null,
        Value::Bool(b) => ScalarValue::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => ScalarValue::Int(i),
            (None, Some(f)) => ScalarValue::F64(f),
            _ => ScalarValue::Null,
        },
        Value::String(s) => ScalarValue::Str(s.as_str().into()),
        // Callers check `check_scalar` first; nested values never reach the document.
        Value::Array(_) | Value::Object(_) => ScalarValue::Str(v.to_string().into()),
    }
}

/// The JSON form of an automerge scalar, as [`super::HouseholdDoc`] reads answers (timestamps as
/// RFC 3339, bytes as null).
pub fn scalar_to_json(s: &ScalarValue) -> Value {
    match s {
        ScalarValue::Null => Value::Null,
        ScalarValue::Boolean(b) => Value::Bool(*b),
        ScalarValue::Int(i) => Value::from(*i),
        ScalarValue::Uint(u) => Value::from(*u),
        ScalarValue::F64(f) => serde_json::Number::from_f64(*f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        ScalarValue::Str(s) => Value::String(s.to_string()),
        ScalarValue::Timestamp(ms) => Value::String(ms_to_time(*ms).to_rfc3339()),
        ScalarValue::Counter(c) => Value::from(i64::from(c)),
        ScalarValue::Bytes(_) | ScalarValue::Unknown { .. } => Value::Null,
    }
}

/// A time stored as milliseconds since the epoch (out of range: the epoch).
pub(super) fn ms_to_time(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// The JSON form of any value (an object where a scalar belongs reads as a marker, never as data).
pub(super) fn am_value_to_json(v: &AmValue<'_>) -> Value {
    match v {
        AmValue::Scalar(s) => scalar_to_json(s),
        AmValue::Object(t) => Value::String(format!("<{t:?}>")),
    }
}
