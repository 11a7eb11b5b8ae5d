//! The `type` column: every question type XLSForm defines, under every name pyxform accepts.
//!
//! The one alias table is [`PLAIN`] (types that take nothing) and [`LISTED`] (types followed by a
//! choice list or a file name). It follows pyxform, the reference XLSForm converter:
//! `pyxform/aliases.py` (`select`, `select_from_file`, `control`, `_type_alias_map`) and
//! `pyxform/question_type_dictionary.py` (the old `q ...`, `add ... prompt`, `get ...` names). Names
//! are matched in any case with any spacing (`dateTime`, `datetime`, `begin  group`), list and file
//! names as written. An unknown type is refused with the closest known name as a suggestion.

use crate::expr::Expression;
use crate::model::{External, Media, Meta, QuestionType, RangeParams};
use std::sync::OnceLock;

/// Types that take no argument, cell (lower case, single spaces) to type.
const PLAIN: &[(&str, QuestionType)] = &[
    ("text", QuestionType::Text),
    ("string", QuestionType::Text),
    ("q string", QuestionType::Text),
    ("add text prompt", QuestionType::Text),
    ("integer", QuestionType::Integer),
    ("int", QuestionType::Integer),
    ("q int", QuestionType::Integer),
    ("add integer prompt", QuestionType::Integer),
    ("decimal", QuestionType::Decimal),
    ("q decimal", QuestionType::Decimal),
    ("add decimal prompt", QuestionType::Decimal),
    ("range", QuestionType::Range(RANGE_DEFAULT)),
    ("date", QuestionType::Date),
    ("q date", QuestionType::Date),
    ("add date prompt", QuestionType::Date),
    ("time", QuestionType::Time),
    ("datetime", QuestionType::DateTime),
    ("date time", QuestionType::DateTime),
    ("q datetime", QuestionType::DateTime),
    ("q date time", QuestionType::DateTime),
    ("add datetime prompt", QuestionType::DateTime),
    ("add date time prompt", QuestionType::DateTime),
    ("geopoint", QuestionType::Geopoint),
    ("gps", QuestionType::Geopoint),
    ("location", QuestionType::Geopoint),
    ("q geopoint", QuestionType::Geopoint),
    ("q location", QuestionType::Geopoint),
    ("add location prompt", QuestionType::Geopoint),
    ("geotrace", QuestionType::Geotrace),
    ("geoshape", QuestionType::Geoshape),
    ("image", QuestionType::Media(Media::Image)),
    ("photo", QuestionType::Media(Media::Image)),
    ("q picture", QuestionType::Media(Media::Image)),
    ("q image", QuestionType::Media(Media::Image)),
    ("add image prompt", QuestionType::Media(Media::Image)),
    ("add photo prompt", QuestionType::Media(Media::Image)),
    ("audio", QuestionType::Media(Media::Audio)),
    ("q audio", QuestionType::Media(Media::Audio)),
    ("add audio prompt", QuestionType::Media(Media::Audio)),
    ("video", QuestionType::Media(Media::Video)),
    ("q video", QuestionType::Media(Media::Video)),
    ("add video prompt", QuestionType::Media(Media::Video)),
    ("file", QuestionType::Media(Media::File)),
    ("add file prompt", QuestionType::Media(Media::File)),
    ("barcode", QuestionType::Barcode),
    ("qr code", QuestionType::Barcode),
    ("q barcode", QuestionType::Barcode),
    ("add barcode prompt", QuestionType::Barcode),
    ("note", QuestionType::Note),
    ("q note", QuestionType::Note),
    ("add note prompt", QuestionType::Note),
    ("calculate", QuestionType::Calculate),
    ("q calculate", QuestionType::Calculate),
    ("add calculate prompt", QuestionType::Calculate),
    ("hidden", QuestionType::Hidden),
    ("acknowledge", QuestionType::Acknowledge),
    ("trigger", QuestionType::Acknowledge),
    ("q acknowledge", QuestionType::Acknowledge),
    ("add acknowledge prompt", QuestionType::Acknowledge),
    ("xml-external", QuestionType::External(External::Xml)),
    ("csv-external", QuestionType::External(External::Csv)),
    ("start", QuestionType::Meta(Meta::Start)),
    ("start time", QuestionType::Meta(Meta::Start)),
    ("get start time", QuestionType::Meta(Meta::Start)),
    ("end", QuestionType::Meta(Meta::End)),
    ("end time", QuestionType::Meta(Meta::End)),
    ("get end time", QuestionType::Meta(Meta::End)),
    ("today", QuestionType::Meta(Meta::Today)),
    ("get today", QuestionType::Meta(Meta::Today)),
    ("deviceid", QuestionType::Meta(Meta::DeviceId)),
    ("device id", QuestionType::Meta(Meta::DeviceId)),
    ("get device id", QuestionType::Meta(Meta::DeviceId)),
    ("imei", QuestionType::Meta(Meta::DeviceId)),
    ("uri:deviceid", QuestionType::Meta(Meta::DeviceId)),
    ("phonenumber", QuestionType::Meta(Meta::PhoneNumber)),
    ("get phone number", QuestionType::Meta(Meta::PhoneNumber)),
    ("uri:phonenumber", QuestionType::Meta(Meta::PhoneNumber)),
    ("username", QuestionType::Meta(Meta::Username)),
    ("uri:username", QuestionType::Meta(Meta::Username)),
    ("email", QuestionType::Meta(Meta::Email)),
    ("uri:email", QuestionType::Meta(Meta::Email)),
    ("audit", QuestionType::Meta(Meta::Audit)),
    ("start-geopoint", QuestionType::Meta(Meta::StartGeopoint)),
    ("subscriberid", QuestionType::Meta(Meta::SubscriberId)),
    ("subscriber id", QuestionType::Meta(Meta::SubscriberId)),
    ("get subscriber id", QuestionType::Meta(Meta::SubscriberId)),
    ("uri:subscriberid", QuestionType::Meta(Meta::SubscriberId)),
    ("simserial", QuestionType::Meta(Meta::SimSerial)),
    ("sim id", QuestionType::Meta(Meta::SimSerial)),
    ("get sim id", QuestionType::Meta(Meta::SimSerial)),
    ("uri:simserial", QuestionType::Meta(Meta::SimSerial)),
    ("begin_group", QuestionType::BeginGroup),
    ("begin group", QuestionType::BeginGroup),
    ("end_group", QuestionType::EndGroup),
    ("end group", QuestionType::EndGroup),
    ("begin_repeat", QuestionType::BeginRepeat),
    ("begin repeat", QuestionType::BeginRepeat),
    ("begin lgroup", QuestionType::BeginRepeat),
    ("begin looped group", QuestionType::BeginRepeat),
    ("end_repeat", QuestionType::EndRepeat),
    ("end repeat", QuestionType::EndRepeat),
    ("end lgroup", QuestionType::EndRepeat),
    ("end looped group", QuestionType::EndRepeat),
];

