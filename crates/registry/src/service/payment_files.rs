//! The files of a payment cycle's exchange with the bank or payment agency, read and written with
//! the `csv` crate; no IO here, only bytes. Amounts in files are rupees with two decimals
//! (`10500.00`); everywhere else they are integers in paisa ([`Paisa`]).
//!
//! **Payment list** ([`write_payment_list`]): one row per payment of one district,
//! `payment_reference,household_reference,payee_name,cnic,amount,district`, and a [`CycleManifest`]
//! beside it (cycle, programme, period, district, row count, total in paisa, the CSV's SHA-256, when
//! it was made), so the bank can tell a whole file from a cut or altered one
//! ([`CycleManifest::check`]).
//!
//! **Bank result** ([`parse_bank_file`]): `reference,cnic,status,amount_paid,date,agent_id,reason`,
//! one row per payment the bank attempted; `status` is `paid` or `failed`. A paid row gives the
//! amount paid (more than zero) and the date; a failed row gives the reason. The whole file is checked
//! before anything is applied: every line's problem is reported with its line number
//! ([`BankFileError::Lines`]), and one bad line refuses the file. What needs the registry's rows (is
//! the reference known, is the CNIC the payee's, is the amount within the planned one) is checked by
//! the service, which adds its problems to the same list.
//!
//! **Reconciliation** ([`write_reconciliation`]): the report as CSV, one row per figure.

use super::payment_results::Reconciliation;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shumari_domain::money::Paisa;
use shumari_domain::IdNumber;
use std::collections::BTreeMap;

/// Problems by line: (line number, what is wrong).
pub(super) type LineProblems = Vec<(u64, String)>;

/// What is wrong with a bank file: the one "file refused by line" error of the registry's file
/// exchanges (the NADRA result file's too).
pub use super::identity_files::FileError as BankFileError;
use super::identity_files::ReceivedCsv;

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One payment as the bank's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// Payment reference.
    pub payment_reference: String,
    /// The household's reference number.
    pub household_reference: String,
    /// The payee's name.
    pub payee_name: String,
    /// The payee's CNIC, 13 digits.
    pub cnic: String,
    /// The amount to pay.
    pub amount: Paisa,
    /// The district.
    pub district: String,
}

/// The manifest written beside a district's payment list (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CycleManifest {
    /// Cycle id.
    pub cycle: String,
    /// The programme.
    pub programme: String,
    /// The period.
    pub period: String,
    /// The district of the list.
    pub district: String,
    /// Data rows in the CSV (the header not counted).
    pub rows: u64,
    /// Total of the amounts, paisa.
    pub total_paisa: i64,
    /// SHA-256 of the CSV, lowercase hex.
    pub sha256: String,
    /// When the list was made (RFC 3339).
    pub created_at: String,
}

impl CycleManifest {
    /// Refuses `csv` unless it is the list this manifest describes (SHA-256, rows and total).
    pub fn check(&self, csv: &[u8]) -> Result<(), BankFileError> {
        let sha = sha256_hex(csv);
        if !sha.eq_ignore_ascii_case(&self.sha256) {
            return Err(BankFileError::Manifest(format!(
                "its SHA-256 is {sha}, the manifest says {}",
                self.sha256
            )));
        }
        let mut rows = 0u64;
        let mut total = Paisa::ZERO;
        for r in csv::Reader::from_reader(csv).records() {
            let r = r.map_err(|e| BankFileError::Manifest(e.to_string()))?;
            rows += 1;
            total += r
                .get(4)
                .and_then(|a| Paisa::parse_rupees(a).ok())
                .unwrap_or_default();
        }
        if rows != self.rows || total.0 != self.total_paisa {
            return Err(BankFileError::Manifest(format!(
                "it holds {rows} rows for {total}, the manifest says {} for {}",
                self.rows,
                Paisa(self.total_paisa)
            )));
        }
        Ok(())
    }
}

