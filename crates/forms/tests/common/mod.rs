//! Shared test data: a complete household for the shipped questionnaire.
#![allow(dead_code)]

use serde_json::{json, Value};

pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
}

fn adult(id: &str, name: &str, relation: &str, sex: &str, age: u32, cnic: &str) -> Value {
    json!({"id": id, "name": name, "relation": relation, "sex": sex, "age": age, "id_number": cnic,
        "answers": {"marital_status": "married", "literate": "yes", "education": "primary",
            "wg_seeing": "no_difficulty", "wg_hearing": "no_difficulty", "wg_walking": "no_difficulty",
            "wg_remembering": "no_difficulty", "wg_selfcare": "no_difficulty", "wg_communicating": "no_difficulty",
            "occupation": "labour", "income": 25000}})
}

fn child(id: &str, name: &str, relation: &str, sex: &str, dob: &str) -> Value {
    json!({"id": id, "name": name, "relation": relation, "sex": sex, "dob": dob,
        "answers": {"marital_status": "never_married", "literate": "yes", "education": "primary", "in_school": "yes",
            "wg_seeing": "no_difficulty", "wg_hearing": "no_difficulty", "wg_walking": "no_difficulty",
            "wg_remembering": "no_difficulty", "wg_selfcare": "no_difficulty", "wg_communicating": "no_difficulty",
            "occupation": "student"}})
}

/// A complete, valid household with `n` members (2 adults, then children and a grandparent).
pub fn household(n: usize) -> Value {
    let mut members = vec![
        adult(
            "m-01",
            "Karim Bakhsh",
            "head",
            "male",
            42,
            "35202-1234567-1",
        ),
        adult(
            "m-02",
            "Shazia Bibi",
            "spouse",
            "female",
            38,
            "35202-7654321-2",
        ),
    ];
    let kids = [
        ("Ahmed", "son", "male", "2010-02-14"),
        ("Khadija", "daughter", "female", "2011-11-26"),
        ("Bilal", "son", "male", "2016-01-16"),
        ("Amina", "daughter", "female", "2015-04-27"),
        ("Hamza", "son", "male", "2013-07-01"),
        ("Zainab", "daughter", "female", "2012-03-09"),
        ("Umar", "son", "male", "2014-08-20"),
        ("Maryam", "daughter", "female", "2009-12-12"),
    ];
    let mut i = 3;
    for (name, rel, sex, dob) in kids {
        if members.len() + 1 >= n {
            break;
        }
        members.push(child(&format!("m-{i:02}"), name, rel, sex, dob));
        i += 1;
    }
    while members.len() < n {
        members.push(adult(
            &format!("m-{i:02}"),
            "Rasool Bakhsh",
            "parent",
            "male",
            70,
            "35202-1111111-1",
        ));
        i += 1;
    }
    json!({
        "area": "PK60301",
        "form_id": "nser-household",
        "form_version": "1",
        "gps": {"lat": 31.52, "lon": 74.35, "accuracy": 8.0},
        "answers": {
            "address": "House 12, Mohalla 4, Lahore", "phone": "0300-1234567", "respondent": "Karim Bakhsh",
            "consent": "OK", "tenure": "owned", "rooms": 2, "walls": "brick", "roof": "iron_sheet",
            "floor": "cement", "toilet": "pit", "water": "hand_pump", "cooking_fuel": "wood",
            "lighting": "electricity", "electricity": "yes", "electricity_bill": 2500, "gas": "no",
            "assets": "tv smartphone", "has_livestock": "yes", "cattle": 1, "buffalo": 0, "goats": 3,
            "sheep": 0, "camels": 0, "poultry": 6, "land_owned": 0, "land_rented": 0, "support": "none"
        },
        "members": members,
    })
}
