//! One `search_request` item read into what this registry can answer ([`Criteria`]), or the
//! standard's reason for refusing it (`rjct.search_criteria.invalid`, `rjct.pagination.invalid`).
//!
//! The three query types of the standard are read into one list of filters:
//!
//! - `idtype-value`: `{"type": "CNIC", "value": "35202-1234567-1"}` (also `NID`, `UIN`, `BFORM`):
//!   the households (or members) holding that CNIC or B-form number.
//! - `predicate`: `[{"seq_num": 1, "expression1": {"attribute_name", "operator", "attribute_value"},
//!   "condition": "and", "expression2": …}]`, expressions joined by `and`.
//! - `expression` with a NoSQL query (`{"$and": [{"poverty_score": {"$lt": 5}}]}`), the form the
//!   standard's own examples use: the same filters.
//!
//! Attributes: `area` (`eq`, `in`: an area code and everything under it), `poverty_score`
//! (the registry's PMT score, 0 poorest to 100), `group_size` (`household_size`), the ID number
//! (`CNIC`, `UIN`, `NID`; `eq`), and of members `age` and `sex` (`gender`). Anything else is refused
//! by name, never silently ignored.

use serde_json::Value;

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `lt`.
    Lt,
    /// `le`.
    Le,
    /// `gt`.
    Gt,
    /// `ge`.
    Ge,
    /// `eq`.
    Eq,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(
            match s.trim_start_matches('$').to_ascii_lowercase().as_str() {
                "lt" => Op::Lt,
                "le" | "lte" => Op::Le,
                "gt" => Op::Gt,
                "ge" | "gte" => Op::Ge,
                "eq" => Op::Eq,
                _ => return None,
            },
        )
    }

    /// Whether `a op b`.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => (a - b).abs() < 1e-9,
        }
    }
}

/// One condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Holds this CNIC or B-form number.
    IdNumber(String),
    /// In one of these areas (or under it).
    Area(Vec<String>),
    /// The registry's PMT score.
    Pmt(Op, f64),
    /// Members on the roster.
    Size(Op, f64),
    /// A member's age in years.
    Age(Op, f64),
    /// A member's sex (`male`, `female`, `transgender`).
    Sex(String),
}

impl Filter {
    /// Whether the condition is about a member rather than the household.
    pub fn is_member_level(&self) -> bool {
        matches!(self, Filter::Age(..) | Filter::Sex(_) | Filter::IdNumber(_))
    }
}

/// What records to answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// Households.
    Group,
    /// Members.
    Member,
}

/// A search request item, understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Criteria {
    /// Records answered.
    pub entity: Entity,
    /// All must hold.
    pub filters: Vec<Filter>,
    /// Sort by PMT score, ascending (`Some(true)`) or descending; otherwise by reference.
    pub pmt_order: Option<bool>,
    /// Records per page.
    pub page_size: usize,
    /// 1-based page.
    pub page_number: usize,
}

/// A refusal: the standard's reason code and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `rjct.search_criteria.invalid`, `rjct.pagination.invalid`, ...
    pub code: &'static str,
    /// What was wrong.
    pub message: String,
}

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal {
        code: "rjct.search_criteria.invalid",
        message: message.into(),
    }
}

fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number_of(v: &Value) -> Result<f64, Refusal> {
    text_of(v)
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or_else(|| invalid(format!("`{v}` is not a number")))
}

fn sex_of(v: &Value) -> Result<String, Refusal> {
    let s = text_of(v).unwrap_or_default().to_ascii_lowercase();
    Ok(match s.as_str() {
        "m" | "male" => "male",
        "f" | "female" => "female",
        "x" | "t" | "transgender" => "transgender",
        _ => {
            return Err(invalid(format!(
                "`{s}` is not a sex (male, female, transgender)"
            )))
        }
    }
    .to_string())
}

