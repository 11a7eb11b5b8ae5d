//! The programme files shipped with Shumari. Their amounts and limits are illustrative (each file
//! says so in its header): a programme office loads its own with `shumari registry programme load`.

/// Unconditional cash (Benazir Kafalat), per household.
pub const KAFALAT: &str = include_str!("../shipped/kafalat.toml");
/// School stipends (Benazir Taleemi Wazaif), per child by school level and sex, conditional on
/// attendance.
pub const TALEEMI_WAZAIF: &str = include_str!("../shipped/taleemi-wazaif.toml");
/// Nutrition (Benazir Nashonuma), per child under two.
pub const NASHONUMA: &str = include_str!("../shipped/nashonuma.toml");

/// Every shipped file, by file name.
pub const ALL: &[(&str, &str)] = &[
    ("kafalat.toml", KAFALAT),
    ("taleemi-wazaif.toml", TALEEMI_WAZAIF),
    ("nashonuma.toml", NASHONUMA),
];
