//! Values during evaluation and JavaRosa's conversions between them.

use chrono::NaiveDate;

/// A value during evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum XValue {
    /// Text (an unanswered question is `Str("")`).
    Str(String),
    /// A number (XPath has only doubles).
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// A date (from a `date` question, `today()` or `date()`).
    Date(NaiveDate),
    /// The values of one question across the rows of a repeat (or the rows themselves, for `count`).
    Nodes(Vec<XValue>),
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// Days since 1970-01-01.
pub(crate) fn days(d: NaiveDate) -> f64 {
    (d - EPOCH).num_days() as f64
}

/// The date `n` days after 1970-01-01, if in range.
pub(crate) fn from_days(n: f64) -> Option<NaiveDate> {
    if !n.is_finite() || n.abs() > 3_000_000.0 {
        return None;
    }
    EPOCH.checked_add_signed(chrono::Duration::days(n.floor() as i64))
}

/// Parses `YYYY-MM-DD` (optionally followed by a time, which is ignored), as JavaRosa's date strings.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let d = s.get(..10)?;
    if s.len() > 10 && !s[10..].starts_with('T') {
        return None;
    }
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

/// XPath number from text: digits, `-` and `.` only (no exponent, no `+`, no `Infinity`), else a date
/// string's day number, else NaN.
pub(crate) fn str_to_num(s: &str) -> f64 {
    let t = s.trim();
    if t.is_empty() {
        return f64::NAN;
    }
    if t.bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        if let Ok(n) = t.parse() {
            return n;
        }
    }
    parse_date(t).map(days).unwrap_or(f64::NAN)
}

/// XPath's string form of a number: integers without a decimal point, NaN as `NaN`.
pub(crate) fn num_to_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl XValue {
    /// The empty string, ODK's unanswered value.
    pub fn empty() -> XValue {
        XValue::Str(String::new())
    }

    /// Whether this is the empty string.
    pub fn is_empty(&self) -> bool {
        matches!(self, XValue::Str(s) if s.is_empty())
    }

    /// XPath `number()`.
    pub fn to_num(&self) -> f64 {
        match self {
            XValue::Str(s) => str_to_num(s),
            XValue::Num(n) => *n,
            XValue::Bool(b) => f64::from(u8::from(*b)),
            XValue::Date(d) => days(*d),
            XValue::Nodes(v) => v.first().map_or(f64::NAN, XValue::to_num),
        }
    }

    /// XPath `boolean()`.
    pub fn to_bool(&self) -> bool {
        match self {
            XValue::Str(s) => !s.is_empty(),
            XValue::Num(n) => n.abs() > 1e-12 && !n.is_nan(),
            XValue::Bool(b) => *b,
            XValue::Date(_) => true,
            XValue::Nodes(v) => !v.is_empty(),
        }
    }

    /// XPath `string()`.
    pub fn to_text(&self) -> String {
        match self {
            XValue::Str(s) => s.clone(),
            XValue::Num(n) => num_to_string(*n),
            XValue::Bool(b) => if *b { "true" } else { "false" }.into(),
            XValue::Date(d) => d.format("%Y-%m-%d").to_string(),
            XValue::Nodes(v) => v.first().map(XValue::to_text).unwrap_or_default(),
        }
    }

    /// XPath `string()` without allocating when the value already is text.
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            XValue::Str(s) => std::borrow::Cow::Borrowed(s.as_str()),
            other => std::borrow::Cow::Owned(other.to_text()),
        }
    }

    /// A date, from a date value, a date string or a day number.
    pub fn to_date(&self) -> Option<NaiveDate> {
        match self {
            XValue::Date(d) => Some(*d),
            XValue::Str(s) => parse_date(s),
            XValue::Num(n) => from_days(*n),
            XValue::Bool(_) => None,
            XValue::Nodes(v) => v.first().and_then(XValue::to_date),
        }
    }

    /// The value as JSON (numbers as numbers where finite; NaN as the string `NaN`).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            XValue::Num(n) if n.is_finite() => {
                if *n == n.trunc() && n.abs() < 9e15 {
                    serde_json::Value::from(*n as i64)
                } else {
                    serde_json::Value::from(*n)
                }
            }
            XValue::Bool(b) => serde_json::Value::Bool(*b),
            other => serde_json::Value::String(other.to_text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_follow_javarosa() {
        assert!(XValue::empty().to_num().is_nan());
        assert!(!XValue::empty().to_bool());
        assert_eq!(XValue::Str("12".into()).to_num(), 12.0);
        assert!(XValue::Str("1e3".into()).to_num().is_nan());
        assert_eq!(XValue::Str("1970-01-11".into()).to_num(), 10.0);
        assert_eq!(XValue::Num(3.0).to_text(), "3");
        assert_eq!(XValue::Num(2.5).to_text(), "2.5");
        assert_eq!(XValue::Num(f64::NAN).to_text(), "NaN");
        assert!(!XValue::Num(f64::NAN).to_bool());
        assert!(
            XValue::Str("false".into()).to_bool(),
            "non-empty text is true"
        );
    }
}