/// One `attribute op value` condition.
fn condition(attribute: &str, op: &str, value: &Value) -> Result<Filter, Refusal> {
    let attribute = attribute.trim();
    let key = attribute.to_ascii_lowercase();
    let key = key.rsplit('.').next().unwrap_or(&key);
    let is_in = op.trim_start_matches('$').eq_ignore_ascii_case("in");
    let cmp = || {
        Op::parse(op)
            .ok_or_else(|| invalid(format!("operator `{op}` does not apply to `{attribute}`")))
    };
    match key {
        "area" | "area_code" | "location" | "region_code" => {
            let areas: Vec<String> = match value {
                Value::Array(items) => items.iter().filter_map(text_of).collect(),
                v => text_of(v).into_iter().collect(),
            };
            if !(is_in || cmp()? == Op::Eq) || areas.is_empty() {
                return Err(invalid("`area` takes `eq` or `in` with area codes"));
            }
            Ok(Filter::Area(areas))
        }
        "poverty_score" | "pmt" | "pmt_score" => Ok(Filter::Pmt(cmp()?, number_of(value)?)),
        "group_size" | "household_size" => Ok(Filter::Size(cmp()?, number_of(value)?)),
        "age" => Ok(Filter::Age(cmp()?, number_of(value)?)),
        "sex" | "gender" => {
            if cmp()? != Op::Eq {
                return Err(invalid("`sex` takes `eq`"));
            }
            Ok(Filter::Sex(sex_of(value)?))
        }
        "cnic" | "uin" | "nid" | "bform" | "id_number" => {
            if cmp()? != Op::Eq {
                return Err(invalid("an ID number takes `eq`"));
            }
            Ok(Filter::IdNumber(text_of(value).unwrap_or_default()))
        }
        _ => Err(invalid(format!(
            "`{attribute}` cannot be searched here (area, poverty_score, group_size, CNIC, age, sex)"
        ))),
    }
}

fn predicate(query: &Value) -> Result<Vec<Filter>, Refusal> {
    let items = query
        .as_array()
        .ok_or_else(|| invalid("a predicate query is a list of expressions"))?;
    let mut out = Vec::new();
    for item in items {
        if let Some(c) = item.get("condition").and_then(Value::as_str) {
            if !c.is_empty() && !c.eq_ignore_ascii_case("and") {
                return Err(invalid(format!(
                    "condition `{c}` is not supported; use `and`"
                )));
            }
        }
        let obj = item
            .as_object()
            .ok_or_else(|| invalid("an expression list item is an object"))?;
        let mut keys: Vec<&String> = obj.keys().filter(|k| k.starts_with("expression")).collect();
        keys.sort();
        for k in keys {
            let e = &obj[k];
            // The standard's own examples leave unused expressions as "".
            if e.as_str().is_some_and(str::is_empty) {
                continue;
            }
            let field = |f: &str| e.get(f).and_then(Value::as_str).unwrap_or_default();
            let value = e.get("attribute_value").unwrap_or(&Value::Null);
            out.push(condition(
                field("attribute_name"),
                field("operator"),
                value,
            )?);
        }
    }
    Ok(out)
}

fn nosql(query: &Value) -> Result<Vec<Filter>, Refusal> {
    let q = query
        .pointer("/value/expression/query")
        .ok_or_else(|| invalid("an expression query has value.expression.query"))?;
    let terms: Vec<&Value> = match q.get("$and") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(_) => return Err(invalid("`$and` takes a list")),
        None => vec![q],
    };
    let mut out = Vec::new();
    for t in terms {
        for (attribute, cond) in t.as_object().into_iter().flatten() {
            if attribute.starts_with('$') {
                return Err(invalid(format!(
                    "`{attribute}` is not supported; use `$and`"
                )));
            }
            match cond.as_object() {
                Some(ops) => {
                    for (op, v) in ops {
                        out.push(condition(attribute, op, v)?);
                    }
                }
                None => out.push(condition(attribute, "eq", cond)?),
            }
        }
    }
    Ok(out)
}

