//! Exports of households pushed by tablets, on SQLite and on PostgreSQL: CSV and Parquet hold the
//! same values (Parquet read back with the parquet crate, each column with its type), the codebook
//! carries English and Urdu labels and choice lists, the area and since filters narrow the rows, a
//! provincial monitor's export holds no names, CNICs, phones, addresses or GPS, every export is on
//! the access trail, and an area outside the exporter's is refused with nothing written.

mod common;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMillisecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use common::{pushed, run, user, TEHSIL_A, TEHSIL_B};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use shumari_domain::Household;
use shumari_exports::{Format, Manifest, What};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::Storage;
use shumari_scenarios::{on_both, other_area, TestRegistry};
use std::collections::BTreeMap;
use std::path::Path;

on_both!(
    households_and_members_export_as_csv_and_parquet,
    pg_households_and_members_export_as_csv_and_parquet,
    csv_and_parquet
);
on_both!(
    filters_personal_data_audit_and_scope,
    pg_filters_personal_data_audit_and_scope,
    filters_and_rights
);

/// Households pushed by a tablet: three in one tehsil, two in another of the same district.
fn five<S: Storage>(reg: &TestRegistry<S>) -> Vec<Household> {
    pushed(reg, 16, &[TEHSIL_A, TEHSIL_A, TEHSIL_A, TEHSIL_B, TEHSIL_B])
}

/// The CSV as a header and rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|x| x.expect("record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// One Arrow cell spelled as the CSV spells it.
fn cell(col: &dyn Array, i: usize) -> String {
    if col.is_null(i) {
        return String::new();
    }
    match col.data_type() {
        DataType::Utf8 => col.as_string::<i32>().value(i).to_string(),
        DataType::Int64 => col.as_primitive::<Int64Type>().value(i).to_string(),
        DataType::Float64 => col.as_primitive::<Float64Type>().value(i).to_string(),
        DataType::Boolean => col.as_boolean().value(i).to_string(),
        DataType::Date32 => {
            let days = col.as_primitive::<Date32Type>().value(i);
            (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                + chrono::Duration::days(i64::from(days)))
            .format("%Y-%m-%d")
            .to_string()
        }
        DataType::Timestamp(TimeUnit::Millisecond, Some(tz)) if tz.as_ref() == "UTC" => {
            let ms = col.as_primitive::<TimestampMillisecondType>().value(i);
            chrono::DateTime::from_timestamp_millis(ms)
                .unwrap()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
        }
        other => panic!("unexpected type {other}"),
    }
}

/// The Parquet file's column types by name, and its rows spelled as CSV cells.
fn read_parquet(path: &Path) -> (BTreeMap<String, DataType>, Vec<Vec<String>>) {
    let b = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let types = b
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect();
    let mut rows = Vec::new();
    for batch in b.build().unwrap() {
        let batch: RecordBatch = batch.unwrap();
        for i in 0..batch.num_rows() {
            rows.push(
                batch
                    .columns()
                    .iter()
                    .map(|c| cell(c.as_ref(), i))
                    .collect(),
            );
        }
    }
    (types, rows)
}

