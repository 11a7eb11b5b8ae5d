//! Answer values: from JSON scalars to typed evaluation values, with the type errors a surveyor sees.
//!
//! Answers are JSON scalars (the household contract): numbers for `integer`/`decimal`/`range` (numeric
//! text is accepted too; a range's value is within its bounds, on a step), `YYYY-MM-DD` for `date`,
//! `HH:MM[:SS[.fff]][zone]` for `time`, both joined by `T` for `dateTime`, ODK's space-separated names
//! for `select_multiple` and `rank` (a rank names each choice once), `"lat lon [alt [accuracy]]"` for
//! `geopoint` and such points joined by `;` for `geotrace` (two or more) and `geoshape` (closed: four or
//! more, the last equal to the first), `"OK"` for `acknowledge`; other types hold text.

use crate::expr::XValue;
use crate::model::{QuestionType, RangeParams};
use regex::Regex;
use serde_json::Value;
use std::sync::OnceLock;

/// Whether a JSON answer counts as unanswered (`null`, absent or `""`).
pub(crate) fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// JSON scalar to the text ODK would store.
pub(crate) fn json_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) => crate::expr::XValue::Num(f).to_text(),
            _ => n.to_string(),
        },
        Value::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Problems with a value's type, as an English message key for [`crate::messages`].
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::enum_variant_names)]
pub(crate) enum TypeProblem {
    NotScalar,
    NotInteger,
    NotNumber,
    NotDate,
    NotGeopoint,
    NotAcknowledge,
    NotChoice(String),
    NotTime,
    NotDateTime,
    NotInRange(RangeParams),
    RankRepeats(String),
    NotGeotrace,
    NotGeoshape,
}

/// Converts a non-blank JSON answer to its evaluation value, or says why it does not fit the type.
/// Choice membership is checked by the caller (it depends on choice filters).
pub(crate) fn typed(kind: &QuestionType, v: &Value) -> Result<XValue, TypeProblem> {
    if v.is_array() || v.is_object() {
        return Err(TypeProblem::NotScalar);
    }
    let text = json_text(v);
    match kind {
        QuestionType::Integer => {
            let n = match v {
                Value::Number(n) => n.as_f64().ok_or(TypeProblem::NotInteger)?,
                _ => text
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| TypeProblem::NotInteger)?,
            };
            if n.fract() != 0.0 || !n.is_finite() {
                return Err(TypeProblem::NotInteger);
            }
            Ok(XValue::Num(n))
        }
        QuestionType::Decimal => {
            let n = match v {
                Value::Number(n) => n.as_f64().ok_or(TypeProblem::NotNumber)?,
                _ => text
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| TypeProblem::NotNumber)?,
            };
            if !n.is_finite() {
                return Err(TypeProblem::NotNumber);
            }
            Ok(XValue::Num(n))
        }
        QuestionType::Date => {
            let t = text.trim();
            if t.len() != 10 {
                return Err(TypeProblem::NotDate);
            }
            crate::expr::XValue::Str(t.to_string())
                .to_date()
                .map(XValue::Date)
                .ok_or(TypeProblem::NotDate)
        }
        QuestionType::Geopoint => match point(&text) {
            Some(_) => Ok(XValue::Str(text)),
            None => Err(TypeProblem::NotGeopoint),
        },
        QuestionType::Geotrace | QuestionType::Geoshape => {
            let shape = *kind == QuestionType::Geoshape;
            let points: Option<Vec<(f64, f64)>> = text
                .split(';')
                .filter(|p| !p.trim().is_empty())
                .map(point)
                .collect();
            let ok = points.is_some_and(|p| {
                if shape {
                    p.len() >= 4 && p.first() == p.last()
                } else {
                    p.len() >= 2
                }
            });
            match (ok, shape) {
                (true, _) => Ok(XValue::Str(text.trim().to_string())),
                (false, false) => Err(TypeProblem::NotGeotrace),
                (false, true) => Err(TypeProblem::NotGeoshape),
            }
        }
        QuestionType::Range(p) => {
            let n = match v {
                Value::Number(n) => n.as_f64(),
                _ => text.trim().parse::<f64>().ok(),
            }
            .filter(|n| n.is_finite())
            .ok_or(TypeProblem::NotNumber)?;
            let (lo, hi) = (p.start.min(p.end), p.start.max(p.end));
            let steps = (n - p.start) / p.step;
            // Steps such as 0.1 are not exact in binary: allow a rounding error.
            let on_step = (steps - steps.round()).abs() < 1e-9;
            if n < lo || n > hi || !on_step {
                return Err(TypeProblem::NotInRange(*p));
            }
            Ok(XValue::Num(n))
        }
        QuestionType::Time => {
            let t = text.trim();
            if time_shape().is_match(t) {
                Ok(XValue::Str(t.to_string()))
            } else {
                Err(TypeProblem::NotTime)
            }
        }
        QuestionType::DateTime => {
            let t = text.trim();
            let ok = t.split_once('T').is_some_and(|(d, time)| {
                d.len() == 10
                    && XValue::Str(d.to_string()).to_date().is_some()
                    && time_shape().is_match(time)
            });
            if ok {
                Ok(XValue::Str(t.to_string()))
            } else {
                Err(TypeProblem::NotDateTime)
            }
        }
        QuestionType::Rank(_) => {
            let items: Vec<&str> = text.split_whitespace().collect();
            let repeated = (1..items.len()).find(|&i| items[..i].contains(&items[i]));
            if let Some(i) = repeated {
                return Err(TypeProblem::RankRepeats(items[i].to_string()));
            }
            Ok(XValue::Str(items.join(" ")))
        }
        QuestionType::SelectOneFromFile(_) | QuestionType::SelectOneExternal(_) => {
            if text.split_whitespace().count() > 1 {
                Err(TypeProblem::NotChoice(text))
            } else {
                Ok(XValue::Str(text.trim().to_string()))
            }
        }
        QuestionType::SelectMultipleFromFile(_) => Ok(XValue::Str(
            text.split_whitespace().collect::<Vec<_>>().join(" "),
        )),
        QuestionType::Acknowledge => {
            if text.trim() == "OK" {
                Ok(XValue::Str("OK".into()))
            } else {
                Err(TypeProblem::NotAcknowledge)
            }
        }
        QuestionType::SelectOne(_) => {
            if text.split_whitespace().count() > 1 {
                Err(TypeProblem::NotChoice(text))
            } else {
                Ok(XValue::Str(text.trim().to_string()))
            }
        }
        QuestionType::SelectMultiple(_) => Ok(XValue::Str(
            text.split_whitespace().collect::<Vec<_>>().join(" "),
        )),
        _ => Ok(XValue::Str(text)),
    }
}