const RANGE_DEFAULT: RangeParams = RangeParams {
    start: 1.0,
    end: 10.0,
    step: 1.0,
};

/// What follows the type words of a [`LISTED`] type.
#[derive(Clone, Copy)]
enum Arg {
    List,
    File,
}

/// Makes a type from the name that follows it.
type Make = fn(String) -> QuestionType;

/// Types followed by one name: a choice list or a file (`select one from X`, `rank X`).
const LISTED: &[(&str, Arg, Make)] = &[
    ("select_one", Arg::List, QuestionType::SelectOne),
    ("select one", Arg::List, QuestionType::SelectOne),
    ("select1", Arg::List, QuestionType::SelectOne),
    ("q select1", Arg::List, QuestionType::SelectOne),
    ("select one from", Arg::List, QuestionType::SelectOne),
    ("select one using", Arg::List, QuestionType::SelectOne),
    (
        "add select one prompt using",
        Arg::List,
        QuestionType::SelectOne,
    ),
    ("select_multiple", Arg::List, QuestionType::SelectMultiple),
    ("select multiple", Arg::List, QuestionType::SelectMultiple),
    ("q select", Arg::List, QuestionType::SelectMultiple),
    (
        "select all that apply",
        Arg::List,
        QuestionType::SelectMultiple,
    ),
    (
        "select all that apply from",
        Arg::List,
        QuestionType::SelectMultiple,
    ),
    (
        "select multiple from",
        Arg::List,
        QuestionType::SelectMultiple,
    ),
    (
        "select multiple using",
        Arg::List,
        QuestionType::SelectMultiple,
    ),
    (
        "add select multiple prompt using",
        Arg::List,
        QuestionType::SelectMultiple,
    ),
    (
        "select_one_from_file",
        Arg::File,
        QuestionType::SelectOneFromFile,
    ),
    (
        "select one from file",
        Arg::File,
        QuestionType::SelectOneFromFile,
    ),
    (
        "select_multiple_from_file",
        Arg::File,
        QuestionType::SelectMultipleFromFile,
    ),
    (
        "select multiple from file",
        Arg::File,
        QuestionType::SelectMultipleFromFile,
    ),
    (
        "select_one_external",
        Arg::List,
        QuestionType::SelectOneExternal,
    ),
    ("osm", Arg::List, QuestionType::Osm),
    ("rank", Arg::List, QuestionType::Rank),
];

