//! Helpers shared by the store tests.
#![allow(dead_code)]

use serde_json::json;
use shumari_domain::HouseholdInput;

pub const PIN: &str = "482193";
pub const FORM: (&str, &str) = ("nser-household", "1");

/// A household with a recognisable head name and CNIC; `n` varies the numbers.
pub fn household(n: u32) -> HouseholdInput {
    serde_json::from_value(json!({
        "area": "PK10101",
        "answers": {"rooms": 2 + n % 3, "address": format!("Gali {n}, Bagh")},
        "members": [
            {"name": format!("Ghulam Rasool {n}"), "relation": "head", "sex": "male", "age": 40, "id_number": format!("82101{:07}1", n)},
            {"name": "نسرین بی بی", "relation": "spouse", "sex": "female", "age": 36, "id_number": format!("82101{:07}2", n)},
            {"name": "Bilal", "relation": "son", "sex": "male", "age": 9}
        ]
    }))
    .unwrap()
}
