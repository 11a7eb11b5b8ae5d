//! `shumari areas`: the area list (built-in plus the store's additions when a store exists).

use crate::cli::{AreasArgs, AreasCmd, Cli};
use crate::output;
use shumari_domain::AreaRegistry;

/// Runs `shumari areas`.
pub fn run(cli: &Cli, args: &AreasArgs) -> anyhow::Result<i32> {
    if let Some(AreasCmd::Add { code, name, parent }) = &args.add {
        let mut store = crate::pin::open_store(cli)?;
        store.add_area(code, name, parent)?;
        let area = store.areas().get(code)?;
        if cli.json {
            output::json(area)?;
        } else {
            println!(
                "added {} {} ({}) under {}",
                area.code,
                area.name,
                area.level.as_str(),
                parent
            );
        }
        return Ok(0);
    }
    // Areas are public reference data: list them without unlocking the store when there is none.
    let dir = crate::pin::data_dir(cli)?;
    let (store, builtin);
    let areas: &AreaRegistry =
        if shumari_store::Store::exists(&dir) && std::env::var("SHUMARI_PIN").is_ok() {
            store = crate::pin::open_store(cli)?;
            store.areas()
        } else {
            builtin = AreaRegistry::builtin();
            &builtin
        };
    let children = areas.children(args.parent.as_deref())?;
    if cli.json {
        output::json(&children)?;
    } else {
        let mut t = output::table(&["code", "name", "level", "sub-areas"]);
        for a in &children {
            let n = areas.children(Some(&a.code)).map(|c| c.len()).unwrap_or(0);
            t.add_row(vec![
                a.code.clone(),
                a.name.clone(),
                a.level.as_str().to_string(),
                n.to_string(),
            ]);
        }
        println!("{t}");
    }
    Ok(0)
}
