//! The Parquet writer (`arrow-array` + `parquet`): each column typed ([`ColumnType`] → `Utf8`,
//! `Int64`, `Float64`, `Date32`, `Timestamp(ms, UTC)`, `Boolean`, all nullable), each page of rows
//! turned into one Arrow record batch and handed to the writer, which closes a row group every
//! [`ROW_GROUP`] rows. Memory holds a page's batch and the open row group, never the file.

use crate::column::Column;
use crate::datasets::Row;
use crate::error::ExportError;
use crate::value::{ColumnType, Value};
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMillisecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::sync::Arc;

/// Rows per row group: what a reader reads at once, and what the writer buffers.
pub const ROW_GROUP: usize = 16 * 1024;

/// The Arrow type of a column type.
pub fn arrow_type(t: ColumnType) -> DataType {
    match t {
        ColumnType::Text => DataType::Utf8,
        ColumnType::Integer => DataType::Int64,
        ColumnType::Decimal => DataType::Float64,
        ColumnType::Date => DataType::Date32,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
        ColumnType::Boolean => DataType::Boolean,
    }
}

/// A Parquet file being written.
pub struct ParquetOut {
    w: ArrowWriter<File>,
    schema: SchemaRef,
    kinds: Vec<ColumnType>,
}

impl std::fmt::Debug for ParquetOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetOut")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl ParquetOut {
    /// Starts the file with the schema of `columns`.
    pub fn new(file: File, columns: &[&Column]) -> Result<ParquetOut, ExportError> {
        let schema: SchemaRef = Arc::new(Schema::new(
            columns
                .iter()
                .map(|c| Field::new(&c.name, arrow_type(c.kind), true))
                .collect::<Vec<_>>(),
        ));
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP))
            .build();
        let w = ArrowWriter::try_new(file, schema.clone(), Some(props))?;
        Ok(ParquetOut {
            w,
            schema,
            kinds: columns.iter().map(|c| c.kind).collect(),
        })
    }

    /// Writes the cells `keep` of each row as one record batch.
    pub fn write(&mut self, rows: &[Row], keep: &[usize]) -> Result<(), ExportError> {
        if rows.is_empty() {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = keep
            .iter()
            .zip(&self.kinds)
            .map(|(&i, &kind)| array(kind, rows.iter().map(|r| &r[i])))
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        self.w.write(&batch)?;
        Ok(())
    }

    /// Closes the last row group and writes the footer.
    pub fn finish(self) -> Result<(), ExportError> {
        let file = self.w.into_inner()?;
        file.sync_all()?;
        Ok(())
    }
}

/// Days from 1970-01-01, as `Date32` counts them.
fn days(d: &NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (*d - epoch).num_days() as i32
}

/// One column's cells as an Arrow array of `kind` (a cell of another type is null: the datasets
/// make every cell of a column with its column's type).
fn array<'a>(kind: ColumnType, cells: impl Iterator<Item = &'a Value>) -> ArrayRef {
    match kind {
        ColumnType::Text => {
            let mut b = StringBuilder::new();
            for v in cells {
                match v {
                    Value::Text(s) => b.append_value(s),
                    _ => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        ColumnType::Integer => {
            let mut b = Int64Builder::new();
            for v in cells {
                b.append_option(match v {
                    Value::Int(i) => Some(*i),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        ColumnType::Decimal => {
            let mut b = Float64Builder::new();
            for v in cells {
                b.append_option(match v {
                    Value::Float(f) => Some(*f),
                    Value::Int(i) => Some(*i as f64),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        ColumnType::Date => {
            let mut b = Date32Builder::new();
            for v in cells {
                b.append_option(match v {
                    Value::Date(d) => Some(days(d)),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        ColumnType::Timestamp => {
            let mut b = TimestampMillisecondBuilder::new().with_timezone("UTC");
            for v in cells {
                b.append_option(match v {
                    Value::Timestamp(t) => Some(t.timestamp_millis()),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
        ColumnType::Boolean => {
            let mut b = BooleanBuilder::new();
            for v in cells {
                b.append_option(match v {
                    Value::Bool(x) => Some(*x),
                    _ => None,
                });
            }
            Arc::new(b.finish())
        }
    }
}
