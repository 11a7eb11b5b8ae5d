//! The one list of personal columns: what identifies a person or finds their home. An export made
//! by a role the role table does not let [`Action::ExportPersonalData`] leaves every column named
//! here out of the data, the codebook and the manifest's column count; the role table
//! (`shumari_domain::roles`) is the one place that says who may have them.
//!
//! A questionnaire question is personal when its name is listed, so a form that asks
//! `father_name` or `husband_name` has those left out too.
//!
//! [`Action::ExportPersonalData`]: shumari_domain::roles::Action::ExportPersonalData

/// Columns that hold personal data (by name, in any dataset).
pub const PERSONAL_COLUMNS: &[&str] = &[
    // Names.
    "name",
    "payee_name",
    "respondent",
    "father_name",
    "husband_name",
    // CNIC/B-form numbers and the card's date of issue (which unlocks the citizen status page).
    "id_number",
    "id_issued",
    "payee_cnic",
    // Phone and address.
    "phone",
    "address",
    // What a citizen wrote in a grievance and the answer they were given: free text naming people.
    "citizen_text",
    "resolution",
    // GPS: where the dwelling is.
    "gps",
    "gps_latitude",
    "gps_longitude",
    "gps_accuracy",
];

/// Whether the column `name` holds personal data.
pub fn is_personal(name: &str) -> bool {
    PERSONAL_COLUMNS.contains(&name)
}
