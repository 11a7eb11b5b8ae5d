//! `shumari init` and `shumari household ...`: the surveyor's store from the command line.
//!
//! Parsing and printing only: every use case (add, import, set, validate, show, list) is a method of
//! [`shumari_app::App`], opened without its background sync, so the questionnaire's rules are the ones
//! the field app applies.

use crate::cli::{Cli, HouseholdCmd};
use crate::exit::bad;
use crate::output;
use crate::pin;
use crate::progress::{Bar, Unit};
use serde_json::{json, Value};
use shumari_app::household_records::ValidationReport;
use shumari_app::AppError;
use shumari_domain::{HouseholdInput, Status, Warning};
use shumari_store::{ListFilter, Store, StoreError};
use std::io::{BufRead, Read};

/// Households are imported in transactions of this many lines.
const IMPORT_BATCH: usize = 500;

/// Language of the questionnaire's messages (`SHUMARI_LANG`, default English).
fn lang() -> String {
    std::env::var("SHUMARI_LANG").unwrap_or_else(|_| "en".to_string())
}

/// `shumari init`
pub fn init(cli: &Cli) -> anyhow::Result<i32> {
    let dir = pin::data_dir(cli)?;
    if Store::exists(&dir) {
        return Err(StoreError::AlreadyInitialised(dir.display().to_string()).into());
    }
    let store = Store::create(&dir, &pin::pin(true)?)?;
    if cli.json {
        output::json(&json!({"data_dir": dir, "device": store.device().short_id}))?;
    } else {
        println!(
            "Created an encrypted store in {} (device {}).",
            dir.display(),
            store.device().short_id
        );
    }
    Ok(0)
}

/// `shumari household ...`
pub fn run(cli: &Cli, cmd: &HouseholdCmd) -> anyhow::Result<i32> {
    match cmd {
        HouseholdCmd::Add { area, file } => add(cli, area.as_deref(), file),
        HouseholdCmd::Import { file } => import(cli, file),
        HouseholdCmd::List {
            area,
            search,
            status,
            limit,
            offset,
            left_area,
        } => list(
            cli,
            ListFilter {
                area: area.clone(),
                search: search.clone(),
                status: status.as_deref().map(Status::parse).transpose()?,
                limit: *limit,
                offset: *offset,
                left_scope: *left_area,
            },
        ),
        HouseholdCmd::ExportLeftArea { out } => {
            export(&pin::open_app(cli)?.left_area_export()?, out.as_deref())
        }
        HouseholdCmd::ExportUnsent { out } => {
            export(&pin::open_app(cli)?.unsent_export()?, out.as_deref())
        }
        HouseholdCmd::Show { id } => show(cli, id),
        HouseholdCmd::Assignments => crate::assign_cmd::device(cli),
        HouseholdCmd::Set { id, assignments } => set(cli, id, assignments),
        HouseholdCmd::Validate { id, lang } => validate(cli, id, lang),
    }
}

fn read_input(file: &str) -> anyhow::Result<String> {
    let mut s = String::new();
    if file == "-" {
        std::io::stdin().read_to_string(&mut s)?;
    } else {
        s = std::fs::read_to_string(file).map_err(|e| bad(format!("cannot read {file}: {e}")))?;
    }
    Ok(s)
}

fn parse_household(text: &str) -> anyhow::Result<HouseholdInput> {
    serde_json::from_str(text).map_err(|e| bad(format!("not a household JSON: {e}")))
}

fn print_warnings(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("warning: {}: {}", w.field, w.message);
    }
}

fn add(cli: &Cli, area: Option<&str>, file: &str) -> anyhow::Result<i32> {
    let input = parse_household(&read_input(file)?)?;
    let app = pin::open_app(cli)?;
    let created = app.add_household(&input, area, &lang())?;
    if cli.json {
        output::json(
            &json!({"id": created.id, "ref": created.reference, "warnings": created.warnings}),
        )?;
    } else {
        print_warnings(&created.warnings);
        println!("{}\t{}", created.id, created.reference);
    }
    Ok(0)
}

