//! `households`: one row per household. First the columns the registry knows about every
//! household (id, reference, area and its province, district and tehsil codes, status, who made
//! and last changed it and when, GPS, the questionnaire's id and version), then one column per
//! household-level question of the questionnaire, named after the question.

use super::{Dataset, HouseholdPages, Row};
use crate::column::{question_columns, Column};
use crate::error::ExportError;
use crate::value::{ColumnType, Value};
use shumari_domain::{AreaLevel, AreaRegistry, Household};
use shumari_forms::household_form;
use shumari_registry::service::ExportGrant;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Registry, Storage};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The questions that are columns of their own here: `area` and `gps` are the household's, not
/// answers.
const OWN: &[&str] = &[
    "id",
    "reference",
    "area",
    "province",
    "district",
    "tehsil",
    "status",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "gps",
    "gps_latitude",
    "gps_longitude",
    "gps_accuracy",
    "form_id",
    "form_version",
];

/// The workflow's statuses with their names in both languages (the field app's).
const STATUSES: &[(&str, &str, &str)] = &[
    ("draft", "Draft", "مسودہ"),
    ("complete", "Complete", "مکمل"),
    ("submitted", "Submitted", "جمع شدہ"),
    ("returned", "Returned", "واپس کیا گیا"),
    ("approved", "Approved", "منظور شدہ"),
    ("rejected", "Rejected", "مسترد"),
];

/// Every column of the dataset.
pub(super) fn columns() -> Vec<Column> {
    use ColumnType::*;
    let mut c = vec![
        Column::fixed("id", Text, "Household id", "گھرانے کی آئی ڈی"),
        Column::fixed("reference", Text, "Reference number", "حوالہ نمبر"),
        Column::fixed("area", Text, "Area code", "علاقے کا کوڈ"),
        Column::fixed("province", Text, "Province code", "صوبے کا کوڈ"),
        Column::fixed("district", Text, "District code", "ضلع کا کوڈ"),
        Column::fixed("tehsil", Text, "Tehsil code", "تحصیل کا کوڈ"),
        Column::fixed("status", Text, "Status", "حیثیت").with_choices(STATUSES),
        Column::fixed(
            "created_at",
            Timestamp,
            "Created at (UTC)",
            "بنانے کا وقت (UTC)",
        ),
        Column::fixed("created_by", Text, "Created by", "بنانے والا"),
        Column::fixed(
            "updated_at",
            Timestamp,
            "Last changed at (UTC)",
            "آخری تبدیلی کا وقت (UTC)",
        ),
        Column::fixed(
            "updated_by",
            Text,
            "Last changed by",
            "آخری تبدیلی کرنے والا",
        ),
        Column::fixed("gps_latitude", Decimal, "GPS latitude", "جی پی ایس عرض بلد"),
        Column::fixed(
            "gps_longitude",
            Decimal,
            "GPS longitude",
            "جی پی ایس طول بلد",
        ),
        Column::fixed(
            "gps_accuracy",
            Decimal,
            "GPS accuracy (metres)",
            "جی پی ایس کی درستگی (میٹر)",
        ),
        Column::fixed("form_id", Text, "Questionnaire id", "سوالنامے کی آئی ڈی"),
        Column::fixed(
            "form_version",
            Text,
            "Questionnaire version",
            "سوالنامے کا ورژن",
        ),
    ];
    c.extend(question_columns(household_form(), None, OWN));
    c
}

/// The province, district and tehsil codes of an area (empty where the area is not under one).
fn levels(area: &str) -> [String; 3] {
    static AREAS: OnceLock<AreaRegistry> = OnceLock::new();
    let areas = AREAS.get_or_init(AreaRegistry::builtin);
    // Union councils and villages are added at run time under a tehsil's P-code.
    let base = area.split('-').next().unwrap_or(area);
    let mut out: [String; 3] = Default::default();
    for a in areas.path(base).unwrap_or_default() {
        let i = match a.level {
            AreaLevel::Province => 0,
            AreaLevel::District => 1,
            AreaLevel::Tehsil => 2,
            _ => continue,
        };
        out[i] = a.code.clone();
    }
    out
}

/// The export of households.
#[derive(Debug)]
pub struct Households {
    columns: Vec<Column>,
    pages: HouseholdPages,
    levels: HashMap<String, [String; 3]>,
}

impl Households {
    /// The households of `grant`, changed at or after `since` (ms since epoch) when given.
    pub fn new(grant: ExportGrant, since: Option<i64>) -> Households {
        Households {
            columns: columns(),
            pages: HouseholdPages::new(grant, since),
            levels: HashMap::new(),
        }
    }

    fn row(&mut self, h: &Household) -> Row {
        let [province, district, tehsil] = self
            .levels
            .entry(h.area.clone())
            .or_insert_with(|| levels(&h.area))
            .clone();
        let gps = h.gps.as_ref();
        let mut row = vec![
            Value::Text(h.id.to_string()),
            Value::text(h.reference.as_str()),
            Value::text(h.area.as_str()),
            Value::text(province),
            Value::text(district),
            Value::text(tehsil),
            Value::Text(h.status.as_str().to_string()),
            Value::Timestamp(h.created_at),
            Value::text(h.created_by.as_str()),
            Value::Timestamp(h.updated_at),
            Value::text(h.updated_by.as_str()),
            gps.map_or(Value::Null, |g| Value::Float(g.lat)),
            gps.map_or(Value::Null, |g| Value::Float(g.lon)),
            gps.and_then(|g| g.accuracy)
                .map_or(Value::Null, Value::Float),
            Value::text(h.form_id.as_str()),
            Value::text(h.form_version.as_str()),
        ];
        let own = row.len();
        row.extend(
            self.columns[own..]
                .iter()
                .map(|c| Value::from_answer(c.kind, h.answers.get(&c.name))),
        );
        row
    }
}

impl<S: Storage + ConsoleStorage> Dataset<S> for Households {
    fn columns(&self) -> &[Column] {
        &self.columns
    }

    async fn next_page(&mut self, reg: &Registry<S>) -> Result<Option<Vec<Row>>, ExportError> {
        let Some(households) = self.pages.next(reg).await? else {
            return Ok(None);
        };
        Ok(Some(households.iter().map(|h| self.row(h)).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_knows_its_province_district_and_tehsil() {
        assert_eq!(levels("PK10101"), ["PK1", "PK101", "PK10101"]);
        assert_eq!(levels("PK10101-UC012-V03"), ["PK1", "PK101", "PK10101"]);
        assert_eq!(
            levels("PK101"),
            ["PK1".to_string(), "PK101".into(), String::new()]
        );
    }

    #[test]
    fn questions_follow_the_registrys_own_columns_once_each() {
        let c = columns();
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names[..3], ["id", "reference", "area"]);
        for q in [
            "address",
            "phone",
            "rooms",
            "assets",
            "consent",
            "land_owned",
        ] {
            assert_eq!(names.iter().filter(|n| **n == q).count(), 1, "{q}");
        }
        // Members' questions are the members dataset's; calculations store nothing.
        assert!(!names.contains(&"relation") && !names.contains(&"household_size"));
        let assets = c.iter().find(|c| c.name == "assets").unwrap();
        assert!(!assets.choices.is_empty());
        assert_eq!(
            c.iter().find(|c| c.name == "rooms").unwrap().kind,
            ColumnType::Integer
        );
    }
}
