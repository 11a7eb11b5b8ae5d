//! `start`, `end` and `deviceid` are filled from the household's paradata in any form, under the
//! names and type aliases the form uses.

use chrono::{TimeZone, Utc};
use shumari_domain::Paradata;
use shumari_forms::model::Form;

const FORM: &str = r#"
[settings]
form_id = "market_survey"
version = "3"

[[survey]]
type = "start time"
name = "began"

[[survey]]
type = "text"
name = "shop"
label = "Shop name"

[[survey]]
type = "end"
name = "finished"

[[survey]]
type = "imei"
name = "tablet"

[[survey]]
type = "begin_repeat"
name = "visits"

[[survey]]
type = "start"
name = "visit_start"

[[survey]]
type = "end_repeat"
"#;

#[test]
fn start_end_and_deviceid_are_filled_under_the_forms_own_names() {
    let form = Form::from_toml_str(FORM).unwrap();
    let p = Paradata {
        start: Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()),
        end: Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 40, 5).unwrap()),
        device_id: Some("dev-7f3a".into()),
        ..Paradata::default()
    };
    assert_eq!(
        form.metadata_answers(&p),
        vec![
            (
                "began".to_string(),
                "2026-03-01T09:00:00.000+00:00".to_string()
            ),
            (
                "finished".to_string(),
                "2026-03-01T09:40:05.000+00:00".to_string()
            ),
            ("tablet".to_string(), "dev-7f3a".to_string()),
        ],
        "the repeat's `start` is left alone"
    );
}

#[test]
fn only_what_was_recorded_is_filled() {
    let form = Form::from_toml_str(FORM).unwrap();
    let p = Paradata {
        start: Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()),
        ..Paradata::default()
    };
    assert_eq!(
        form.metadata_answers(&p),
        vec![(
            "began".to_string(),
            "2026-03-01T09:00:00.000+00:00".to_string()
        )]
    );
    assert!(form.metadata_answers(&Paradata::default()).is_empty());
}