/// The bank's payment list of `rows` (one district), and its SHA-256.
pub fn write_payment_list(rows: &[ListRow]) -> (Vec<u8>, String) {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = w.write_record([
        "payment_reference",
        "household_reference",
        "payee_name",
        "cnic",
        "amount",
        "district",
    ]);
    for r in rows {
        let _ = w.write_record([
            r.payment_reference.as_str(),
            &r.household_reference,
            &r.payee_name,
            &r.cnic,
            &r.amount.plain(),
            &r.district,
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    let sha = sha256_hex(&bytes);
    (bytes, sha)
}

/// What the bank says happened to one payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BankStatus {
    /// The payee was paid.
    Paid,
    /// The payment could not be made.
    Failed,
}

impl BankStatus {
    /// The status as stored and written.
    pub fn as_str(self) -> &'static str {
        match self {
            BankStatus::Paid => "paid",
            BankStatus::Failed => "failed",
        }
    }
}

/// One result line as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankLine {
    /// Its line number in the file (the header is line 1).
    pub line: u64,
    /// Payment reference.
    pub reference: String,
    /// The CNIC the bank paid (or tried), 13 digits.
    pub cnic: String,
    /// Paid or failed.
    pub status: BankStatus,
    /// Amount paid (zero for a failure).
    pub amount_paid: Paisa,
    /// Date paid or attempted, `YYYY-MM-DD` (may be absent for a failure).
    pub date: Option<chrono::NaiveDate>,
    /// The agent or retailer who paid.
    pub agent_id: Option<String>,
    /// Why it failed.
    pub reason: Option<String>,
}

/// Reads the bank's result file, refusing it whole when any line is wrong.
pub fn parse_bank_file(bytes: &[u8]) -> Result<Vec<BankLine>, BankFileError> {
    let (lines, problems) = read_bank_file(bytes)?;
    if !problems.is_empty() {
        return Err(BankFileError::Lines(problems));
    }
    Ok(lines)
}

/// Reads the bank's result file: the lines that read and every line's problem, so the service can
/// add the problems only the registry's rows reveal before it refuses the file. A header that is
/// not the format's, or a file without rows, is an error at once.
pub(super) fn read_bank_file(bytes: &[u8]) -> Result<(Vec<BankLine>, LineProblems), BankFileError> {
    let ReceivedCsv {
        header,
        records,
        mut problems,
    } = ReceivedCsv::read(bytes)?;
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let cols = (
        col(&["reference", "payment_reference"]),
        col(&["cnic"]),
        col(&["status"]),
        col(&["amount_paid", "amount"]),
        col(&["date", "paid_on"]),
    );
    let (Some(c_ref), Some(c_cnic), Some(c_status), Some(c_amount), Some(c_date)) = cols else {
        return Err(BankFileError::Header(format!(
            "the header must name the columns reference, cnic, status, amount_paid, date (and \
             agent_id, reason); it is `{}`",
            header.join(",")
        )));
    };
    let c_agent = col(&["agent_id", "retailer_id", "agent"]);
    let c_reason = col(&["reason", "failure_reason"]);
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, u64> = BTreeMap::new();
    for (line, record) in records {
        let get = |c: usize| record.get(c).unwrap_or("");
        let opt = |c: Option<usize>| c.map(get).filter(|s| !s.is_empty()).map(str::to_string);
        let mut wrong = Vec::new();
        let reference = get(c_ref).to_string();
        if reference.is_empty() {
            wrong.push("no payment reference".to_string());
        } else if let Some(first) = seen.get(&reference) {
            wrong.push(format!("reference {reference} is also on line {first}"));
        } else {
            seen.insert(reference.clone(), line);
        }
        let cnic = match IdNumber::parse("cnic", get(c_cnic)) {
            Ok(n) => n.digits().to_string(),
            Err(e) => {
                wrong.push(e.to_string());
                String::new()
            }
        };
        let status = match get(c_status).to_ascii_lowercase().as_str() {
            "paid" => Some(BankStatus::Paid),
            "failed" => Some(BankStatus::Failed),
            other => {
                wrong.push(format!("status `{other}` is neither paid nor failed"));
                None
            }
        };
        let amount = match get(c_amount) {
            "" => None,
            a => match Paisa::parse_rupees(a) {
                Ok(p) => Some(p),
                Err(e) => {
                    wrong.push(e.to_string());
                    None
                }
            },
        };
        let date = match get(c_date) {
            "" => None,
            d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    wrong.push(format!("`{d}` is not a date (write it like 2026-10-15)"));
                    None
                }
            },
        };
        let reason = opt(c_reason);
        match status {
            Some(BankStatus::Paid) => {
                // An unreadable amount or date is named above.
                match (get(c_amount).is_empty(), amount) {
                    (true, _) => wrong.push("a paid row gives the amount paid".into()),
                    (false, Some(Paisa::ZERO)) => {
                        wrong.push("a paid row pays more than zero".into());
                    }
                    _ => {}
                }
                if get(c_date).is_empty() {
                    wrong.push("a paid row gives the date paid".into());
                }
            }
            Some(BankStatus::Failed) => {
                if amount.is_some_and(|a| a != Paisa::ZERO) {
                    wrong.push("a failed row pays nothing (leave amount_paid empty or 0)".into());
                }
                if reason.is_none() {
                    wrong.push("a failed row gives the reason".into());
                }
            }
            None => {}
        }
        if !wrong.is_empty() {
            problems.push((line, wrong.join(", ")));
            continue;
        }
        let Some(status) = status else { continue };
        out.push(BankLine {
            line,
            reference,
            cnic,
            status,
            amount_paid: amount.unwrap_or_default(),
            date,
            agent_id: opt(c_agent),
            reason: if status == BankStatus::Failed {
                reason
            } else {
                None
            },
        });
    }
    if out.is_empty() && problems.is_empty() {
        return Err(BankFileError::Empty);
    }
    problems.sort();
    Ok((out, problems))
}

