//! Exports of payments and grievances, on SQLite and on PostgreSQL: a payment cycle of households
//! pushed by a tablet and grievances filed by citizens, exported by the district office (with the
//! payees' names and CNICs and the citizens' phones and words) and by a provincial monitor
//! (without them, in the data and the codebook, CSV and Parquet alike); the area and since filters
//! narrow the rows; every export is on the access trail.

mod common;

use arrow_schema::DataType;
use common::{pushed, run, user, TEHSIL_A, TEHSIL_B};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use shumari_domain::money::Paisa;
use shumari_domain::PlannedPayment;
use shumari_exports::{Format, Manifest, What};
use shumari_registry::service::{Category, Channel, CitizenFiling};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::User;
use shumari_registry::Storage;
use shumari_scenarios::{on_both, TestRegistry};
use std::collections::BTreeMap;
use std::path::Path;

on_both!(
    payments_and_grievances_export_within_the_role_table,
    pg_payments_and_grievances_export_within_the_role_table,
    payments_and_grievances
);

/// Runs an export that must succeed.
fn ok<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    u: &User,
    what: What,
    format: Format,
    area: Option<&str>,
    since: Option<&str>,
    dir: &Path,
) -> Manifest {
    run(reg, u, what, format, area, since, dir).expect("export")
}

/// The CSV's header and rows, each row as (column -> cell).
fn read_csv(path: &Path) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut r = csv::Reader::from_path(path).expect("csv");
    let header: Vec<String> = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|x| {
            header
                .iter()
                .cloned()
                .zip(x.expect("record").iter().map(String::from))
                .collect()
        })
        .collect();
    (header, rows)
}

/// The Parquet file's column types by name and its row count.
fn read_parquet(path: &Path) -> (BTreeMap<String, DataType>, usize) {
    let b = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let types = b
        .schema()
        .fields()
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect();
    let rows = b.build().unwrap().map(|b| b.unwrap().num_rows()).sum();
    (types, rows)
}