fn import(cli: &Cli, file: &str) -> anyhow::Result<i32> {
    let open = || -> anyhow::Result<std::io::BufReader<std::fs::File>> {
        Ok(std::io::BufReader::new(
            std::fs::File::open(file).map_err(|e| bad(format!("cannot read {file}: {e}")))?,
        ))
    };
    // On a terminal: households per second and the time left; a file's lines are counted first
    // for the total (standard input shows a count and a rate).
    let (reader, bar): (Box<dyn BufRead>, Bar) = if file == "-" {
        let bar = Bar::spinner(cli.json, "importing", "households");
        (Box::new(std::io::BufReader::new(std::io::stdin())), bar)
    } else {
        let bar = Bar::new(cli.json, Unit::Households);
        if bar.is_drawn() {
            let lines = open()?
                .lines()
                .map_while(Result::ok)
                .filter(|l| !l.trim().is_empty());
            bar.set("importing", 0, Some(lines.count() as u64));
        }
        (Box::new(open()?), bar)
    };
    let app = pin::open_app(cli)?;
    let lang = lang();
    let mut imported = 0usize;
    let mut rejected: Vec<(usize, String)> = Vec::new();
    let mut batch: Vec<(usize, HouseholdInput)> = Vec::new();
    let flush = |batch: &mut Vec<(usize, HouseholdInput)>,
                 rejected: &mut Vec<(usize, String)>|
     -> anyhow::Result<usize> {
        let inputs: Vec<HouseholdInput> = batch.iter().map(|(_, h)| h.clone()).collect();
        let results = app.import_households(&inputs, &lang)?;
        bar.add(inputs.len() as u64);
        let mut ok = 0;
        for ((line, _), r) in batch.iter().zip(results) {
            match r {
                Ok(_) => ok += 1,
                Err(e) => rejected.push((*line, e.to_string())),
            }
        }
        batch.clear();
        Ok(ok)
    };
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| bad(format!("line {n}: cannot read: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        match parse_household(&line) {
            Ok(h) => batch.push((n, h)),
            Err(e) => {
                bar.add(1);
                rejected.push((n, format!("{e:#}")));
            }
        }
        if batch.len() >= IMPORT_BATCH {
            imported += flush(&mut batch, &mut rejected)?;
        }
    }
    imported += flush(&mut batch, &mut rejected)?;
    bar.finish();
    rejected.sort_by_key(|(l, _)| *l);
    if cli.json {
        let rej: Vec<Value> = rejected
            .iter()
            .map(|(l, e)| json!({"line": l, "error": e}))
            .collect();
        output::json(&json!({"imported": imported, "rejected": rej}))?;
    } else {
        for (l, e) in &rejected {
            println!("line {l}: {e}");
        }
        println!("imported {imported}, rejected {}", rejected.len());
    }
    Ok(if rejected.is_empty() { 0 } else { 2 })
}

fn list(cli: &Cli, filter: ListFilter) -> anyhow::Result<i32> {
    let app = pin::open_app(cli)?;
    let rows = app.household_rows(&filter)?;
    if cli.json {
        output::json(&rows)?;
    } else {
        output::households(&rows);
    }
    Ok(0)
}

/// Writes `households` as JSON Lines to `out` (a file only its owner can read) or standard output.
fn export(households: &[shumari_store::HouseholdView], out: Option<&str>) -> anyhow::Result<i32> {
    match out.filter(|o| *o != "-") {
        Some(path) => {
            shumari_app::exports::write_jsonl(std::path::Path::new(path), households)?;
            eprintln!("{} household(s) written to {path}", households.len());
        }
        None => {
            for h in households {
                println!("{}", serde_json::to_string(h)?);
            }
        }
    }
    Ok(0)
}

