//! "Try a form": a form with every question type the app draws is checked, rendered and filled in
//! memory, the engine judging each answer; a broken form gives the engine's located errors.

use serde_json::json;
use shumari_app::form_preview::{read_form_file, Attachment, FormFile};
use shumari_app::questionnaire::Kind;
use shumari_app::App;

/// Every type the app renders, a top-level repeat, a repeat inside a group, and skip logic.
const ALL_TYPES: &str = r#"
[settings]
form_title = "All types"

[[survey]]
type = "select_one yn"
name = "has_land"
label = "Does the household own land?"
required = "yes"

[[survey]]
type = "decimal"
name = "land_acres"
label = "How many acres?"
relevant = "${has_land} = 'yes'"
constraint = ". > 0"
constraint_message = "More than zero acres."

[[survey]]
type = "time"
name = "visit_time"
label = "Time of the visit"

[[survey]]
type = "dateTime"
name = "visit_at"
label = "Date and time"

[[survey]]
type = "range"
name = "wellbeing"
label = "Wellbeing"
parameters = "start=0 end=10 step=2"

[[survey]]
type = "rank yn"
name = "order"
label = "Put in order"

[[survey]]
type = "barcode"
name = "code"
label = "Scan the card"

[[survey]]
type = "geotrace"
name = "path"
label = "Walk the path"

[[survey]]
type = "geoshape"
name = "field"
label = "Walk around the field"

[[survey]]
type = "image"
name = "photo"
label = "Photo of the house"

[[survey]]
type = "select_one_from_file villages.csv"
name = "village"
label = "Village"

[[survey]]
type = "note"
name = "done_note"
label = "Thank you"

[[survey]]
type = "begin_repeat"
name = "plots"
label = "Plots"

[[survey]]
type = "integer"
name = "plot_size"
label = "Size"
required = "yes"

[[survey]]
type = "end_repeat"

[[survey]]
type = "begin_group"
name = "more"
label = "More"
relevant = "${has_land} = 'yes'"

[[survey]]
type = "note"
name = "more_note"
label = "A few more questions"

[[survey]]
type = "begin_repeat"
name = "crops"
label = "Crops"

[[survey]]
type = "text"
name = "crop"
label = "Crop"

[[survey]]
type = "end_repeat"

[[survey]]
type = "text"
name = "comment"
label = "Comment"

[[survey]]
type = "end_group"

[[choices]]
list_name = "yn"
name = "yes"
label = "Yes"

[[choices]]
list_name = "yn"
name = "no"
label = "No"
"#;

fn file(name: &str, text: &str) -> FormFile {
    FormFile {
        name: name.into(),
        bytes: text.as_bytes().to_vec(),
        attachments: Vec::new(),
    }
}

const VILLAGES: &str = "name,label,label::Urdu (ur)\nchak_12,Chak 12,چک 12\nkot,Kot Radha,کوٹ\n";

