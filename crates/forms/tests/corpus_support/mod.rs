//! The conformance corpus (`tests/corpus/`) as the tests and the bench see it: each form's bytes as a
//! user's file would be (a markdown form becomes a real `.xlsx` workbook), and a seeded generator of
//! answers that fills a loaded form the way a surveyor would (relevant questions only, values the
//! engine accepts where the generator can find one).
//!
//! Markdown forms use pyxform's test notation: a line whose first cell is not empty starts a sheet
//! (`| survey |`), the following lines with an empty first cell are that sheet's rows (the header
//! first). Lines that do not start with `|` are prose and ignored; `\|` is a literal `|` in a cell.
#![allow(dead_code)]

use serde_json::{json, Map, Value};
use shumari_forms::instance::MEMBER_CORE;
use shumari_forms::{Evaluation, Form, Instance, Question, QuestionType, Row};
use std::path::{Path, PathBuf};

/// `tests/corpus/`.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// One corpus form: its file, the name it is loaded under, and the bytes a user would upload.
pub struct CorpusForm {
    /// The file in `tests/corpus/` (`odk_all_question_types.md`, `legacy_kobo.xls`).
    pub file: String,
    /// The file name given to [`Form::load`]: `NAME.xlsx` for a markdown form, else the file itself.
    pub load_name: String,
    /// The workbook's bytes.
    pub bytes: Vec<u8>,
    /// Where its expectation lives (`NAME.expect.json`, `NAME.xls.expect.json`).
    pub expect: PathBuf,
    /// The survey sheet's rows (header excluded).
    pub survey_rows: usize,
}

/// Every corpus form, sorted by file name.
pub fn corpus() -> Vec<CorpusForm> {
    let dir = corpus_dir();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/corpus exists")
        .map(|e| {
            e.expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|f| {
            let md = f.ends_with(".md") && !matches!(f.as_str(), "README.md" | "LICENSES.md");
            md || f.ends_with(".xls") || f.ends_with(".xlsx") || f.ends_with(".ods")
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|f| load_corpus_form(&dir, &f))
        .collect()
}

/// One corpus form by file name.
pub fn corpus_form(file: &str) -> CorpusForm {
    load_corpus_form(&corpus_dir(), file)
}

fn load_corpus_form(dir: &Path, file: &str) -> CorpusForm {
    let path = dir.join(file);
    if let Some(stem) = file.strip_suffix(".md") {
        let text = std::fs::read_to_string(&path).expect("markdown form");
        let sheets = parse_markdown(&text);
        let survey_rows = sheets
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("survey"))
            .map_or(0, |(_, rows)| rows.len().saturating_sub(1));
        CorpusForm {
            file: file.to_string(),
            load_name: format!("{stem}.xlsx"),
            bytes: xlsx(&sheets),
            expect: dir.join(format!("{stem}.expect.json")),
            survey_rows,
        }
    } else {
        let bytes = std::fs::read(&path).expect("workbook");
        let survey_rows = Form::load(file, &bytes).map_or(0, |l| l.form.survey.len());
        CorpusForm {
            file: file.to_string(),
            load_name: file.to_string(),
            bytes,
            expect: dir.join(format!("{file}.expect.json")),
            survey_rows,
        }
    }
}

/// A sheet: its name and rows of cells (the header row first).
pub type Sheet = (String, Vec<Vec<String>>);

/// Splits one table line into cells, `\|` being a literal `|`.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let mut out = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                out.last_mut().expect("one cell").push('|');
            }
            '|' => out.push(String::new()),
            c => out.last_mut().expect("one cell").push(c),
        }
    }
    // The text after the closing `|` is not a cell.
    if inner.trim_end().ends_with('|') && !inner.trim_end().ends_with("\\|") {
        out.pop();
    }
    out.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Reads pyxform's markdown notation into sheets (see the module docs).
