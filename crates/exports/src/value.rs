//! A cell of an export and the types of its columns: what the codebook names, what the Parquet
//! schema declares, and how the CSV spells each value.
//!
//! Answers are stored as the household JSON has them (numbers as JSON numbers or the text a form
//! accepted, dates as `YYYY-MM-DD`, a `select_multiple` as space-separated choice names);
//! [`Value::from_answer`] reads them into the column's type. An answer that does not read as its
//! type (which validation at the tablet rules out) is left empty rather than guessed.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value as Json;
use shumari_forms::QuestionType;
use std::borrow::Cow;

/// The type of a column, as the codebook names it and the Parquet schema declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Text (Parquet `Utf8`); choice names of select questions, space-separated for
    /// `select_multiple`, as XLSForm exports write them.
    Text,
    /// Whole numbers (Parquet `Int64`).
    Integer,
    /// Decimal numbers (Parquet `Float64`).
    Decimal,
    /// Calendar dates (Parquet `Date32`).
    Date,
    /// Instants, UTC (Parquet `Timestamp(ms, "UTC")`).
    Timestamp,
    /// Yes/no (Parquet `Boolean`).
    Boolean,
}

impl ColumnType {
    /// The name in the codebook.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Text => "text",
            ColumnType::Integer => "integer",
            ColumnType::Decimal => "decimal",
            ColumnType::Date => "date",
            ColumnType::Timestamp => "timestamp",
            ColumnType::Boolean => "boolean",
        }
    }

    /// The column type of a questionnaire question's answers.
    pub fn of_question(kind: &QuestionType) -> ColumnType {
        match kind {
            QuestionType::Integer => ColumnType::Integer,
            QuestionType::Decimal | QuestionType::Range(_) => ColumnType::Decimal,
            QuestionType::Date => ColumnType::Date,
            QuestionType::DateTime => ColumnType::Timestamp,
            QuestionType::Acknowledge => ColumnType::Boolean,
            _ => ColumnType::Text,
        }
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No answer.
    Null,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// A date.
    Date(NaiveDate),
    /// An instant.
    Timestamp(DateTime<Utc>),
    /// Yes or no.
    Bool(bool),
}

impl Value {
    /// Text, or `Null` when empty.
    pub fn text(s: impl Into<String>) -> Value {
        let s = s.into();
        if s.is_empty() {
            Value::Null
        } else {
            Value::Text(s)
        }
    }

    /// A stored answer read as `kind` (see the module docs).
    pub fn from_answer(kind: ColumnType, v: Option<&Json>) -> Value {
        let Some(v) = v else { return Value::Null };
        if v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()) {
            return Value::Null;
        }
        let text = || match v {
            Json::String(s) => Some(s.trim().to_string()),
            Json::Number(n) => Some(n.to_string()),
            _ => None,
        };
        let read = match kind {
            ColumnType::Integer => match v.as_i64() {
                Some(i) => Some(Value::Int(i)),
                None => v
                    .as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| Value::Int(f as i64))
                    .or_else(|| text()?.parse().ok().map(Value::Int)),
            },
            ColumnType::Decimal => v
                .as_f64()
                .or_else(|| text()?.parse().ok())
                .map(Value::Float),
            ColumnType::Date => text()
                .and_then(|s| NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok())
                .map(Value::Date),
            ColumnType::Timestamp => text()
                .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
                .map(|t| Value::Timestamp(t.with_timezone(&Utc))),
            ColumnType::Boolean => match v {
                Json::Bool(b) => Some(Value::Bool(*b)),
                // `acknowledge` stores `OK`.
                Json::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "ok" | "true" | "yes" | "1" => Some(Value::Bool(true)),
                    "false" | "no" | "0" => Some(Value::Bool(false)),
                    _ => None,
                },
                _ => None,
            },
            ColumnType::Text => Some(match v {
                Json::String(s) => Value::text(s.as_str()),
                // A select_multiple held as a list: space-separated names.
                Json::Array(items) => Value::text(
                    items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                other => Value::Text(other.to_string()),
            }),
        };
        read.unwrap_or(Value::Null)
    }

    /// The value as a CSV cell: ISO dates, RFC 3339 instants, `true`/`false`, "" for no answer.
    pub fn to_csv(&self) -> Cow<'_, str> {
        match self {
            Value::Null => Cow::Borrowed(""),
            Value::Text(s) => Cow::Borrowed(s),
            Value::Int(i) => Cow::Owned(i.to_string()),
            Value::Float(f) => Cow::Owned(f.to_string()),
            Value::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
            Value::Timestamp(t) => {
                Cow::Owned(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            }
            Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_read_as_their_column_type() {
        let int = |v: Json| Value::from_answer(ColumnType::Integer, Some(&v));
        assert_eq!(int(json!(3)), Value::Int(3));
        assert_eq!(int(json!("12")), Value::Int(12));
        assert_eq!(int(json!(4.0)), Value::Int(4));
        assert_eq!(int(json!("many")), Value::Null);
        assert_eq!(
            Value::from_answer(ColumnType::Decimal, Some(&json!("2.5"))),
            Value::Float(2.5)
        );
        assert_eq!(
            Value::from_answer(ColumnType::Date, Some(&json!("1990-02-01"))),
            Value::Date(NaiveDate::from_ymd_opt(1990, 2, 1).unwrap())
        );
        assert_eq!(
            Value::from_answer(ColumnType::Boolean, Some(&json!("OK"))),
            Value::Bool(true)
        );
        assert_eq!(
            Value::from_answer(ColumnType::Text, Some(&json!(["tv", "fridge"]))),
            Value::Text("tv fridge".into())
        );
        assert_eq!(
            Value::from_answer(ColumnType::Text, Some(&json!(""))),
            Value::Null
        );
        assert_eq!(Value::from_answer(ColumnType::Text, None), Value::Null);
    }

    #[test]
    fn csv_cells_are_iso_dates_and_plain_numbers() {
        assert_eq!(Value::Int(7).to_csv(), "7");
        assert_eq!(Value::Float(1.5).to_csv(), "1.5");
        assert_eq!(
            Value::Date(NaiveDate::from_ymd_opt(2024, 1, 9).unwrap()).to_csv(),
            "2024-01-09"
        );
        assert_eq!(Value::Null.to_csv(), "");
        assert_eq!(Value::Bool(false).to_csv(), "false");
    }
}