/// pyxform's typed variants (`question_type_dictionary.py`): a base type with a built-in constraint
/// and message. The cell is kept (an export writes it back); the constraint applies on top of the
/// row's own `constraint`, and its message is the row's `constraint_message` or the variant's.
pub(crate) static PRESETS: [Preset; 5] = [
    Preset {
        cell: "phone number",
        kind: QuestionType::Text,
        constraint: r"regex(., '^\d*$')",
        hint: "Enter numbers only.",
        parsed: OnceLock::new(),
    },
    Preset {
        cell: "percentage",
        kind: QuestionType::Integer,
        constraint: "0 <= . and . <= 100",
        hint: "",
        parsed: OnceLock::new(),
    },
    Preset {
        cell: "number of days in last month",
        kind: QuestionType::Integer,
        constraint: "0 <= . and . <= 31",
        hint: "Enter a number 0-31.",
        parsed: OnceLock::new(),
    },
    Preset {
        cell: "number of days in last six months",
        kind: QuestionType::Integer,
        constraint: "0 <= . and . <= 183",
        hint: "Enter a number 0-183.",
        parsed: OnceLock::new(),
    },
    Preset {
        cell: "number of days in last year",
        kind: QuestionType::Integer,
        constraint: "0 <= . and . <= 365",
        hint: "Enter a number 0-365.",
        parsed: OnceLock::new(),
    },
];

/// A typed variant of a base type (see [`PRESETS`]).
#[derive(Debug)]
pub struct Preset {
    /// The `type` cell.
    pub cell: &'static str,
    /// The base type.
    pub kind: QuestionType,
    /// The built-in constraint (an XPath expression over `.`).
    pub constraint: &'static str,
    /// pyxform's hint for it (English), empty for none: the message of its constraint.
    pub hint: &'static str,
    /// `constraint`, parsed on first use.
    parsed: OnceLock<Expression>,
}

/// A variant is the `type` cell that names it.
impl PartialEq for Preset {
    fn eq(&self, other: &Preset) -> bool {
        self.cell == other.cell
    }
}

impl Eq for Preset {}

impl Preset {
    /// The built-in constraint, parsed once.
    pub(crate) fn expression(&self) -> &Expression {
        self.parsed
            .get_or_init(|| Expression::parse(self.constraint).expect("built-in constraint"))
    }
}