pub fn parse_markdown(text: &str) -> Vec<Sheet> {
    let mut sheets: Vec<Sheet> = Vec::new();
    for line in text.lines() {
        if !line.trim_start().starts_with('|') {
            continue;
        }
        let cells = cells(line);
        let first = cells.first().map(String::as_str).unwrap_or_default();
        if !first.is_empty() {
            sheets.push((first.to_string(), Vec::new()));
            continue;
        }
        let Some((_, rows)) = sheets.last_mut() else {
            panic!("a row before any sheet name: {line}");
        };
        let mut row: Vec<String> = cells[1..].to_vec();
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
        rows.push(row);
    }
    sheets
}

/// Writes sheets as an `.xlsx` workbook, every cell as text, with a fixed creation time so the same
/// sheets give the same bytes (a form without a `version` takes it from the bytes).
pub fn xlsx(sheets: &[Sheet]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 1, 1).expect("a date");
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created));
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).expect("a sheet name Excel accepts");
        for (i, row) in rows.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(i as u32, j as u16, v)
                        .expect("a cell Excel accepts");
                }
            }
        }
    }
    wb.save_to_buffer().expect("an xlsx workbook")
}

/// A small seeded generator (SplitMix64): the same seed gives the same answers on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// The date every evaluation of the corpus is made on.
pub fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("a date")
}

/// Candidate values for a question, the seeded ones first, then plain ones a constraint is likely
/// to accept. `offered` are the choice names the question offers here.
fn candidates(kind: &QuestionType, offered: &[String], rng: &mut Rng) -> Vec<Value> {
    let n = rng.below(90) + 1;
    match kind {
        QuestionType::Text => vec![
            json!(format!("Answer {n}")),
            json!(format!("0300{:07}", rng.below(10_000_000))),
            json!("A"),
            json!(format!("{n:03}")),
            json!("35202-1234567-1"),
        ],
        QuestionType::Integer => [
            (n % 12) as i64 + 1,
            n as i64,
            1,
            0,
            2,
            5,
            10,
            18,
            30,
            45,
            100,
            1000,
            2024,
            -1,
        ]
        .into_iter()
        .map(|i| json!(i))
        .collect(),
        QuestionType::Decimal => [n as f64 + 0.5, 1.0, 0.0, 2.5, 10.0, 50.0, 100.0, 1000.0]
            .into_iter()
            .map(|f| json!(f))
            .collect(),
        QuestionType::Range(p) => {
            let steps = ((p.end - p.start) / p.step).abs().floor() as u64;
            let k = rng.below(steps + 1) as f64;
            let dir = if p.end < p.start { -1.0 } else { 1.0 };
            vec![json!(p.start + dir * k * p.step), json!(p.start)]
        }
        QuestionType::SelectOne(_) => {
            let mut names = offered.to_vec();
            rng.shuffle(&mut names);
            names.into_iter().map(Value::String).collect()
        }
        QuestionType::SelectMultiple(_) => {
            let mut names = offered.to_vec();
            rng.shuffle(&mut names);
            let mut out = Vec::new();
            for take in [2, 1, 3] {
                if names.len() >= take {
                    out.push(json!(names[..take].join(" ")));
                }
            }
            out.extend(names.into_iter().map(Value::String));
            out
        }
        QuestionType::Rank(_) => {
            let mut names = offered.to_vec();
            rng.shuffle(&mut names);
            vec![json!(names.join(" "))]
        }
        // Choices from an attached file or the external_choices sheet when the form has them, else
        // any name (which the engine accepts without the file).
        QuestionType::SelectOneFromFile(_)
        | QuestionType::SelectMultipleFromFile(_)
        | QuestionType::SelectOneExternal(_) => match offered.first() {
            Some(_) => vec![json!(offered[rng.below(offered.len() as u64) as usize])],
            None => vec![json!(format!("item{n}"))],
        },
        QuestionType::Date => vec![
            json!(format!(
                "20{:02}-{:02}-{:02}",
                10 + n % 14,
                1 + n % 12,
                1 + n % 28
            )),
            json!("2025-05-31"),
            json!("2025-06-01"),
            json!("1980-01-01"),
        ],
        QuestionType::Time => vec![json!(format!("{:02}:{:02}:00", 8 + n % 10, n % 60))],
        QuestionType::DateTime => vec![json!(format!(
            "2025-0{}-{:02}T{:02}:30:00",
            1 + n % 5,
            1 + n % 28,
            8 + n % 10
        ))],
        QuestionType::Geopoint => vec![json!(format!("31.{n} 74.{n} 210 5"))],
        QuestionType::Geotrace => vec![json!("31.5 74.3 0 0;31.6 74.4 0 0;31.7 74.4 0 0")],
        QuestionType::Geoshape => {
            vec![json!(
                "31.5 74.3 0 0;31.6 74.3 0 0;31.6 74.4 0 0;31.5 74.3 0 0"
            )]
        }
        QuestionType::Media(_) => vec![json!(format!("file-{n}.jpg"))],
        QuestionType::Barcode => vec![json!(format!("9780{:09}", rng.below(1_000_000_000)))],
        QuestionType::Acknowledge => vec![json!("OK")],
        _ => Vec::new(),
    }
}

