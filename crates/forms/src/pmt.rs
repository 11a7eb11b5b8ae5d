//! The proxy means test: a household's answers to a 0-100 score, explained variable by variable, and
//! eligibility per programme.
//!
//! The model is data (`pmt/illustrative-v1.toml`, embedded): official NSER weights are not public, so
//! the shipped model is illustrative and says so. Contributions always sum to the score: the constant
//! is a contribution, and when the total falls outside 0..100 a `clamp` contribution brings it back.

use crate::error::FormError;
use crate::instance::{Instance, Row};
use crate::typing::json_text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A band of a numeric variable.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Lowest value of the band.
    pub min: f64,
    /// Points for values in the band.
    pub points: f64,
}

/// How a variable is computed.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum VariableKind {
    /// A household select_one answer; points per choice.
    Choice {
        /// Question name.
        question: String,
        /// Points per choice name.
        points: BTreeMap<String, f64>,
    },
    /// A household select_multiple answer; points per selected item.
    Assets {
        /// Question name.
        question: String,
        /// Points per choice name.
        points: BTreeMap<String, f64>,
    },
    /// Sum of household number answers, banded.
    Number {
        /// Question names.
        questions: Vec<String>,
        /// Bands.
        bands: Vec<Band>,
    },
    /// Ratio of two derived quantities, banded.
    Ratio {
        /// Quantity on top.
        numerator: String,
        /// Quantity below (a zero denominator counts as one).
        denominator: String,
        /// Bands.
        bands: Vec<Band>,
    },
    /// A select_one answer of the household head's row.
    Head {
        /// Member question name.
        question: String,
        /// Points per choice name.
        points: BTreeMap<String, f64>,
    },
}

/// One variable of the model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Variable {
    /// Short name.
    pub name: String,
    /// English label.
    pub label_en: String,
    /// Urdu label.
    pub label_ur: String,
    /// How it is computed.
    #[serde(flatten)]
    pub kind: VariableKind,
}

/// A programme and its cut-off.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    /// Short name, e.g. `kafalat`.
    pub name: String,
    /// English label.
    pub label_en: String,
    /// Urdu label.
    pub label_ur: String,
    /// Eligible when the score is at or below this.
    pub threshold: f64,
    /// Higher cut-off for households with a member with a disability.
    #[serde(default)]
    pub disability_threshold: Option<f64>,
}

/// A PMT model.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PmtModel {
    /// Version recorded with every score.
    pub model_version: String,
    /// Points every household starts with.
    pub constant: f64,
    /// The variables.
    pub variables: Vec<Variable>,
    /// The programmes.
    pub programmes: Vec<Programme>,
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// Variable name (`constant` and `clamp` for the fixed lines).
    pub variable: String,
    /// English label.
    pub label_en: String,
    /// Urdu label.
    pub label_ur: String,
    /// The household's value for the variable.
    pub value: Value,
    /// Points it adds.
    pub points: f64,
}

/// Eligibility for one programme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgrammeResult {
    /// Programme name.
    pub programme: String,
    /// The threshold that applied (the disability threshold when it applied).
    pub threshold: f64,
    /// Score at or below the threshold.
    pub eligible: bool,
}

/// A household's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PmtResult {
    /// Model version.
    pub model_version: String,
    /// Score, 0 (poorest) to 100.
    pub score: f64,
    /// Whether a member has a disability (Washington Group: a lot of difficulty or cannot do).
    pub disability: bool,
    /// Points by variable; they sum to `score`.
    pub contributions: Vec<Contribution>,
    /// Eligibility per programme.
    pub programmes: Vec<ProgrammeResult>,
}

/// The shipped model's source.
pub const PMT_MODEL_TOML: &str = include_str!("../pmt/illustrative-v1.toml");

/// The shipped (illustrative) PMT model, parsed once.
pub fn pmt_model() -> &'static PmtModel {
    static MODEL: OnceLock<PmtModel> = OnceLock::new();
    MODEL.get_or_init(|| match PmtModel::from_toml_str(PMT_MODEL_TOML) {
        Ok(m) => m,
        // The shipped file is checked by this crate's tests; failing here is a build defect.
        Err(e) => panic!("the shipped PMT model does not load: {e}"),
    })
}