/// What a `type` cell says besides the type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    /// The type.
    pub kind: QuestionType,
    /// A typed variant such as `phone number` (its base type is `kind`).
    pub preset: Option<&'static Preset>,
    /// The cell ends in `or_other` (only after `select_one` and `select_multiple`).
    pub or_other: bool,
    /// `begin loop over LIST` (the list) and `end loop` (empty): loaded as a group.
    pub loop_over: Option<String>,
}

/// Reads a `type` cell.
pub(crate) fn parse_cell(cell: &str) -> Result<Parsed, String> {
    let words: Vec<&str> = cell.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let joined = lower.join(" ");
    let plain = |kind: QuestionType, loop_over: Option<String>| Parsed {
        kind,
        preset: None,
        or_other: false,
        loop_over,
    };
    if let Some((_, t)) = PLAIN.iter().find(|(k, _)| *k == joined) {
        return Ok(plain(t.clone(), None));
    }
    // `osm` alone: an OpenMapKit feature without a tag list.
    if joined == "osm" {
        return Ok(plain(QuestionType::Osm(String::new()), None));
    }
    if let Some(p) = PRESETS.iter().find(|p| p.cell == joined) {
        return Ok(Parsed {
            preset: Some(p),
            ..plain(p.kind.clone(), None)
        });
    }
    match lower
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["begin", "loop", "over", _] => {
            return Ok(plain(QuestionType::BeginGroup, Some(words[3].to_string())))
        }
        ["begin", "loop", "over"] => {
            return Err(
                "`begin loop over` needs a choice list name, e.g. `begin loop over assets`".into(),
            )
        }
        ["end", "loop"] | ["end_loop"] => {
            return Ok(plain(QuestionType::EndGroup, Some(String::new())))
        }
        _ => {}
    }
    // `or_other`, or its old spelling `or specify other` (pyxform reads both).
    let suffix = if lower.last().is_some_and(|w| w == "or_other") {
        1
    } else if lower.len() > 3 && lower[lower.len() - 3..] == ["or", "specify", "other"] {
        3
    } else {
        0
    };
    let or_other = suffix > 0;
    let (words, lower) = (
        &words[..words.len() - suffix],
        &lower[..lower.len() - suffix],
    );
    // The longest type name the cell starts with, followed by exactly one name.
    let mut best: Option<(usize, Arg, Make, &str)> = None;
    for &(name, arg, make) in LISTED {
        let n = name.split(' ').count();
        let starts = lower.len() >= n && lower[..n].join(" ") == name;
        if starts && best.is_none_or(|b| n > b.0) {
            best = Some((n, arg, make, name));
        }
    }
    match best {
        Some((n, _, make, _)) if words.len() == n + 1 => {
            let t = make(words[n].to_string());
            let selects = matches!(
                t,
                QuestionType::SelectOne(_) | QuestionType::SelectMultiple(_)
            );
            if or_other && !selects {
                return Err(format!(
                    "`or_other` only follows select_one and select_multiple, not `{}`",
                    cell.trim()
                ));
            }
            Ok(Parsed {
                kind: t,
                preset: None,
                or_other,
                loop_over: None,
            })
        }
        Some((n, arg, _, name)) if words.len() == n => Err(match arg {
            Arg::List => format!("`{name}` needs a choice list name, e.g. `{name} yes_no`"),
            Arg::File => format!("`{name}` needs a file name, e.g. `{name} places.csv`"),
        }),
        _ => Err(unknown(cell)),
    }
}

/// Parses a `type` cell; `or_other` and loops are refused here (they add or reshape rows, which
/// only the form builder does).
pub(crate) fn parse(cell: &str) -> Result<QuestionType, String> {
    let p = parse_cell(cell)?;
    if p.or_other || p.loop_over.is_some() {
        return Err(format!(
            "`{}` adds or reshapes rows: load it as part of a form",
            cell.trim()
        ));
    }
    Ok(p.kind)
}