/// The names a select offers at an item: the item's filtered list, else the whole list.
fn offered(form: &Form, q: &Question, filtered: Option<&Vec<String>>) -> Vec<String> {
    match filtered {
        Some(names) => names.clone(),
        None => form.choices_for(q).map(|c| c.name.clone()).collect(),
    }
}

/// The repeat names of a form, in order.
pub fn repeats(form: &Form) -> Vec<String> {
    form.survey
        .iter()
        .filter(|q| q.kind == QuestionType::BeginRepeat)
        .map(|q| q.name.clone())
        .collect()
}

fn set_rows(inst: &mut Instance, repeat: &str, n: usize) {
    let rows = inst.repeats.entry(repeat.to_string()).or_default();
    rows.truncate(n);
    while rows.len() < n {
        rows.push(Row {
            key: format!("r{}", rows.len() + 1),
            answers: Default::default(),
        });
    }
}

/// Fills a form with seeded answers: every repeat gets 1 to 3 rows (as many as a `repeat_count`
/// asks for, when the generator can tell), every relevant question a value (optional ones most of
/// the time), preferring a value [`Form::check_value`] accepts; relevance is followed by
/// evaluating again after each pass, until nothing new is asked.
pub fn generate(form: &Form, seed: u64) -> Instance {
    let mut rng = Rng::new(seed);
    let today = today();
    let mut inst = Instance {
        id: Some(format!("hh-{seed}")),
        form_id: Some(form.settings.form_id.clone()),
        form_version: Some(form.settings.version.clone()),
        ..Instance::default()
    };
    for r in repeats(form) {
        let n = 1 + rng.below(3) as usize;
        set_rows(&mut inst, &r, n);
    }
    let mut skipped = std::collections::BTreeSet::new();
    for _ in 0..6 {
        let mut filled = false;
        fit_repeat_counts(form, &mut inst, today);
        let e = form.evaluate(&inst, "", today);
        for item in &e.items {
            let Some(q) = form.question(&item.question) else {
                continue;
            };
            if !item.relevant || !q.kind.is_input() || item.read_only {
                continue;
            }
            // An optional question left empty stays empty, unless an answer since made it
            // required.
            if inst.get(&item.path).is_some() || (skipped.contains(&item.path) && !item.required) {
                continue;
            }
            if !item.required && !rng.chance(85) {
                skipped.insert(item.path.clone());
                continue;
            }
            let offered = offered(form, q, item.choices.as_ref());
            // A select whose list offers nothing here is left for a later pass.
            let cands = if form.has_choice_list(q) && offered.is_empty() {
                Vec::new()
            } else {
                candidates(&q.kind, &offered, &mut rng)
            };
            let chosen = cands
                .iter()
                .find(|v| form.check_value(&inst, &item.path, v, "", today).is_ok())
                .or(cands.first())
                .cloned();
            match chosen {
                Some(v) => {
                    inst.set(&item.path, v).expect("the item's path exists");
                    filled = true;
                }
                None => {
                    skipped.insert(item.path.clone());
                }
            }
        }
        if !filled {
            break;
        }
    }
    fit_repeat_counts(form, &mut inst, today);
    inst
}

