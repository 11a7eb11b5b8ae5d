//! A household the registry moved out of this device's area while it held unsent changes: the app
//! lists it and exports it to a file only the surveyor's account can read.

use serde_json::json;
use shumari_app::App;
use shumari_store::key::{set_cost_for_tests, KdfCost};
use shumari_store::Store;

const PIN: &str = "246813";

#[test]
fn the_app_lists_and_exports_households_that_left_with_unsent_changes() {
    set_cost_for_tests(Some(KdfCost::FOR_TESTS));
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let mut store = Store::create(dir.path(), PIN).unwrap();
        let input = serde_json::from_value(json!({
            "area": "PK10101",
            "members": [{"name": "Ayesha Bibi", "relation": "head", "sex": "female", "age": 30}]
        }))
        .unwrap();
        let id = store
            .add_household(&input, None, "nser-household", "1")
            .unwrap()
            .id;
        assert_eq!(store.remove_local(&[id]).unwrap().kept, 1);
        id.to_string()
    };
    let app = App::new(dir.path().to_path_buf());
    app.unlock_foreground(PIN).unwrap();
    let rows = app.left_area_households().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].id.as_str(), rows[0].head_name.as_str()),
        (id.as_str(), "Ayesha Bibi")
    );

    let file = app.export_left_area().unwrap();
    assert_eq!(file.count, 1);
    let text = std::fs::read_to_string(&file.path).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["id"], id.as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file.path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
}
