//! The CSV writer (`csv` crate): a header of column names, then one line per row, written through
//! a buffer as pages arrive. Values are spelled by [`Value::to_csv`](crate::value::Value::to_csv).

use crate::column::Column;
use crate::datasets::Row;
use crate::error::ExportError;
use std::fs::File;
use std::io::BufWriter;

/// A CSV file being written.
#[derive(Debug)]
pub struct CsvOut {
    w: csv::Writer<BufWriter<File>>,
}

impl CsvOut {
    /// Starts the file with the header of `columns`.
    pub fn new(file: File, columns: &[&Column]) -> Result<CsvOut, ExportError> {
        let mut w = csv::Writer::from_writer(BufWriter::new(file));
        w.write_record(columns.iter().map(|c| c.name.as_str()))?;
        Ok(CsvOut { w })
    }

    /// Writes the cells `keep` of each row.
    pub fn write(&mut self, rows: &[Row], keep: &[usize]) -> Result<(), ExportError> {
        for r in rows {
            self.w
                .write_record(keep.iter().map(|&i| r[i].to_csv().into_owned()))?;
        }
        Ok(())
    }

    /// Flushes and closes the file.
    pub fn finish(self) -> Result<(), ExportError> {
        let buf = self
            .w
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        let file = buf
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        file.sync_all()?;
        Ok(())
    }
}
