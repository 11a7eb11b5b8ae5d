//! The files of the identity exchange with the national ID authority (NADRA), read and written with
//! the `csv` crate; no IO here, only bytes.
//!
//! **Export** ([`write_export`]): one CSV row per member carrying a CNIC/B-form number,
//! `batch_id,cnic,name,father_or_husband_name,date_of_birth` (the number as 13 digits, the date
//! `YYYY-MM-DD` or empty), and a [`Manifest`] beside it: the batch id, area, row count, the CSV's
//! SHA-256 and when it was made, so the authority (and the import) can tell a whole file from a cut
//! or altered one ([`Manifest::check`]).
//!
//! **Result** ([`parse_results`]): the authority's answer, `batch_id,cnic,result,fields`, where
//! `result` is `verified`, `not_found` or `mismatch` and `fields` names the mismatched particulars
//! (`name;date_of_birth`). The whole file is checked before anything is applied: every line's
//! problem is reported with its line number ([`FileError::Lines`]), and one bad line refuses the file.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shumari_domain::identity::VERIFIED_FIELDS;
use shumari_domain::{IdNumber, VerificationState};
use std::collections::BTreeMap;

/// At most this many line problems are listed (the rest are counted).
const MAX_LISTED: usize = 20;

/// What is wrong with a file.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FileError {
    /// The header is not the format's.
    #[error("line 1: {0}")]
    Header(String),
    /// Lines that do not read (line number, problem); the file is refused whole.
    #[error("{}", list_lines(.0))]
    Lines(Vec<(u64, String)>),
    /// The file has no rows.
    #[error("the file holds no result rows")]
    Empty,
    /// The file is not the one its manifest describes.
    #[error("the manifest does not match the file: {0}")]
    Manifest(String),
}

fn list_lines(lines: &[(u64, String)]) -> String {
    let mut s: Vec<String> = lines
        .iter()
        .take(MAX_LISTED)
        .map(|(n, p)| format!("line {n}: {p}"))
        .collect();
    if lines.len() > MAX_LISTED {
        s.push(format!("and {} more lines", lines.len() - MAX_LISTED));
    }
    s.join("; ")
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One member as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    /// 13 digits.
    pub cnic: String,
    /// Full name as recorded.
    pub name: String,
    /// Father's or husband's name, when the household tells it.
    pub father_or_husband_name: String,
    /// `YYYY-MM-DD`, or empty.
    pub date_of_birth: String,
}

/// The manifest written beside an export (JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Batch id, also in every CSV row.
    pub batch_id: String,
    /// The area exported.
    pub area: String,
    /// Data rows in the CSV (the header not counted).
    pub rows: u64,
    /// SHA-256 of the CSV, lowercase hex.
    pub sha256: String,
    /// When the export was made (RFC 3339).
    pub created_at: String,
}

impl Manifest {
    /// Refuses `csv` unless it is the file this manifest describes (SHA-256 and row count).
    pub fn check(&self, csv: &[u8]) -> Result<(), FileError> {
        let sha = sha256_hex(csv);
        if !sha.eq_ignore_ascii_case(&self.sha256) {
            return Err(FileError::Manifest(format!(
                "its SHA-256 is {sha}, the manifest says {}",
                self.sha256
            )));
        }
        let rows = csv::Reader::from_reader(csv).records().count() as u64;
        if rows != self.rows {
            return Err(FileError::Manifest(format!(
                "it holds {rows} rows, the manifest says {}",
                self.rows
            )));
        }
        Ok(())
    }
}

/// The export CSV of `rows` for batch `batch_id`.
pub fn write_export(batch_id: &str, rows: &[ExportRow]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "batch_id",
        "cnic",
        "name",
        "father_or_husband_name",
        "date_of_birth",
    ];
    // Writing into a Vec cannot fail.
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record([
            batch_id,
            &r.cnic,
            &r.name,
            &r.father_or_husband_name,
            &r.date_of_birth,
        ]);
    }
    w.into_inner().unwrap_or_default()
}