/// Gives each repeat whose `repeat_count` the row count breaks the first count from 0 to 12 that
/// the engine accepts.
fn fit_repeat_counts(form: &Form, inst: &mut Instance, today: chrono::NaiveDate) {
    let wrong = |e: &Evaluation, r: &str| e.invalid.iter().any(|f| f.path == r);
    for r in repeats(form) {
        if !wrong(&form.evaluate(inst, "", today), &r) {
            continue;
        }
        for n in 0..=12 {
            set_rows(inst, &r, n);
            if !wrong(&form.evaluate(inst, "", today), &r) {
                break;
            }
        }
    }
}

/// An instance as the household JSON contract ([`Instance::from_household_json`]) and the app's
/// export carry it: household answers under `answers` (`area`/`gps` at the top when they were
/// given there), the roster `members` as a list of members with their core fields beside
/// `answers`, any other repeat's rows under `repeats`.
pub fn household_json(inst: &Instance) -> Value {
    let mut top = Map::new();
    if let Some(id) = &inst.id {
        top.insert("id".into(), json!(id));
    }
    if let Some(f) = &inst.form_id {
        top.insert("form_id".into(), json!(f));
    }
    if let Some(v) = &inst.form_version {
        top.insert("form_version".into(), json!(v));
    }
    let mut answers = Map::new();
    for (k, v) in &inst.answers {
        if inst.top_level.contains(k) {
            top.insert(k.clone(), v.clone());
        } else {
            answers.insert(k.clone(), v.clone());
        }
    }
    top.insert("answers".into(), Value::Object(answers));
    let mut others = Map::new();
    for (repeat, rows) in &inst.repeats {
        let list: Vec<Value> = rows
            .iter()
            .map(|row| {
                let mut m = Map::new();
                let mut answers = Map::new();
                m.insert("id".into(), json!(row.key));
                for (k, v) in &row.answers {
                    if repeat == "members" && MEMBER_CORE.contains(&k.as_str()) {
                        m.insert(k.clone(), v.clone());
                    } else {
                        answers.insert(k.clone(), v.clone());
                    }
                }
                m.insert("answers".into(), Value::Object(answers));
                Value::Object(m)
            })
            .collect();
        if repeat == "members" {
            top.insert(repeat.clone(), Value::Array(list));
        } else {
            others.insert(repeat.clone(), Value::Array(list));
        }
    }
    if !others.is_empty() {
        top.insert("repeats".into(), Value::Object(others));
    }
    Value::Object(top)
}

/// Spoils a filled instance the way drafts and bad imports look: about one answer in five removed,
/// one in ten replaced by text of the wrong shape, so the round trip also carries missing and
/// invalid findings.
pub fn spoil(inst: &mut Instance, seed: u64) {
    let mut rng = Rng::new(seed ^ 0x5EED);
    let mut spoil_map = |answers: &mut std::collections::BTreeMap<String, Value>| {
        let keys: Vec<String> = answers.keys().cloned().collect();
        for k in keys {
            match rng.below(10) {
                0 | 1 => {
                    answers.remove(&k);
                }
                2 => {
                    answers.insert(k, json!("not-a-valid-answer 99"));
                }
                _ => {}
            }
        }
    };
    spoil_map(&mut inst.answers);
    for rows in inst.repeats.values_mut() {
        for row in rows {
            spoil_map(&mut row.answers);
        }
    }
}