fn payments_and_grievances<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let households = pushed(reg, 7, &[TEHSIL_A, TEHSIL_A, TEHSIL_B]);
    let officer = user(reg, "programme", &["PK101"]);
    let district = user(reg, "district", &["PK101"]);
    let province = user(reg, "province", &["PK1"]);
    // A cycle paying each household's first member holding a CNIC; two citizens' grievances.
    let lines: Vec<PlannedPayment> = households
        .iter()
        .map(|h| {
            let payee = h
                .members
                .iter()
                .find(|m| m.id_number.is_some())
                .expect("a member with a CNIC");
            PlannedPayment {
                household_id: h.id,
                reference: h.reference.clone(),
                area: h.area.clone(),
                payee_member: payee.id,
                payee_name: payee.name.clone(),
                payee_cnic: payee.id_number.as_ref().unwrap().digits().to_string(),
                amount: Paisa::rupees(10_500),
                basis: "per household".into(),
            }
        })
        .collect();
    let now = chrono::Utc::now().timestamp_millis();
    reg.rt
        .block_on(async {
            reg.reg
                .create_cycle(&officer, "kafalat", "2026-Q4", lines.clone())
                .await?;
            for (h, category) in households
                .iter()
                .zip([Category::NotPaid, Category::WrongData])
            {
                reg.reg
                    .file_citizen_grievance(
                        CitizenFiling {
                            household: Some(h.id),
                            area: String::new(),
                            category,
                            text: "Nothing arrived for Razia".into(),
                            phone: "03001234567".into(),
                            channel: Channel::Portal,
                            payment_reference: None,
                            reported_amount: None,
                        },
                        now,
                    )
                    .await?;
            }
            Ok::<_, shumari_registry::RegistryError>(())
        })
        .expect("a cycle and two grievances");

    let dir = tempfile::tempdir().unwrap();
    let out = |n: &str| dir.path().join(n);

    // The district office: every payment with its payee, every grievance with the citizen's words.
    let m = ok(
        reg,
        &district,
        What::Payments,
        Format::Csv,
        None,
        None,
        &out("dp"),
    );
    assert!(m.personal_data);
    assert_eq!(m.rows, 3);
    let (header, rows) = read_csv(&out("dp").join("payments.csv"));
    assert_eq!(
        header[..4],
        ["reference", "cycle_id", "programme_id", "period"]
    );
    let mut cnics: Vec<&str> = rows.iter().map(|r| r["payee_cnic"].as_str()).collect();
    let mut planned: Vec<&str> = lines.iter().map(|l| l.payee_cnic.as_str()).collect();
    cnics.sort_unstable();
    planned.sort_unstable();
    assert_eq!(cnics, planned);
    assert!(rows.iter().all(|r| r["programme_id"] == "kafalat"
        && r["period"] == "2026-Q4"
        && r["status"] == "planned"
        && r["planned_paisa"] == "1050000"));
    let book = std::fs::read_to_string(out("dp").join("payments.codebook.csv")).unwrap();
    assert!(book.contains("Payee CNIC") && book.contains("ادا شدہ"));

    let m = ok(
        reg,
        &district,
        What::Grievances,
        Format::Csv,
        None,
        None,
        &out("dg"),
    );
    assert_eq!(m.rows, 2);
    let (_, rows) = read_csv(&out("dg").join("grievances.csv"));
    let mut categories: Vec<&str> = rows.iter().map(|r| r["category"].as_str()).collect();
    categories.sort_unstable();
    assert_eq!(categories, ["not_paid", "wrong_data"]);
    assert!(rows.iter().all(|r| r["phone"] == "03001234567"
        && r["tracking"].starts_with("GRV-PK101-")
        && r["past_sla"] == "false"));

    // --area narrows to one tehsil; --since after today leaves nothing.
    let m = ok(
        reg,
        &district,
        What::Payments,
        Format::Csv,
        Some(TEHSIL_B),
        None,
        &out("a"),
    );
    assert_eq!(m.rows, 1);
    let later = (chrono::Utc::now().date_naive() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    for what in [What::Payments, What::Grievances] {
        let d = out(&format!("l-{}", what.as_str()));
        assert_eq!(
            ok(reg, &district, what, Format::Csv, None, Some(&later), &d).rows,
            0
        );
    }

    // A provincial monitor: the same rows without names, CNICs, phones or the citizens' words.
    for what in [What::Payments, What::Grievances] {
        for format in [Format::Csv, Format::Parquet] {
            let d = out(&format!("p-{}-{}", what.as_str(), format.as_str()));
            let m = ok(reg, &province, what, format, None, None, &d);
            assert!(!m.personal_data);
            assert_eq!(m.rows, if what == What::Payments { 3 } else { 2 });
            let names: Vec<String> = match format {
                Format::Csv => read_csv(&d.join(m.data_file())).0,
                Format::Parquet => {
                    let (types, n) = read_parquet(&d.join(m.data_file()));
                    assert_eq!(n as u64, m.rows);
                    if what == What::Payments {
                        assert_eq!(types["planned_paisa"], DataType::Int64);
                    }
                    types.into_keys().collect()
                }
            };
            for personal in [
                "payee_name",
                "payee_cnic",
                "phone",
                "citizen_text",
                "resolution",
            ] {
                assert!(
                    !names.iter().any(|n| n == personal),
                    "{personal} in {names:?}"
                );
            }
            let text = String::from_utf8_lossy(&std::fs::read(d.join(m.data_file())).unwrap())
                .into_owned();
            for l in &lines {
                assert!(
                    !text.contains(&l.payee_cnic),
                    "a CNIC in the monitor's export"
                );
                assert!(
                    !text.contains(&l.payee_name),
                    "a name in the monitor's export"
                );
            }
            assert!(!text.contains("03001234567") && !text.contains("Razia"));
            let book =
                std::fs::read_to_string(d.join(format!("{}.codebook.csv", what.as_str()))).unwrap();
            assert!(!book.contains("payee_cnic") && !book.contains("citizen_text"));
        }
    }

    // Every export is on the access trail with its dataset and whether it held personal data.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 10_000))
        .expect("trail");
    let exports: Vec<_> = trail.iter().filter(|r| r.action == "data.export").collect();
    assert_eq!(exports.len(), 5 + 4);
    let detail = |actor: &str, dataset: &str| {
        exports
            .iter()
            .filter(|r| r.actor == actor)
            .filter_map(|r| r.detail.clone())
            .filter(|d| d.contains(&format!("dataset={dataset} ")))
            .collect::<Vec<_>>()
    };
    assert_eq!(detail(&district.id, "payments").len(), 3);
    assert_eq!(detail(&district.id, "grievances").len(), 2);
    assert!(detail(&province.id, "grievances")
        .iter()
        .all(|d| d.contains("personal=false")));
    assert!(!format!("{trail:?}").contains("03001234567"));
}