const WG: &[&str] = &[
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_remembering",
    "wg_selfcare",
    "wg_communicating",
];

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A member's age in completed years: from the date of birth when given, else `age`.
pub fn member_age(row: &Row, today: NaiveDate) -> Option<f64> {
    if let Some(dob) = row
        .answers
        .get("dob")
        .and_then(Value::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
    {
        return today.years_since(dob).map(f64::from);
    }
    num(row.answers.get("age"))
}

fn band(bands: &[Band], x: f64) -> f64 {
    bands.iter().rfind(|b| x >= b.min).map_or(0.0, |b| b.points)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl PmtModel {
    /// Loads a model from its TOML text.
    pub fn from_toml_str(src: &str) -> Result<PmtModel, FormError> {
        let m: PmtModel = toml::from_str(src).map_err(|e| FormError::Pmt(e.to_string()))?;
        for v in &m.variables {
            if let VariableKind::Number { bands, .. } | VariableKind::Ratio { bands, .. } = &v.kind
            {
                if bands.windows(2).any(|w| w[0].min >= w[1].min) {
                    return Err(FormError::Pmt(format!(
                        "variable `{}`: bands must rise",
                        v.name
                    )));
                }
            }
        }
        Ok(m)
    }

    /// Scores a household, computing ages from dates of birth as of `today` (the caller's clock: the
    /// engine never reads one).
    pub fn score_on(&self, instance: &Instance, today: NaiveDate) -> PmtResult {
        let members: &[Row] = instance.repeats.get("members").map_or(&[], Vec::as_slice);
        let ages: Vec<Option<f64>> = members.iter().map(|m| member_age(m, today)).collect();
        let quantity = |q: &str| -> Option<f64> {
            match q {
                "household_size" => Some(members.len() as f64),
                "dependants" => Some(
                    ages.iter()
                        .filter(|a| a.is_some_and(|a| !(15.0..=64.0).contains(&a)))
                        .count() as f64,
                ),
                "working_age" => Some(
                    ages.iter()
                        .filter(|a| a.is_some_and(|a| (15.0..=64.0).contains(&a)))
                        .count() as f64,
                ),
                other => num(instance.answers.get(other)),
            }
        };
        let disability = members.iter().any(|m| {
            WG.iter().any(|q| {
                matches!(
                    m.answers.get(*q).and_then(Value::as_str),
                    Some("a_lot" | "cannot")
                )
            })
        });
        let mut contributions = vec![Contribution {
            variable: "constant".into(),
            label_en: "Constant".into(),
            label_ur: "مستقل".into(),
            value: Value::Null,
            points: self.constant,
        }];
        for v in &self.variables {
            let (value, points) = match &v.kind {
                VariableKind::Choice { question, points } => {
                    let a = instance
                        .answers
                        .get(question)
                        .map(json_text)
                        .unwrap_or_default();
                    let p = points.get(a.trim()).copied().unwrap_or(0.0);
                    (Value::String(a), p)
                }
                VariableKind::Assets { question, points } => {
                    let a = instance
                        .answers
                        .get(question)
                        .map(json_text)
                        .unwrap_or_default();
                    let p = a.split_whitespace().filter_map(|i| points.get(i)).sum();
                    (Value::String(a), p)
                }
                VariableKind::Number { questions, bands } => {
                    let total: f64 = questions
                        .iter()
                        .filter_map(|q| num(instance.answers.get(q)))
                        .sum();
                    (Value::from(total), band(bands, total))
                }
                VariableKind::Ratio {
                    numerator,
                    denominator,
                    bands,
                } => match quantity(numerator) {
                    Some(n) => {
                        let d = quantity(denominator).filter(|d| *d > 0.0).unwrap_or(1.0);
                        let r = round2(n / d);
                        (Value::from(r), band(bands, r))
                    }
                    None => (Value::Null, 0.0),
                },
                VariableKind::Head { question, points } => {
                    let head = members.iter().find(|m| {
                        m.answers.get("relation").and_then(Value::as_str) == Some("head")
                    });
                    let a = head
                        .and_then(|h| h.answers.get(question))
                        .map(json_text)
                        .unwrap_or_default();
                    let p = points.get(a.trim()).copied().unwrap_or(0.0);
                    (Value::String(a), p)
                }
            };
            contributions.push(Contribution {
                variable: v.name.clone(),
                label_en: v.label_en.clone(),
                label_ur: v.label_ur.clone(),
                value,
                points,
            });
        }
        let raw: f64 = contributions.iter().map(|c| c.points).sum();
        let score = raw.clamp(0.0, 100.0);
        if score != raw {
            contributions.push(Contribution {
                variable: "clamp".into(),
                label_en: "Limited to the 0-100 scale".into(),
                label_ur: "0 تا 100 کے پیمانے تک محدود".into(),
                value: Value::from(round2(raw)),
                points: score - raw,
            });
        }
        let programmes = self
            .programmes
            .iter()
            .map(|p| {
                let threshold = match (disability, p.disability_threshold) {
                    (true, Some(t)) => t,
                    _ => p.threshold,
                };
                ProgrammeResult {
                    programme: p.name.clone(),
                    threshold,
                    eligible: score <= threshold,
                }
            })
            .collect();
        PmtResult {
            model_version: self.model_version.clone(),
            score,
            disability,
            contributions,
            programmes,
        }
    }
}