fn csv_and_parquet<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let households = five(reg);
    let district = user(reg, "district", &["PK101"]);
    let dir = tempfile::tempdir().unwrap();
    let (c, p) = (dir.path().join("csv"), dir.path().join("parquet"));

    let m = run(
        reg,
        &district,
        What::Households,
        Format::Csv,
        None,
        None,
        &c,
    )
    .expect("csv");
    assert_eq!((m.rows, m.personal_data), (5, true));
    let (header, rows) = read_csv(&c.join("households.csv"));
    assert_eq!(rows.len(), 5);
    assert_eq!(header.len(), m.columns);
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    for h in &households {
        let row = rows
            .iter()
            .find(|r| r[col("id")] == h.id.to_string())
            .expect("every pushed household");
        assert_eq!(row[col("reference")], h.reference);
        assert_eq!(row[col("area")], h.area);
        assert_eq!(
            (
                &row[col("province")][..],
                &row[col("district")][..],
                &row[col("tehsil")][..]
            ),
            ("PK1", "PK101", h.area.as_str())
        );
        assert_eq!(row[col("address")], h.answers["address"].as_str().unwrap());
        assert_eq!(row[col("rooms")], h.answers["rooms"].to_string());
        // select_multiple: the space-separated names.
        let assets = h
            .answers
            .get("assets")
            .and_then(|v| v.as_str())
            .unwrap_or("");
        assert_eq!(row[col("assets")], assets.trim());
        assert_eq!(row[col("consent")], "true");
        assert_eq!(row[col("form_id")], "nser-household");
    }
    // Rows in (area, id) order: the tehsils one after the other.
    let areas: Vec<&str> = rows.iter().map(|r| r[col("area")].as_str()).collect();
    assert_eq!(areas, [TEHSIL_A, TEHSIL_A, TEHSIL_A, TEHSIL_B, TEHSIL_B]);

    // The same export as Parquet: the same values, typed.
    let mp = run(
        reg,
        &district,
        What::Households,
        Format::Parquet,
        None,
        None,
        &p,
    )
    .expect("pq");
    assert_eq!(mp.rows, 5);
    let (types, prows) = read_parquet(&p.join("households.parquet"));
    assert_eq!(prows, rows, "Parquet and CSV hold the same values");
    let tz = Some("UTC".into());
    assert_eq!(types["id"], DataType::Utf8);
    assert_eq!(types["rooms"], DataType::Int64);
    assert_eq!(types["land_owned"], DataType::Float64);
    assert_eq!(types["gps_latitude"], DataType::Float64);
    assert_eq!(types["consent"], DataType::Boolean);
    assert_eq!(
        types["created_at"],
        DataType::Timestamp(TimeUnit::Millisecond, tz)
    );
    assert_eq!(types["assets"], DataType::Utf8);

    // Members: one row per member, dates as dates.
    let mm = run(
        reg,
        &district,
        What::Members,
        Format::Parquet,
        None,
        None,
        &p,
    )
    .expect("members");
    let members: usize = households.iter().map(|h| h.members.len()).sum();
    assert_eq!(mm.rows as usize, members);
    let (types, prows) = read_parquet(&p.join("members.parquet"));
    assert_eq!(types["dob"], DataType::Date32);
    assert_eq!(types["age"], DataType::Int64);
    assert_eq!(types["line"], DataType::Int64);
    let mc = run(reg, &district, What::Members, Format::Csv, None, None, &c).expect("members csv");
    let (mheader, mrows) = read_csv(&c.join("members.csv"));
    assert_eq!((mc.rows as usize, &mrows), (members, &prows));
    let mcol = |n: &str| mheader.iter().position(|h| h == n).unwrap();
    let head = &households[0].members[0];
    let row = mrows
        .iter()
        .find(|r| r[mcol("member_id")] == head.id.to_string())
        .expect("the head");
    assert_eq!(row[mcol("household_reference")], households[0].reference);
    assert_eq!(row[mcol("name")], head.name);
    assert_eq!(row[mcol("relation")], "head");
    assert_eq!(
        row[mcol("id_number")],
        head.id_number
            .as_ref()
            .map(|n| n.digits().to_string())
            .unwrap_or_default()
    );

    // The codebook: labels in both languages, choices with theirs.
    let book: serde_json::Value =
        serde_json::from_slice(&std::fs::read(c.join("households.codebook.json")).unwrap())
            .unwrap();
    let cols = book["columns"].as_array().unwrap();
    assert_eq!(cols.len(), header.len());
    let assets = cols.iter().find(|c| c["name"] == "assets").unwrap();
    assert_eq!(assets["type"], "text");
    assert!(!assets["label"]["ur"].as_str().unwrap().is_empty());
    assert_ne!(assets["label"]["en"], assets["label"]["ur"]);
    let choices = assets["choices"].as_array().unwrap();
    assert!(choices.len() > 3);
    assert!(choices
        .iter()
        .all(|c| !c["label"]["ur"].as_str().unwrap().is_empty()));
    let rooms = cols.iter().find(|c| c["name"] == "rooms").unwrap();
    assert_eq!(rooms["type"], "integer");
    let (bh, brows) = read_csv(&c.join("households.codebook.csv"));
    assert_eq!(
        bh,
        [
            "column",
            "type",
            "label_en",
            "label_ur",
            "choice",
            "choice_label_en",
            "choice_label_ur"
        ]
    );
    assert!(brows
        .iter()
        .any(|r| r[0] == "assets" && !r[4].is_empty() && !r[6].is_empty()));

    // The manifest: each file's SHA-256 and size.
    let on_disk: Manifest =
        serde_json::from_slice(&std::fs::read(p.join("households.manifest.json")).unwrap())
            .unwrap();
    assert_eq!(on_disk, mp);
    assert_eq!(mp.data_file(), "households.parquet");
    for f in &mp.files {
        let bytes = std::fs::read(p.join(&f.name)).unwrap();
        assert_eq!(f.bytes, bytes.len() as u64);
        use sha2::Digest;
        assert_eq!(
            f.sha256,
            hex::encode(sha2::Sha256::digest(&bytes)),
            "{}",
            f.name
        );
    }
}