#[test]
fn files_picked_with_the_form_or_in_its_media_folder_travel_with_it() {
    let (dir, app) = app();
    // Picked together in the UI.
    let mut picked = file("all-types.toml", ALL_TYPES);
    picked.attachments.push(Attachment {
        name: "villages.csv".into(),
        bytes: VILLAGES.as_bytes().to_vec(),
    });
    let opened = app.open_preview(&picked).unwrap();
    assert!(
        !opened
            .check
            .warnings
            .iter()
            .any(|w| w.message.contains("villages.csv")),
        "{:?}",
        opened.check.warnings
    );
    let village = |form: &shumari_app::questionnaire::FormDef| {
        form.sections
            .iter()
            .flat_map(|s| s.questions.iter())
            .find(|q| q.name == "village")
            .map(|q| {
                q.choices
                    .iter()
                    .map(|c| c.label.ur.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap()
    };
    assert_eq!(village(opened.form.as_ref().unwrap()), ["چک 12", "کوٹ"]);
    // A name not in the file is refused now.
    let state = app
        .preview_answer("village", None, json!("nowhere"))
        .unwrap();
    assert!(
        state.issues.iter().any(|i| i.field == "village"),
        "{:?}",
        state.issues
    );

    // Read from disk: the form's `-media` folder.
    let path = dir.path().join("all-types.toml");
    std::fs::write(&path, ALL_TYPES).unwrap();
    let media = dir.path().join("all-types-media");
    std::fs::create_dir(&media).unwrap();
    std::fs::write(media.join("villages.csv"), VILLAGES).unwrap();
    let read = read_form_file(&path).unwrap();
    assert_eq!(read.attachments.len(), 1);
    let opened = app.open_preview_file(&path).unwrap();
    assert_eq!(village(opened.form.as_ref().unwrap()).len(), 2);
}

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(dir.path().join("data"));
    (dir, app)
}

#[test]
fn a_form_is_checked_rendered_and_filled_in_memory() {
    let (_dir, app) = app();
    let opened = app
        .open_preview(&file("all-types.toml", ALL_TYPES))
        .unwrap();
    let check = &opened.check;
    assert!(check.loaded, "{:?}", check.errors);
    assert_eq!(check.id.as_deref(), Some("all-types"));
    assert_eq!(check.format, ".toml");
    assert_eq!(check.version.as_deref().map(str::len), Some(8));
    let count = |t: &str| {
        check
            .questions
            .iter()
            .find(|c| c.kind == t)
            .map_or(0, |c| c.count)
    };
    assert_eq!(count("begin_repeat"), 2);
    assert_eq!(count("begin_group"), 1);
    assert_eq!(count("time"), 1);
    // The id and version it had to derive are stated.
    assert!(check.warnings.iter().any(|w| w.message.contains("form_id")));

    // Each type has the UI kind that draws it.
    let form = opened.form.unwrap();
    let q = |name: &str| {
        form.sections
            .iter()
            .flat_map(|s| s.questions.iter())
            .find(|q| q.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    assert_eq!(q("visit_time").kind, Kind::Time);
    assert_eq!(q("visit_at").kind, Kind::DateTime);
    let range = q("wellbeing");
    assert_eq!(range.kind, Kind::Range);
    let r = range.range.unwrap();
    assert_eq!((r.start, r.end, r.step), (0.0, 10.0, 2.0));
    assert_eq!(q("order").kind, Kind::Rank);
    assert_eq!(q("order").choices.len(), 2);
    assert_eq!(q("code").kind, Kind::Barcode);
    assert_eq!(q("path").kind, Kind::Geotrace);
    assert_eq!(q("field").kind, Kind::Geoshape);
    assert_eq!(q("photo").kind, Kind::File);
    assert_eq!(q("photo").media.as_deref(), Some("image"));
    // No attachment: the village is typed as the choice's name.
    assert_eq!(q("village").kind, Kind::SelectOne);
    assert!(q("village").choices.is_empty());
    assert!(
        form.sections
            .iter()
            .find(|s| s.id == "plots")
            .unwrap()
            .repeat
    );
    // A repeat inside a group is a section of its own, the group continuing after it.
    let ids: Vec<&str> = form.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(&ids[ids.len() - 3..], ["more", "crops", "more-2"]);
    let crops = &form.sections[ids.len() - 2];
    assert!(crops.repeat);
    assert_eq!(crops.questions[0].name, "crop");
    assert_eq!(form.sections[ids.len() - 1].questions[0].name, "comment");
    assert_eq!(
        form.sections[ids.len() - 1].label,
        form.sections[ids.len() - 3].label
    );

    // Skip logic: the acres show once the household owns land.
    let state = opened.state.unwrap();
    assert!(!state.visible.contains(&"land_acres".to_string()));
    assert!(state.visible.contains(&"done_note".to_string()));
    // A repeat is asked (its rows may be added) when its relevance holds.
    assert!(state.visible.contains(&"plots".to_string()));
    // A group's relevance holds for the repeat inside it.
    assert!(!state.visible.contains(&"crops".to_string()));
    assert!(state
        .issues
        .iter()
        .any(|i| i.field == "has_land" && i.code == "required"));
    let state = app.preview_answer("has_land", None, json!("yes")).unwrap();
    assert!(state.visible.contains(&"land_acres".to_string()));
    assert!(state.visible.contains(&"crops".to_string()));
    assert!(!state.issues.iter().any(|i| i.field == "has_land"));

    // Constraint messages are the form's.
    let state = app.preview_answer("land_acres", None, json!(0)).unwrap();
    let acres = state
        .issues
        .iter()
        .find(|i| i.field == "land_acres")
        .unwrap();
    assert_eq!(acres.code, "constraint");
    assert_eq!(acres.message.en, "More than zero acres.");

    // The widgets' stored values are what the engine accepts.
    for (field, value) in [
        ("land_acres", json!(2.5)),
        ("visit_time", json!("14:30:00.000+05:00")),
        ("visit_at", json!("2026-11-29T14:30:00.000+05:00")),
        ("wellbeing", json!(4)),
        ("order", json!(["no", "yes"])),
        ("code", json!("ABC-123")),
        ("path", json!("31.5 74.3 0 5;31.6 74.4 0 5")),
        (
            "field",
            json!("31.5 74.3 0 5;31.6 74.3 0 5;31.6 74.4 0 5;31.5 74.3 0 5"),
        ),
        ("photo", json!("house.jpg")),
        ("village", json!("chak_12")),
    ] {
        let state = app.preview_answer(field, None, value).unwrap();
        assert!(
            !state.issues.iter().any(|i| i.field == field),
            "{field}: {:?}",
            state.issues
        );
    }
    // A value off the range's step is refused with the engine's message.
    let state = app.preview_answer("wellbeing", None, json!(3)).unwrap();
    assert!(state.issues.iter().any(|i| i.field == "wellbeing"));
    let state = app.preview_answer("wellbeing", None, json!(4)).unwrap();
    assert!(state.complete, "{:?}", state.issues);

    // A row of the top-level repeat: its required question is asked in it.
    let state = app.preview_add_row("plots").unwrap();
    let row = state.rows["plots"][0].id.clone();
    assert!(state.visible.contains(&format!("member:{row}:plot_size")));
    assert!(state
        .issues
        .iter()
        .any(|i| i.field == "plot_size" && i.member_id.as_deref() == Some(row.as_str())));
    let state = app
        .preview_answer("plot_size", Some(&row), json!(3))
        .unwrap();
    assert!(state.complete, "{:?}", state.issues);
    assert_eq!(state.rows["plots"][0].answers["plot_size"], json!(3));
    // A row question needs its row, and a household question none.
    assert!(app.preview_answer("plot_size", None, json!(3)).is_err());
    let state = app.preview_remove_row("plots", &row).unwrap();
    assert!(state.rows["plots"].is_empty());
    // The repeat inside a group has rows too.
    let state = app.preview_add_row("crops").unwrap();
    let crop_row = state.rows["crops"][0].id.clone();
    assert_ne!(crop_row, row);
    let state = app
        .preview_answer("crop", Some(&crop_row), json!("wheat"))
        .unwrap();
    assert_eq!(state.rows["crops"][0].answers["crop"], json!("wheat"));

    // Nothing was written to the device: the preview lives in memory and is gone when closed.
    assert!(!app.dir().exists());
    app.close_preview();
    assert_eq!(
        app.preview_answer("has_land", None, json!("no"))
            .unwrap_err()
            .code(),
        "not_found"
    );
}

#[test]
fn a_broken_form_lists_the_engines_located_errors() {
    let (dir, app) = app();
    let broken = r#"
[[survey]]
type = "select_one missing_list"
name = "q"
label = "Q"

[[survey]]
type = "integer"
name = "n"
label = "N"
relevant = "${nowhere} > 1"
"#;
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, broken).unwrap();
    assert_eq!(read_form_file(&path).unwrap().name, "broken.toml");
    let opened = app.open_preview_file(&path).unwrap();
    assert!(!opened.check.loaded);
    assert!(opened.form.is_none() && opened.state.is_none());
    let errors = &opened.check.errors;
    assert!(errors.len() >= 2, "{errors:?}");
    let list = errors
        .iter()
        .find(|e| e.message.contains("missing_list"))
        .unwrap();
    assert_eq!((list.sheet.as_str(), list.row), ("survey", 2));
    let relevant = errors
        .iter()
        .find(|e| e.message.contains("nowhere"))
        .unwrap();
    assert_eq!((relevant.row, relevant.column.as_str()), (3, "relevant"));
    // No form is open after a form that does not load.
    assert!(app.preview_add_row("plots").is_err());
    // A file that cannot be read is the app's error, not a form's.
    assert_eq!(
        app.open_preview_file(&dir.path().join("absent.xlsx"))
            .unwrap_err()
            .code(),
        "invalid"
    );
}

#[test]
fn an_xlsx_form_loads_like_its_text_form() {
    let (_dir, app) = app();
    let text = app
        .open_preview(&file("all-types.toml", ALL_TYPES))
        .unwrap();
    let form = shumari_forms::Form::from_toml_str(&format!(
        "[settings]\nform_id = \"all-types\"\nversion = \"1\"\n{}",
        ALL_TYPES.replace("[settings]\nform_title = \"All types\"\n", "")
    ))
    .unwrap();
    let xlsx = FormFile {
        name: "all-types.xlsx".into(),
        bytes: form.to_xlsx_bytes().unwrap(),
        attachments: Vec::new(),
    };
    let opened = app.open_preview(&xlsx).unwrap();
    assert!(opened.check.loaded, "{:?}", opened.check.errors);
    assert_eq!(opened.check.format, ".xlsx");
    assert_eq!(opened.check.questions, text.check.questions);
}