/// One result line as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLine {
    /// Its line number in the file (the header is line 1).
    pub line: u64,
    /// The batch it names, if any.
    pub batch_id: Option<String>,
    /// The number, 13 digits.
    pub id_number: String,
    /// The result.
    pub state: VerificationState,
    /// For a mismatch, the fields named (in [`VERIFIED_FIELDS`]).
    pub fields: Vec<String>,
}

/// A CSV file received from outside (a bank's results, NADRA's answers), read whole before anything
/// is applied: the header lower-cased and without a byte-order mark, each non-blank record with its
/// line number, and the lines that are not CSV or have another number of fields than the header.
pub(super) struct ReceivedCsv {
    /// Column names.
    pub header: Vec<String>,
    /// (line number, record) of each well-formed, non-blank line.
    pub records: Vec<(u64, csv::StringRecord)>,
    /// (line number, what is wrong) of each malformed line.
    pub problems: Vec<(u64, String)>,
}

impl ReceivedCsv {
    pub(super) fn read(bytes: &[u8]) -> Result<Self, FileError> {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| FileError::Header(e.to_string()))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
            .collect();
        let mut records = Vec::new();
        let mut problems = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    problems.push((line, format!("not CSV ({e})")));
                    continue;
                }
            };
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(str::is_empty) {
                continue;
            }
            if record.len() != header.len() {
                problems.push((
                    line,
                    format!(
                        "{} fields where the header has {}",
                        record.len(),
                        header.len()
                    ),
                ));
                continue;
            }
            records.push((line, record));
        }
        Ok(ReceivedCsv {
            header,
            records,
            problems,
        })
    }
}

