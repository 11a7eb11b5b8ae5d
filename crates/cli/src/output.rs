//! Printing: tables for people, one JSON document for programs.

use comfy_table::{presets::UTF8_FULL_CONDENSED, ContentArrangement, Table};
use serde::Serialize;
use shumari_domain::HouseholdSummary;

/// Prints `value` as pretty JSON on stdout.
pub fn json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A table with a header row.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.to_vec());
    t
}

/// Prints household list rows as a table with a count (the device's and the registry's lists alike).
pub fn households(rows: &[HouseholdSummary]) {
    let mut t = table(&[
        "ref",
        "area",
        "head",
        "CNIC",
        "members",
        "status",
        "conflicts",
        "updated",
    ]);
    for r in rows {
        t.add_row(vec![
            r.reference.clone(),
            r.area.clone(),
            r.head_name.clone().unwrap_or_default(),
            r.head_id_number
                .as_ref()
                .map(|n| n.dashed())
                .unwrap_or_default(),
            r.member_count.to_string(),
            r.status.as_str().to_string(),
            if r.conflict_count > 0 {
                r.conflict_count.to_string()
            } else {
                String::new()
            },
            r.updated_at.format("%Y-%m-%dT%H:%M").to_string(),
        ]);
    }
    println!("{t}");
    println!("{} household(s)", rows.len());
}
