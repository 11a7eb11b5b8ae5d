//! Exports of the registry's data for analysts and other government systems: CSV and Parquet
//! files, a codebook and a manifest, streamed a page at a time.
//!
//! ```text
//! export(reg, user, request, dir)
//!   └ Registry::export_grant      the user's areas (an area outside them refused) and whether the
//!                                 role table lets them export personal data
//!   └ Dataset::next_page  ×N      a page of rows (households: Registry::export_page, one seek in
//!                                 the (area, id) index per area, decoded and dropped per page)
//!        └ CsvOut / ParquetOut    written as they come; Parquet in typed row groups
//!   └ codebook (CSV + JSON), SHA-256 of every file
//!   └ Registry::record_export     `data.export` on the access trail (files removed if it fails)
//!   └ DATASET.manifest.json
//! ```
//!
//! **Bounded memory.** Nothing holds the registry: a page of [`datasets::PAGE`] households is read,
//! decoded, turned into rows, written and dropped before the next; the Parquet writer buffers at
//! most one row group ([`parquet_out::ROW_GROUP`] rows). `cargo bench -p shumari-exports --bench
//! export` prints rows per second and the peak resident memory.
//!
//! **Personal data** is governed by two things only: [`personal::PERSONAL_COLUMNS`], the one list
//! of columns that identify a person or find their home (names, CNIC/B-form numbers, phone,
//! address, GPS), and the role table's `ExportPersonalData` (`shumari_domain::roles`). Without that
//! action those columns are left out of the data, the codebook and the manifest's count.
//!
//! **Columns** come from the questionnaire ([`shumari_forms::household_form`]): after the columns a
//! dataset writes itself, one per question holding a recorded answer, named after the question,
//! typed by its question type ([`value::ColumnType::of_question`]); a `select_multiple` holds its
//! space-separated choice names, as XLSForm exports do, and the codebook carries each choice's
//! labels in English and Urdu.
//!
//! # Adding a dataset
//!
//! 1. Write `datasets/NAME.rs` with its columns (`Column::fixed` with English and Urdu labels, and
//!    `column::question_columns` for questionnaire questions) and a type implementing
//!    [`Dataset`]: `columns()`, and `next_page()` returning the next page of rows from a paged
//!    registry read scoped by the [`ExportGrant`](shumari_registry::service::ExportGrant)
//!    (households use [`datasets::HouseholdPages`]; a payments dataset pages its own table the
//!    same way, in key order after the last row's key).
//! 2. Add its variant to [`What`] (name, `ALL`, `columns`) and one arm to [`export`].
//! 3. If it has personal columns under new names, add them to [`personal::PERSONAL_COLUMNS`].
//!
//! The command line (`registry export --what NAME`) and the console's export page offer every
//! [`What`] without further change.

pub mod codebook;
pub mod column;
pub mod csv_out;
pub mod datasets;
pub mod error;
pub mod manifest;
pub mod parquet_out;
pub mod personal;
mod run;
pub mod value;

pub use column::{ChoiceEntry, Column, Label};
pub use datasets::{Dataset, What};
pub use error::ExportError;
pub use manifest::{FileEntry, Filters, Manifest};
pub use run::{codebook_csv, export, parse_since, visible_columns, ExportRequest, Format};
pub use value::{ColumnType, Value};