/// Reads the authority's result file, refusing it whole when any line is wrong.
pub fn parse_results(bytes: &[u8]) -> Result<Vec<ResultLine>, FileError> {
    let ReceivedCsv {
        header,
        records,
        mut problems,
    } = ReceivedCsv::read(bytes)?;
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(c_cnic), Some(c_result)) = (col("cnic"), col("result")) else {
        return Err(FileError::Header(format!(
            "the header must name the columns cnic and result (and batch_id, fields); it is `{}`",
            header.join(",")
        )));
    };
    let (c_batch, c_fields) = (col("batch_id"), col("fields"));
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, (u64, VerificationState, Vec<String>)> = BTreeMap::new();
    for (line, record) in records {
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("");
        let id_number = match IdNumber::parse("cnic", get(Some(c_cnic))) {
            Ok(n) => n.digits().to_string(),
            Err(e) => {
                problems.push((line, e.to_string()));
                continue;
            }
        };
        let state = match get(Some(c_result)).to_ascii_lowercase().parse() {
            Ok(VerificationState::Unverified) => {
                problems.push((line, "`unverified` is not a result".into()));
                continue;
            }
            Ok(s) => s,
            Err(e) => {
                problems.push((line, e));
                continue;
            }
        };
        let mut fields: Vec<String> = get(c_fields)
            .split([';', '|'])
            .map(|f| f.trim().to_ascii_lowercase())
            .filter(|f| !f.is_empty())
            .collect();
        fields.sort();
        fields.dedup();
        if let Some(f) = fields
            .iter()
            .find(|f| !VERIFIED_FIELDS.contains(&f.as_str()))
        {
            problems.push((
                line,
                format!(
                    "`{f}` is not a field the export sends ({})",
                    VERIFIED_FIELDS.join(", ")
                ),
            ));
            continue;
        }
        match (state, fields.is_empty()) {
            (VerificationState::Mismatch, true) => {
                problems.push((line, "a mismatch must name its fields".into()));
                continue;
            }
            (VerificationState::Verified | VerificationState::NotFound, false) => {
                problems.push((line, format!("a `{state}` result names no fields")));
                continue;
            }
            _ => {}
        }
        if let Some((first, s, f)) = seen.get(&id_number) {
            if (*s, f) != (state, &fields) {
                problems.push((
                    line,
                    format!("the number has another result on line {first}"),
                ));
            }
            continue;
        }
        seen.insert(id_number.clone(), (line, state, fields.clone()));
        let batch_id = Some(get(c_batch).to_string()).filter(|b| !b.is_empty());
        out.push(ResultLine {
            line,
            batch_id,
            id_number,
            state,
            fields,
        });
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(FileError::Lines(problems));
    }
    if out.is_empty() {
        return Err(FileError::Empty);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "batch_id,cnic,result,fields\n\
        B-1,35202-1234567-1,verified,\n\
        B-1,3520212345682,not_found,\n\
        B-1,35202-1234567-3,mismatch,name;date_of_birth\n";

    #[test]
    fn a_good_file_reads_every_line_with_its_number() {
        let lines = parse_results(GOOD.as_bytes()).unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0].line, 2);
        assert_eq!(lines[0].id_number, "3520212345671");
        assert_eq!(lines[0].state, VerificationState::Verified);
        assert_eq!(lines[0].batch_id.as_deref(), Some("B-1"));
        assert_eq!(lines[1].state, VerificationState::NotFound);
        assert_eq!(lines[2].state, VerificationState::Mismatch);
        assert_eq!(lines[2].fields, vec!["date_of_birth", "name"]);
    }

    #[test]
    fn a_file_without_batch_or_fields_columns_reads() {
        let lines = parse_results(b"cnic,result\n3520212345671,verified\n").unwrap();
        assert_eq!(lines[0].batch_id, None);
        assert!(lines[0].fields.is_empty());
    }

    #[test]
    fn malformed_lines_are_all_named_by_number_and_refuse_the_file() {
        let bad = "batch_id,cnic,result,fields\n\
            B-1,3520212345671,verified,\n\
            B-1,12345,verified,\n\
            B-1,3520212345682,maybe,\n\
            B-1,3520212345693,mismatch,\n\
            B-1,3520212345604,mismatch,height\n\
            B-1,3520212345615,verified\n\
            B-1,3520212345671,not_found,\n";
        let Err(FileError::Lines(lines)) = parse_results(bad.as_bytes()) else {
            panic!("refused by line");
        };
        let numbers: Vec<u64> = lines.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, vec![3, 4, 5, 6, 7, 8], "{lines:?}");
        assert!(lines[1].1.contains("maybe"), "{}", lines[1].1);
        assert!(lines[2].1.contains("must name its fields"));
        assert!(lines[3].1.contains("height"));
        assert!(lines[4].1.contains("3 fields"), "{}", lines[4].1);
        assert!(lines[5].1.contains("line 2"));
        let message = FileError::Lines(lines).to_string();
        assert!(message.starts_with("line 3: "), "{message}");
    }

    #[test]
    fn a_file_without_its_columns_or_rows_is_refused() {
        assert!(matches!(
            parse_results(b"number,outcome\n1,2\n"),
            Err(FileError::Header(_))
        ));
        assert_eq!(parse_results(b"cnic,result\n"), Err(FileError::Empty));
    }

    #[test]
    fn the_export_and_its_manifest_agree_and_a_wrong_manifest_is_named() {
        let rows = vec![ExportRow {
            cnic: "3520212345671".into(),
            name: "Ahmed, Khan".into(),
            father_or_husband_name: "Bashir Khan".into(),
            date_of_birth: "1980-01-02".into(),
        }];
        let csv = write_export("B-9", &rows);
        let text = String::from_utf8(csv.clone()).unwrap();
        assert!(text.starts_with("batch_id,cnic,name,father_or_husband_name,date_of_birth\n"));
        assert!(text.contains("B-9,3520212345671,\"Ahmed, Khan\",Bashir Khan,1980-01-02"));
        let manifest = Manifest {
            batch_id: "B-9".into(),
            area: "PK".into(),
            rows: 1,
            sha256: sha256_hex(&csv),
            created_at: "2026-01-01T00:00:00Z".into(),
        };
        manifest.check(&csv).unwrap();
        let mut cut = csv.clone();
        cut.truncate(cut.len() - 3);
        assert!(
            matches!(manifest.check(&cut), Err(FileError::Manifest(m)) if m.contains("SHA-256"))
        );
        let wrong_count = Manifest {
            rows: 2,
            ..manifest.clone()
        };
        assert!(matches!(wrong_count.check(&csv), Err(FileError::Manifest(m)) if m.contains("2")));
    }
}