fn show(cli: &Cli, id: &str) -> anyhow::Result<i32> {
    let view = pin::open_app(cli)?.household(id)?;
    if cli.json {
        output::json(&view)?;
        return Ok(0);
    }
    let h = &view.household;
    println!("Household {}  ({})", h.reference, h.id);
    println!(
        "area {}   status {}   form {} v{}",
        h.area,
        h.status.as_str(),
        h.form_id,
        h.form_version
    );
    if let Some(g) = &h.gps {
        println!("gps {:.6}, {:.6}", g.lat, g.lon);
    }
    println!("updated {} by {}", h.updated_at.to_rfc3339(), h.updated_by);
    if let Some(r) = &h.review {
        println!(
            "review: {} by {} ({}) at {}{}",
            r.decision,
            r.by_name,
            r.by,
            r.at.to_rfc3339(),
            if r.comment.is_empty() {
                String::new()
            } else {
                format!(": {}", r.comment)
            }
        );
        if !r.questions.is_empty() {
            println!("questions: {}", r.questions.join(", "));
        }
    }
    let mut t = output::table(&[
        "#",
        "member id",
        "name",
        "relation",
        "sex",
        "age/dob",
        "CNIC/B-form",
    ]);
    for m in &h.members {
        t.add_row(vec![
            m.line.to_string(),
            m.id.to_string(),
            m.name.clone(),
            m.relation.as_str().to_string(),
            m.sex.as_str().to_string(),
            m.dob
                .map(|d| d.to_string())
                .or(m.age.map(|a| a.to_string()))
                .unwrap_or_default(),
            m.id_number.as_ref().map(|n| n.dashed()).unwrap_or_default(),
        ]);
    }
    println!("{t}");
    if !h.answers.is_empty() {
        let mut a = output::table(&["question", "answer"]);
        for (k, v) in &h.answers {
            a.add_row(vec![
                k.clone(),
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string()),
            ]);
        }
        println!("{a}");
    }
    if !view.conflicts.is_empty() {
        println!(
            "CONFLICTS ({}): concurrent edits kept for review; setting the field again resolves it",
            view.conflicts.len()
        );
        for c in &view.conflicts {
            let vals: Vec<String> = c
                .values
                .iter()
                .map(|v| format!("{} (by {})", v.value, v.author))
                .collect();
            println!("  {}: {}", c.path, vals.join("  |  "));
        }
    }
    Ok(0)
}

/// Parses `PATH=VALUE`: a value that parses as JSON is taken as such, otherwise as text.
pub fn parse_assignment(s: &str) -> anyhow::Result<(String, Value)> {
    let (path, raw) = s
        .split_once('=')
        .ok_or_else(|| bad(format!("`{s}`: expected PATH=VALUE")))?;
    let value =
        serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((path.trim().to_string(), value))
}

fn set(cli: &Cli, id: &str, assignments: &[String]) -> anyhow::Result<i32> {
    let fields: Vec<(String, Value)> = assignments
        .iter()
        .map(|a| parse_assignment(a))
        .collect::<anyhow::Result<_>>()?;
    let app = pin::open_app(cli)?;
    let (h, warnings) = app
        .set_household_fields(id, &fields, &lang())
        .map_err(|e| match e {
            AppError::Incomplete { count, detail } => bad(format!(
                "cannot mark complete: {count} answer(s) missing or invalid (`shumari household validate` lists them): {detail}"
            )),
            other => other.into(),
        })?;
    if cli.json {
        output::json(
            &json!({"id": h.id, "ref": h.reference, "status": h.status, "warnings": warnings}),
        )?;
    } else {
        // Plausibility warnings concern ID numbers and sex: repeat them only when one of those changed.
        if fields
            .iter()
            .any(|(p, _)| p.ends_with(".id_number") || p.ends_with(".sex"))
        {
            print_warnings(&warnings);
        }
        println!("updated {}", h.reference);
    }
    Ok(0)
}

fn validate(cli: &Cli, id: &str, lang: &str) -> anyhow::Result<i32> {
    let report = pin::open_app(cli)?.validate_household(id, lang)?;
    if cli.json {
        // Through a JSON value, so keys print in the order they always have (sorted).
        output::json(&serde_json::to_value(&report)?)?;
    } else {
        print_report(&report);
    }
    Ok(if report.complete { 0 } else { 2 })
}

/// Prints a validation report for people.
fn print_report(report: &ValidationReport) {
    let list = |items: &[shumari_forms::Issue], title: &str| {
        if !items.is_empty() {
            println!("{title} ({}):", items.len());
            for i in items {
                println!("  {}: {}", i.path, i.message);
            }
        }
    };
    println!(
        "form {} v{}: {}",
        report.form_id,
        report.form_version,
        if report.complete {
            "complete and valid"
        } else {
            "not complete"
        }
    );
    list(&report.missing, "missing");
    list(&report.invalid, "invalid");
    list(
        &report.unknown,
        "answers to questions this form version does not have (kept)",
    );
    let pmt = &report.pmt;
    println!(
        "provisional PMT score {:.1} (model {})",
        pmt.score, pmt.model_version
    );
    for c in &pmt.contributions {
        println!("  {:>6.1}  {}", c.points, c.label_en);
    }
    for p in &pmt.programmes {
        println!(
            "  {}: threshold {} -> {}",
            p.programme,
            Value::from(p.threshold),
            if p.eligible {
                "eligible"
            } else {
                "not eligible"
            }
        );
    }
}