fn unknown(cell: &str) -> String {
    let cell = cell.trim();
    let first = cell
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let names = PLAIN
        .iter()
        .map(|(k, _)| *k)
        .chain(LISTED.iter().map(|(k, _, _)| *k));
    let close = names
        .map(|k| {
            (
                strsim::levenshtein(k, &cell.to_ascii_lowercase())
                    .min(strsim::levenshtein(k, &first)),
                k,
            )
        })
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d);
    match close {
        Some((_, k)) => format!("unknown question type `{cell}`; did you mean `{k}`?"),
        None => format!("unknown question type `{cell}`"),
    }
}

/// The canonical `type` cell of a type.
pub(crate) fn cell(t: &QuestionType) -> String {
    match t {
        QuestionType::SelectOne(l) => format!("select_one {l}"),
        QuestionType::SelectMultiple(l) => format!("select_multiple {l}"),
        QuestionType::SelectOneFromFile(f) => format!("select_one_from_file {f}"),
        QuestionType::SelectMultipleFromFile(f) => format!("select_multiple_from_file {f}"),
        QuestionType::SelectOneExternal(l) => format!("select_one_external {l}"),
        QuestionType::Osm(l) if l.is_empty() => "osm".into(),
        QuestionType::Osm(l) => format!("osm {l}"),
        QuestionType::Rank(l) => format!("rank {l}"),
        QuestionType::Range(_) => "range".into(),
        QuestionType::DateTime => "dateTime".into(),
        other => PLAIN
            .iter()
            .find(|(_, t)| t == other)
            .map_or_else(String::new, |(k, _)| (*k).to_string()),
    }
}

/// What the engine or the field app cannot do with a type yet: the reason of its load warning.
pub(crate) fn limitation(t: &QuestionType) -> Option<&'static str> {
    Some(match t {
        QuestionType::Media(_) => {
            "the field app records the picked file's name; the file itself is not kept or sent yet"
        }
        QuestionType::Barcode => "the field app cannot scan barcodes yet; the code is typed as text",
        QuestionType::Geotrace | QuestionType::Geoshape => {
            "the field app takes the points as a list (each captured or typed), not drawn on a map"
        }
        QuestionType::External(_) => "attached external data is not read yet; the row has no value",
        QuestionType::Osm(_) => {
            "OpenMapKit features cannot be captured by the field app; the question stays empty \
             unless a value is imported"
        }
        // Recorded by the field app (`metadata.rs`) or filled by the engine.
        QuestionType::Meta(Meta::Start | Meta::End | Meta::Today | Meta::DeviceId) => return None,
        QuestionType::Meta(_) => {
            "this metadata is not recorded by the field app; it stays empty unless a value is imported"
        }
        _ => return None,
    })
}

/// A `range` question's `parameters` cell (`start=1 end=10 step=1`, separated by spaces, commas or
/// semicolons); unknown parameters are returned for a warning.
pub(crate) fn range_params(cell: &str) -> Result<(RangeParams, Vec<String>), String> {
    let mut p = RANGE_DEFAULT;
    let mut other = Vec::new();
    for item in cell.split([' ', ',', ';']).filter(|s| !s.trim().is_empty()) {
        let Some((k, v)) = item.split_once('=') else {
            return Err(format!("parameter `{item}` is not `name=value`"));
        };
        let k = k.trim().to_ascii_lowercase();
        let num = || {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .ok_or_else(|| format!("range parameter `{k}` must be a number, not `{v}`"))
        };
        match k.as_str() {
            "start" => p.start = num()?,
            "end" => p.end = num()?,
            "step" => p.step = num()?,
            _ => other.push(k),
        }
    }
    if p.step == 0.0 {
        return Err("range parameter `step` must not be 0".into());
    }
    Ok((p, other))
}