/// A GPS point `lat lon [alt [accuracy]]`, its latitude and longitude.
fn point(text: &str) -> Option<(f64, f64)> {
    let nums: Result<Vec<f64>, _> = text.split_whitespace().map(str::parse::<f64>).collect();
    match nums.as_deref() {
        Ok([lat, lon, rest @ ..])
            if rest.len() <= 2
                && (-90.0..=90.0).contains(lat)
                && (-180.0..=180.0).contains(lon) =>
        {
            Some((*lat, *lon))
        }
        _ => None,
    }
}

/// ODK's time values: `HH:MM`, seconds and their fraction optional, then an optional zone (`Z`,
/// `+05:00`, `+0500`).
fn time_shape() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$")
            .expect("valid regex")
    })
}

/// Checks a literal `default` against the question's type.
pub(crate) fn check_literal(kind: &QuestionType, s: &str) -> Result<(), String> {
    typed(kind, &Value::String(s.to_string()))
        .map(|_| ())
        .map_err(|p| {
            format!(
                "default `{s}` does not fit the type: {}",
                crate::messages::type_problem(&p, "en")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typing() {
        assert_eq!(
            typed(&QuestionType::Integer, &json!(3)),
            Ok(XValue::Num(3.0))
        );
        assert_eq!(
            typed(&QuestionType::Integer, &json!("3")),
            Ok(XValue::Num(3.0))
        );
        assert_eq!(
            typed(&QuestionType::Integer, &json!(2.5)),
            Err(TypeProblem::NotInteger)
        );
        assert_eq!(
            typed(&QuestionType::Integer, &json!("three")),
            Err(TypeProblem::NotInteger)
        );
        assert_eq!(
            typed(&QuestionType::Decimal, &json!("2.5")),
            Ok(XValue::Num(2.5))
        );
        assert!(typed(&QuestionType::Date, &json!("1990-02-01")).is_ok());
        assert_eq!(
            typed(&QuestionType::Date, &json!("1990-02-30")),
            Err(TypeProblem::NotDate)
        );
        assert!(typed(&QuestionType::Geopoint, &json!("31.5 74.3 0 5")).is_ok());
        assert_eq!(
            typed(&QuestionType::Geopoint, &json!("95 74.3")),
            Err(TypeProblem::NotGeopoint)
        );
        assert_eq!(
            typed(&QuestionType::Acknowledge, &json!("yes")),
            Err(TypeProblem::NotAcknowledge)
        );
        assert_eq!(
            typed(
                &QuestionType::SelectMultiple("a".into()),
                &json!(" tv  fridge ")
            ),
            Ok(XValue::Str("tv fridge".into()))
        );
        assert_eq!(
            typed(&QuestionType::Text, &json!(["x"])),
            Err(TypeProblem::NotScalar)
        );
        assert!(is_blank(&json!(null)) && is_blank(&json!(" ")) && !is_blank(&json!(0)));
    }
}
