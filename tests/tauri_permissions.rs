//! Every command the field app registers can be called by its window: the Tauri shell's command list
//! (`src-tauri/src/main.rs`, `generate_handler!`), the commands it declares to need a permission
//! (`src-tauri/build.rs`) and the permissions its window holds (`src-tauri/capabilities/main.json`)
//! name the same commands. A command registered but not allowed fails at run time with an error the
//! UI can only call "something went wrong", so it is caught here, without building the shell.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no `{start}`")) + start.len();
    let to = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no `{end}`"))
        + from;
    &text[from..to]
}

#[test]
fn every_registered_command_is_declared_and_allowed() {
    let main = read("src-tauri/src/main.rs");
    let registered: BTreeSet<String> = between(&main, "generate_handler![", "]")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap_or(s).to_string())
        .collect();
    assert!(registered.len() > 10, "{registered:?}");

    let build = read("src-tauri/build.rs");
    let declared: BTreeSet<String> = between(&build, "COMMANDS: &[&str] = &[", "];")
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(declared, registered, "src-tauri/build.rs COMMANDS");

    let capability: serde_json::Value =
        serde_json::from_str(&read("src-tauri/capabilities/main.json")).expect("JSON");
    let allowed: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(allowed, registered, "src-tauri/capabilities/main.json");
}
