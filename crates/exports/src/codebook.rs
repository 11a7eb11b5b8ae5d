//! The codebook written beside the data: for each column of the file, its type, its label in
//! English and Urdu, and for a select question each choice with its labels in both languages.
//!
//! `DATASET.codebook.csv` has one line per column (`choice` empty) followed by one line per choice
//! of that column; `DATASET.codebook.json` is `{"dataset": ..., "columns": [{name, type, label:
//! {en, ur}, choices: [{name, label: {en, ur}}], personal}]}`. Both list only the columns the data
//! holds: a personal column left out of the data is left out of its codebook.

use crate::column::Column;
use crate::error::ExportError;
use serde::Serialize;

/// The codebook as CSV.
pub fn to_csv(columns: &[&Column]) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "column",
        "type",
        "label_en",
        "label_ur",
        "choice",
        "choice_label_en",
        "choice_label_ur",
    ])?;
    for c in columns {
        w.write_record([
            c.name.as_str(),
            c.kind.as_str(),
            &c.label.en,
            &c.label.ur,
            "",
            "",
            "",
        ])?;
        for ch in &c.choices {
            w.write_record([
                c.name.as_str(),
                "",
                "",
                "",
                &ch.name,
                &ch.label.en,
                &ch.label.ur,
            ])?;
        }
    }
    w.into_inner().map_err(|e| ExportError::Io(e.into_error()))
}

#[derive(Serialize)]
struct Book<'a> {
    dataset: &'a str,
    columns: &'a [&'a Column],
}

/// The codebook as JSON.
pub fn to_json(dataset: &str, columns: &[&Column]) -> Result<Vec<u8>, ExportError> {
    Ok(serde_json::to_vec_pretty(&Book { dataset, columns })?)
}