/// Reads one `search_request` item; `max_page` bounds `page_size`.
pub fn criteria(item: &Value, max_page: usize) -> Result<Criteria, Refusal> {
    let sc = item
        .get("search_criteria")
        .ok_or_else(|| invalid("no search_criteria"))?;
    let entity = match sc
        .get("response_entity")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("member") | Some("person") => Entity::Member,
        _ => Entity::Group,
    };
    let query = sc.get("query").unwrap_or(&Value::Null);
    let filters = match sc.get("query_type").and_then(Value::as_str).unwrap_or("") {
        "idtype-value" => {
            let kind = query.get("type").and_then(text_of).unwrap_or_default();
            let value = query.get("value").unwrap_or(&Value::Null);
            vec![condition(&kind, "eq", value)?]
        }
        "predicate" => predicate(query)?,
        "expression" if query.is_array() => predicate(query)?,
        "expression" => nosql(query)?,
        other => {
            return Err(invalid(format!(
                "query_type `{other}` is not one of idtype-value, predicate, expression"
            )))
        }
    };
    let mut pmt_order = None;
    for s in sc
        .get("sort")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = s
            .get("attribute_name")
            .and_then(Value::as_str)
            .unwrap_or("");
        if matches!(name, "poverty_score" | "pmt") {
            pmt_order = Some(s.get("sort_order").and_then(Value::as_str) != Some("desc"));
        }
    }
    let page = sc.get("pagination");
    let whole = |k: &str, default: f64| -> Result<usize, Refusal> {
        let v = page.and_then(|p| p.get(k)).map_or(Ok(default), number_of)?;
        if v < 1.0 || v.fract() != 0.0 {
            return Err(Refusal {
                code: "rjct.pagination.invalid",
                message: format!("{k} must be a whole number from 1"),
            });
        }
        Ok(v as usize)
    };
    Ok(Criteria {
        entity,
        filters,
        pmt_order,
        page_size: whole("page_size", 10.0)?.min(max_page),
        page_number: whole("page_number", 1.0)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(query_type: &str, query: Value) -> Value {
        json!({"search_criteria": {"query_type": query_type, "query": query, "response_entity": "Group",
            "pagination": {"page_size": 5, "page_number": 2}}})
    }

    #[test]
    fn the_three_query_types_read_into_filters() {
        let c = criteria(
            &item(
                "idtype-value",
                json!({"type": "CNIC", "value": "35202-1234567-1"}),
            ),
            100,
        )
        .unwrap();
        assert_eq!(c.filters, [Filter::IdNumber("35202-1234567-1".into())]);
        assert_eq!((c.page_size, c.page_number), (5, 2));
        let c = criteria(
            &item("predicate", json!([{"seq_num": 1,
                "expression1": {"attribute_name": "area", "operator": "in", "attribute_value": ["PK-PB", "PK-SD"]},
                "condition": "and",
                "expression2": {"attribute_name": "poverty_score", "operator": "le", "attribute_value": "32.5"}}])),
            100,
        )
        .unwrap();
        assert_eq!(
            c.filters,
            [
                Filter::Area(vec!["PK-PB".into(), "PK-SD".into()]),
                Filter::Pmt(Op::Le, 32.5)
            ]
        );
        let c = criteria(
            &item("expression", json!({"type": "ns:org:QueryType:NoSql", "value": {"expression": {"collection": "Group",
                "query": {"$and": [{"poverty_score": {"$lt": 5}}, {"household_size": {"$lt": 5}}]}}}})),
            3,
        )
        .unwrap();
        assert_eq!(
            c.filters,
            [Filter::Pmt(Op::Lt, 5.0), Filter::Size(Op::Lt, 5.0)]
        );
        assert_eq!(c.page_size, 3, "bounded by the registry's page limit");
    }

    #[test]
    fn what_cannot_be_answered_is_refused_by_name() {
        let e = criteria(&item("predicate", json!([{"expression1": {"attribute_name": "income", "operator": "lt", "attribute_value": 5}}])), 10).unwrap_err();
        assert_eq!(e.code, "rjct.search_criteria.invalid");
        assert!(e.message.contains("income"), "{}", e.message);
        let e = criteria(&item("predicate", json!([{"expression1": {"attribute_name": "age", "operator": "lt", "attribute_value": 5}, "condition": "or"}])), 10).unwrap_err();
        assert!(e.message.contains("or"), "{}", e.message);
        let mut bad_page = item("idtype-value", json!({"type": "CNIC", "value": "1"}));
        bad_page["search_criteria"]["pagination"]["page_number"] = json!(0);
        assert_eq!(
            criteria(&bad_page, 10).unwrap_err().code,
            "rjct.pagination.invalid"
        );
        assert!(criteria(&item("graphql", json!({})), 10).is_err());
    }
}