fn filters_and_rights<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let households = five(reg);
    let district = user(reg, "district", &["PK101"]);
    let province = user(reg, "province", &["PK1"]);
    let dir = tempfile::tempdir().unwrap();
    let out = |n: &str| dir.path().join(n);

    // --area: one tehsil.
    let m = run(
        reg,
        &district,
        What::Households,
        Format::Csv,
        Some(TEHSIL_B),
        None,
        &out("b"),
    )
    .expect("area");
    assert_eq!(m.rows, 2);
    assert_eq!(m.filters.area.as_deref(), Some(TEHSIL_B));
    // --since: households changed on or after a day.
    let today = chrono::Utc::now().date_naive();
    let later = (today + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let earlier = (today - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let none = run(
        reg,
        &district,
        What::Households,
        Format::Csv,
        None,
        Some(&later),
        &out("l"),
    )
    .expect("since later");
    assert_eq!(none.rows, 0);
    let (_, rows) = read_csv(&out("l").join("households.csv"));
    assert!(rows.is_empty());
    let all = run(
        reg,
        &district,
        What::Members,
        Format::Csv,
        None,
        Some(&earlier),
        &out("e"),
    )
    .expect("since earlier");
    assert_eq!(
        all.rows as usize,
        households.iter().map(|h| h.members.len()).sum::<usize>()
    );

    // A provincial monitor: no names, CNICs, phones, addresses or GPS, in data or codebook.
    for what in [What::Households, What::Members] {
        for format in [Format::Csv, Format::Parquet] {
            let d = out(&format!("p-{}-{}", what.as_str(), format.as_str()));
            let m = run(reg, &province, what, format, None, None, &d).expect("monitor");
            assert!(!m.personal_data);
            let names: Vec<String> = match format {
                Format::Csv => read_csv(&d.join(m.data_file())).0,
                Format::Parquet => read_parquet(&d.join(m.data_file())).0.into_keys().collect(),
            };
            for personal in [
                "name",
                "id_number",
                "id_issued",
                "phone",
                "address",
                "respondent",
                "gps_latitude",
                "gps_longitude",
            ] {
                assert!(
                    !names.iter().any(|n| n == personal),
                    "{personal} in {names:?}"
                );
            }
            let bytes = std::fs::read(d.join(m.data_file())).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for h in &households {
                for mem in &h.members {
                    assert!(!text.contains(&mem.name), "a name in the monitor's export");
                    if let Some(n) = &mem.id_number {
                        assert!(!text.contains(n.digits()), "a CNIC in the monitor's export");
                    }
                }
            }
            let book =
                std::fs::read_to_string(d.join(format!("{}.codebook.csv", what.as_str()))).unwrap();
            assert!(!book
                .lines()
                .any(|l| l.starts_with("name,") || l.starts_with("id_number,")));
            if what == What::Households {
                assert!(names.iter().any(|n| n == "rooms"), "the rest is there");
            }
        }
    }

    // An area outside the exporter's: refused, nothing written.
    let elsewhere = other_area();
    let e = run(
        reg,
        &district,
        What::Households,
        Format::Csv,
        Some(&elsewhere),
        None,
        &out("x"),
    )
    .expect_err("out of scope");
    assert!(matches!(
        e,
        shumari_exports::ExportError::Registry(shumari_registry::RegistryError::Forbidden(_))
    ));
    assert!(!out("x").exists());
    // An administrator reads no households, so exports none.
    let admin = user(reg, "administrator", &["PK1"]);
    assert!(run(
        reg,
        &admin,
        What::Households,
        Format::Csv,
        None,
        None,
        &out("a")
    )
    .is_err());

    // Every export is on the access trail: what, which area, rows, personal data or not.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 10_000))
        .expect("trail");
    let exports: Vec<_> = trail.iter().filter(|r| r.action == "data.export").collect();
    assert_eq!(exports.len(), 3 + 4);
    let area_row = exports
        .iter()
        .find(|r| r.subject.as_deref() == Some(TEHSIL_B))
        .expect("the area's export");
    assert_eq!(area_row.actor, district.id);
    let detail = area_row.detail.as_deref().unwrap();
    assert!(
        detail.contains("dataset=households") && detail.contains("rows=2"),
        "{detail}"
    );
    assert!(
        detail.contains("format=csv") && detail.contains("personal=true"),
        "{detail}"
    );
    let monitor_rows: Vec<_> = exports.iter().filter(|r| r.actor == province.id).collect();
    assert_eq!(monitor_rows.len(), 4);
    assert!(monitor_rows
        .iter()
        .all(|r| r.detail.as_deref().unwrap().contains("personal=false")));
}