/// The reconciliation report as CSV: one row per figure,
/// `district,figure,reason,payment_reference,grievance,count,amount_paisa,amount`.
pub fn write_reconciliation(report: &Reconciliation) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "district",
        "figure",
        "reason",
        "payment_reference",
        "grievance",
        "count",
        "amount_paisa",
        "amount",
    ]);
    let mut row =
        |district: &str, figure: &str, reason: &str, r: &str, g: &str, n: u64, a: Paisa| {
            let _ = w.write_record([
                district,
                figure,
                reason,
                r,
                g,
                &n.to_string(),
                &a.0.to_string(),
                &a.plain(),
            ]);
        };
    for d in &report.districts {
        let name = d.district.as_str();
        row(
            name,
            "planned",
            "",
            "",
            "",
            d.planned_count,
            d.planned_amount,
        );
        row(name, "paid", "", "", "", d.paid_count, d.paid_amount);
        row(name, "failed", "", "", "", d.failed_count, d.failed_amount);
        for f in &d.failed_by_reason {
            row(name, "failed", &f.reason, "", "", f.count, f.amount);
        }
        row(
            name,
            "unclaimed",
            "",
            "",
            "",
            d.unclaimed_count,
            d.unclaimed_amount,
        );
    }
    for s in &report.shortfalls {
        row(
            &s.district,
            "reported_shortfall",
            "",
            &s.payment_reference,
            &s.grievance,
            1,
            s.shortfall,
        );
    }
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "reference,cnic,status,amount_paid,date,agent_id,reason\n";

    fn file(rows: &str) -> Vec<u8> {
        format!("{HEADER}{rows}").into_bytes()
    }

    #[test]
    fn a_good_file_reads_paid_and_failed_rows_with_their_numbers() {
        let lines = parse_bank_file(&file(
            "CYC-1-000001,35202-1234567-1,paid,\"10,500.00\",2026-10-15,RT-77,\n\
             CYC-1-000002,3520212345682,FAILED,,2026-10-16,,account closed\n",
        ))
        .unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].cnic, "3520212345671");
        assert_eq!(lines[0].status, BankStatus::Paid);
        assert_eq!(lines[0].amount_paid, Paisa(1_050_000));
        assert_eq!(lines[0].agent_id.as_deref(), Some("RT-77"));
        assert_eq!(lines[0].reason, None);
        assert_eq!(lines[1].status, BankStatus::Failed);
        assert_eq!(lines[1].amount_paid, Paisa::ZERO);
        assert_eq!(lines[1].reason.as_deref(), Some("account closed"));
    }

    #[test]
    fn every_bad_line_is_named_by_number_and_refuses_the_file() {
        let bad = file(
            "CYC-1-000001,3520212345671,paid,10500,2026-10-15,RT-1,\n\
             CYC-1-000002,12345,paid,10500,2026-10-15,RT-1,\n\
             CYC-1-000003,3520212345693,maybe,,2026-10-15,,\n\
             CYC-1-000004,3520212345604,paid,10.505,2026-10-15,,\n\
             CYC-1-000005,3520212345615,paid,100,15/10/2026,,\n\
             CYC-1-000001,3520212345671,paid,10500,2026-10-15,RT-1,\n\
             CYC-1-000006,3520212345626,failed,,2026-10-15,,\n\
             CYC-1-000007,3520212345637,paid,0,2026-10-15,,\n\
             CYC-1-000008,3520212345648,paid\n",
        );
        let Err(BankFileError::Lines(lines)) = parse_bank_file(&bad) else {
            panic!("refused by line");
        };
        let numbers: Vec<u64> = lines.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, vec![3, 4, 5, 6, 7, 8, 9, 10], "{lines:?}");
        assert!(lines[1].1.contains("maybe"), "{}", lines[1].1);
        assert!(lines[2].1.contains("10.505"), "{}", lines[2].1);
        assert!(lines[3].1.contains("15/10/2026"), "{}", lines[3].1);
        assert!(lines[4].1.contains("also on line 2"), "{}", lines[4].1);
        assert!(lines[5].1.contains("reason"), "{}", lines[5].1);
        assert!(lines[6].1.contains("more than zero"), "{}", lines[6].1);
        assert!(lines[7].1.contains("3 fields"), "{}", lines[7].1);
        let message = BankFileError::Lines(lines).to_string();
        assert!(message.starts_with("line 3: "), "{message}");
    }

    #[test]
    fn a_file_without_its_columns_or_rows_is_refused() {
        assert!(matches!(
            parse_bank_file(b"ref,outcome\n1,2\n"),
            Err(BankFileError::Header(_))
        ));
        assert_eq!(
            parse_bank_file(HEADER.as_bytes()),
            Err(BankFileError::Empty)
        );
    }

    #[test]
    fn the_list_and_its_manifest_agree_and_a_changed_list_is_named() {
        let rows = vec![ListRow {
            payment_reference: "CYC-1-000001".into(),
            household_reference: "PK603-AB12-0001".into(),
            payee_name: "Bibi, Naseem".into(),
            cnic: "3520212345671".into(),
            amount: Paisa(1_050_050),
            district: "PK603".into(),
        }];
        let (csv, sha256) = write_payment_list(&rows);
        let text = String::from_utf8(csv.clone()).unwrap();
        assert!(text.starts_with(
            "payment_reference,household_reference,payee_name,cnic,amount,district\n"
        ));
        assert!(text.contains(
            "CYC-1-000001,PK603-AB12-0001,\"Bibi, Naseem\",3520212345671,10500.50,PK603"
        ));
        let manifest = CycleManifest {
            cycle: "CYC-1".into(),
            programme: "kafalat".into(),
            period: "2026-Q4".into(),
            district: "PK603".into(),
            rows: 1,
            total_paisa: 1_050_050,
            sha256,
            created_at: "2026-10-01T00:00:00Z".into(),
        };
        manifest.check(&csv).unwrap();
        let altered = String::from_utf8(csv.clone())
            .unwrap()
            .replace("10500.50", "10600.50");
        assert!(matches!(
            manifest.check(altered.as_bytes()),
            Err(BankFileError::Manifest(m)) if m.contains("SHA-256")
        ));
        let wrong_total = CycleManifest {
            total_paisa: 1,
            ..manifest
        };
        assert!(
            matches!(wrong_total.check(&csv), Err(BankFileError::Manifest(m)) if m.contains("Rs 10,500.50"))
        );
    }
}
