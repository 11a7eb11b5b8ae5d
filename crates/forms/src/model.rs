//! The form model: XLSForm's three sheets as Rust types.
//!
//! `survey` rows become [`Question`]s (groups and repeats are rows too, `begin_group`/`end_group`, as in
//! the spreadsheet, so the model mirrors the source one to one and round-trips exactly); `choices` rows
//! become [`Choice`]s; the `settings` row becomes [`Settings`]; other sheets are kept as
//! [`OtherSheet`]s, and columns the engine does not use as each row's `extra`, for export. Every
//! expression is parsed when the form loads ([`crate::expr::Expression`]), and the [`Layout`] (name
//! index, which repeat each question belongs to, enclosing group) is derived once.

use crate::expr::Expression;
use crate::languages::app_language;
use std::collections::{BTreeMap, HashMap};

/// Translated text: language key (the part after `::` in the column name as the form spells it, e.g.
/// `English (en)`, `English` for `label:English`; the empty string for the plain column) to text.
/// Which app language a key is: [`crate::languages::app_language`].
pub type Text = BTreeMap<String, String>;

/// The `settings` sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Form id recorded on every household filled with this form.
    pub form_id: String,
    /// Form version recorded on every household filled with this form.
    pub version: String,
    /// Language key used when the requested language has no text (e.g. `English (en)`).
    pub default_language: Option<String>,
    /// Human title of the form.
    pub form_title: Option<String>,
    /// Every other setting the sheet gives (`instance_name`, `style`, `public_key`, ..., and columns
    /// this engine does not know), column to text: kept so that an export writes them back.
    pub extra: BTreeMap<String, String>,
}

/// Question types (the `type` column). The cells that name each type, pyxform's aliases included,
/// are in [`crate::question_types`].
///
/// What the engine does with each type it cannot capture or evaluate fully (each loads with a
/// warning naming the row, see [`QuestionType::limitation`]):
/// - `image`, `audio`, `video`, `file` ([`QuestionType::Media`]), `barcode`, `geotrace`, `geoshape`:
///   answers are text values (a file name, the scanned text, `lat lon alt acc;...` points) that the
///   app may not be able to fill on this device; they are checked by shape, never required to exist.
/// - `select_one_from_file` / `select_multiple_from_file` / `select_one_external`: the attachment
///   (or the `external_choices` sheet) is not read yet, so the question offers no choices and any
///   choice name is accepted.
/// - the metadata types ([`QuestionType::Meta`]): never asked; `start`, `end` and `today` are the
///   date the engine is given when the household has no recorded value; the others (`deviceid`,
///   `username`, ...) hold what the app records, or stay empty.
/// - `hidden`: never asked; holds its `calculation`, else what the app records, else its `default`.
/// - `begin loop over LIST` ... `end loop`: a group asked once (see [`Question::loop_over`]).
/// - `xml-external` / `csv-external`: declare an attachment; no value, the attachment is not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionType {
    /// `text`
    Text,
    /// `integer`
    Integer,
    /// `decimal`
    Decimal,
    /// `range` with its `parameters` (`start`, `end`, `step`).
    Range(RangeParams),
    /// `select_one LIST`
    SelectOne(String),
    /// `select_multiple LIST`
    SelectMultiple(String),
    /// `select_one_from_file FILE` (choices from an attachment)
    SelectOneFromFile(String),
    /// `select_multiple_from_file FILE`
    SelectMultipleFromFile(String),
    /// `select_one_external LIST` (choices from the `external_choices` sheet)
    SelectOneExternal(String),
    /// `rank LIST`: choices, space-separated, each once, in the order given
    Rank(String),
    /// `osm LIST`: an OpenStreetMap feature captured with OpenMapKit (the answer is the name of
    /// an `.osm` file; the tags offered are on the `osm` sheet, kept for export).
    Osm(String),
    /// `date`
    Date,
    /// `time` (`HH:MM[:SS[.fff]]` with an optional zone)
    Time,
    /// `dateTime` (`YYYY-MM-DDTHH:MM[:SS[.fff]]` with an optional zone)
    DateTime,
    /// `geopoint`
    Geopoint,
    /// `geotrace` (`lat lon [alt [acc]];...`, two points or more)
    Geotrace,
    /// `geoshape` (`lat lon [alt [acc]];...`, a closed ring: four points or more, last = first)
    Geoshape,
    /// `image`, `audio`, `video`, `file`
    Media(Media),
    /// `barcode`
    Barcode,
    /// `note`
    Note,
    /// `calculate`
    Calculate,
    /// `hidden`
    Hidden,
    /// `acknowledge` (value `OK`)
    Acknowledge,
    /// `xml-external` / `csv-external`
    External(External),
    /// A metadata type (`start`, `deviceid`, ...)
    Meta(Meta),
    /// `begin_group`
    BeginGroup,
    /// `end_group`
    EndGroup,
    /// `begin_repeat`
    BeginRepeat,
    /// `end_repeat`
    EndRepeat,
}

/// A `range` question's `parameters` (XLSForm's defaults: start 1, end 10, step 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeParams {
    /// Lowest (or, when `end` is smaller, highest) value.
    pub start: f64,
    /// The other end of the range.
    pub end: f64,
    /// Distance between allowed values (never zero).
    pub step: f64,
}

// Parameters are finite numbers (checked when they are read), so equality is total.
impl Eq for RangeParams {}

impl Default for RangeParams {
    fn default() -> RangeParams {
        RangeParams {
            start: 1.0,
            end: 10.0,
            step: 1.0,
        }
    }
}

/// The media types: the answer is the name of a file the app attaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `image` / `photo`
    Image,
    /// `audio`
    Audio,
    /// `video`
    Video,
    /// `file`
    File,
}

/// The attachment declarations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum External {
    /// `xml-external`
    Xml,
    /// `csv-external`
    Csv,
}

/// The metadata types: values the device records, never asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meta {
    /// `start` (when the interview started)
    Start,
    /// `end` (when it was last saved)
    End,
    /// `today`
    Today,
    /// `deviceid` / `imei`
    DeviceId,
    /// `phonenumber`
    PhoneNumber,
    /// `username`
    Username,
    /// `email`
    Email,
    /// `audit` (a log file of the interview)
    Audit,
    /// `start-geopoint`
    StartGeopoint,
    /// `subscriberid`
    SubscriberId,
    /// `simserial`
    SimSerial,
}

impl QuestionType {
    /// Parses the `type` column: every type XLSForm defines and pyxform's aliases
    /// ([`crate::question_types`]).
    pub fn parse(s: &str) -> Result<QuestionType, String> {
        crate::question_types::parse(s)
    }

    /// The canonical `type` cell.
    pub fn as_cell(&self) -> String {
        crate::question_types::cell(self)
    }

    /// What the engine cannot do with this type yet (a load warning), if anything.
    pub fn limitation(&self) -> Option<&'static str> {
        crate::question_types::limitation(self)
    }

    /// Whether the surveyor enters a value for this type.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            QuestionType::Text
                | QuestionType::Integer
                | QuestionType::Decimal
                | QuestionType::Range(_)
                | QuestionType::SelectOne(_)
                | QuestionType::SelectMultiple(_)
                | QuestionType::SelectOneFromFile(_)
                | QuestionType::SelectMultipleFromFile(_)
                | QuestionType::SelectOneExternal(_)
                | QuestionType::Rank(_)
                | QuestionType::Osm(_)
                | QuestionType::Date
                | QuestionType::Time
                | QuestionType::DateTime
                | QuestionType::Geopoint
                | QuestionType::Geotrace
                | QuestionType::Geoshape
                | QuestionType::Media(_)
                | QuestionType::Barcode
                | QuestionType::Acknowledge
        )
    }

    /// Whether the value comes from the household's recorded answers: what the surveyor enters, and
    /// what the app records without asking (`hidden`, metadata).
    pub fn is_recorded(&self) -> bool {
        self.is_input() || matches!(self, QuestionType::Hidden | QuestionType::Meta(_))
    }

    /// Whether the row holds a value (recorded values and calculates).
    pub fn has_value(&self) -> bool {
        self.is_recorded() || *self == QuestionType::Calculate
    }

    /// Whether answers are choice names: selects from any source, and rank.
    pub fn is_select(&self) -> bool {
        self.list().is_some()
            || matches!(
                self,
                QuestionType::SelectOneFromFile(_)
                    | QuestionType::SelectMultipleFromFile(_)
                    | QuestionType::SelectOneExternal(_)
            )
    }

    /// The choice list of a select or rank (from the choices sheet).
    pub fn list(&self) -> Option<&str> {
        match self {
            QuestionType::SelectOne(l)
            | QuestionType::SelectMultiple(l)
            | QuestionType::Rank(l) => Some(l),
            _ => None,
        }
    }
}

/// `required` and `read_only`: yes, no, or an expression.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Flag {
    /// Not set.
    #[default]
    No,
    /// `yes` / `true` / `true()`.
    Yes,
    /// An expression evaluated in context.
    If(Expression),
}

/// A `survey` row.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    /// Spreadsheet row it came from (1 = header).
    pub row: usize,
    /// `type`
    pub kind: QuestionType,
    /// `name` (empty only on `end_group`/`end_repeat` rows).
    pub name: String,
    /// `label` and `label::LANG`
    pub label: Text,
    /// `hint` and `hint::LANG`
    pub hint: Text,
    /// `required`
    pub required: Flag,
    /// `required_message` and `required_message::LANG`
    pub required_message: Text,
    /// `relevant`
    pub relevant: Option<Expression>,
    /// `constraint`
    pub constraint: Option<Expression>,
    /// `constraint_message` and `constraint_message::LANG`
    pub constraint_message: Text,
    /// `calculation`
    pub calculation: Option<Expression>,
    /// `default` (a literal value)
    pub default: Option<String>,
    /// `choice_filter`
    pub choice_filter: Option<Expression>,
    /// `read_only`
    pub read_only: Flag,
    /// `repeat_count`
    pub repeat_count: Option<Expression>,
    /// `appearance`
    pub appearance: Option<String>,
    /// `select_one LIST or_other`: the list gets an `other` choice and the form a text question
    /// `<name>_other` asked when it is chosen (both added when the form is built, as pyxform does,
    /// and left out on export).
    pub or_other: bool,
    /// `begin loop over LIST` (the list name) and its `end loop` (empty): loaded as a group whose
    /// questions are asked once (pyxform repeats them for each choice), written back as written.
    pub loop_over: Option<String>,
    /// A repeat inside a repeat, loaded as a group of the outer repeat's row (see
    /// `build::nested`): written back as `begin_repeat`/`end_repeat`.
    pub nested_repeat: bool,
    /// A typed variant of the type (`phone number`, `percentage`, ...): its built-in constraint
    /// applies besides the row's own, and its cell is written back on export.
    pub preset: Option<&'static crate::question_types::Preset>,
    /// Columns this engine does not use, column to text: ignored (with a load warning) and kept so
    /// that an export writes them back.
    pub extra: BTreeMap<String, String>,
}

impl Question {
    /// A row of the given type and name with nothing else set.
    pub fn new(row: usize, kind: QuestionType, name: &str) -> Question {
        Question {
            row,
            kind,
            name: name.to_string(),
            label: Text::new(),
            hint: Text::new(),
            required: Flag::No,
            required_message: Text::new(),
            relevant: None,
            constraint: None,
            constraint_message: Text::new(),
            calculation: None,
            default: None,
            choice_filter: None,
            read_only: Flag::No,
            repeat_count: None,
            appearance: None,
            or_other: false,
            loop_over: None,
            nested_repeat: false,
            preset: None,
            extra: BTreeMap::new(),
        }
    }
}

/// A `choices` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// Spreadsheet row it came from.
    pub row: usize,
    /// `list_name`
    pub list_name: String,
    /// `name` (the stored value)
    pub name: String,
    /// `label` and `label::LANG`
    pub label: Text,
    /// Any other columns (attributes that `choice_filter` expressions test, e.g. `district`).
    pub extra: BTreeMap<String, String>,
}

/// A sheet besides `survey`, `choices` and `settings` (instructions, `entities`, `media`, ...): not
/// read, kept cell by cell (row 1 first) so that an export writes it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherSheet {
    /// The sheet's name as the workbook spells it.
    pub name: String,
    /// Rows of cell texts, the header row first; trailing empty cells are dropped.
    pub rows: Vec<Vec<String>>,
}

/// Structure derived from the rows when the form loads.
#[derive(Debug, Clone, Default)]
pub(crate) struct Layout {
    /// Question name to row index in `survey`.
    pub index: HashMap<String, usize>,
    /// For each survey row, the ordinal of the repeat it is inside (`None` = household level; a
    /// `begin_repeat` row itself is at the level outside it).
    pub scope: Vec<Option<usize>>,
    /// For each survey row, the enclosing `begin_group`/`begin_repeat` row.
    pub parent: Vec<Option<usize>>,
    /// For each repeat ordinal, its `begin_repeat` and `end_repeat` row indexes.
    pub repeats: Vec<(usize, usize)>,
    /// Choice list name to indexes in `choices`.
    pub lists: HashMap<String, Vec<usize>>,
    /// Whether some expression refers to a question further down the form (then evaluation repeats
    /// until values settle).
    pub forward_refs: bool,
    /// The choices of `_from_file` selects (from their attached CSV) and `select_one_external`
    /// questions (from the `external_choices` sheet), by question name.
    pub file_choices: HashMap<String, Vec<Choice>>,
}

/// A parsed, validated form.
#[derive(Debug, Clone)]
pub struct Form {
    /// The `settings` sheet.
    pub settings: Settings,
    /// The `survey` sheet, in order.
    pub survey: Vec<Question>,
    /// The `choices` sheet, in order.
    pub choices: Vec<Choice>,
    /// Other sheets of the workbook, kept for export.
    pub other_sheets: Vec<OtherSheet>,
    /// Files attached to the form ([`crate::attachments`]).
    pub(crate) attachments: crate::attachments::Attachments,
    pub(crate) layout: Layout,
}

impl PartialEq for Form {
    fn eq(&self, other: &Form) -> bool {
        // The layout is derived from these three.
        self.settings == other.settings
            && self.survey == other.survey
            && self.choices == other.choices
            && self.other_sheets == other.other_sheets
    }
}

impl Form {
    /// The question (or group/repeat) called `name`.
    pub fn question(&self, name: &str) -> Option<&Question> {
        self.layout.index.get(name).map(|&i| &self.survey[i])
    }

    /// The name of the repeat a question is in (`None` at household level).
    pub fn repeat_of(&self, name: &str) -> Option<&str> {
        let i = *self.layout.index.get(name)?;
        let r = self.layout.scope[i]?;
        Some(self.survey[self.layout.repeats[r].0].name.as_str())
    }

    /// The ordinal of the repeat whose `begin_repeat` is survey row `begin`.
    pub(crate) fn repeat_ordinal(&self, begin: usize) -> usize {
        self.layout
            .repeats
            .iter()
            .position(|x| x.0 == begin)
            .unwrap_or(0)
    }

    /// The choices a select or rank question offers before any `choice_filter`: its list on the
    /// choices sheet, the rows of its attached CSV, or its `external_choices` rows (none when the
    /// file is not attached).
    pub fn choices_for<'a>(&'a self, q: &Question) -> Box<dyn Iterator<Item = &'a Choice> + 'a> {
        match q.kind.list() {
            Some(list) => Box::new(self.choices_of(list)),
            None => Box::new(self.layout.file_choices.get(&q.name).into_iter().flatten()),
        }
    }

    /// Whether the question's answers are checked against [`Form::choices_for`]: a sheet list, or a
    /// file or external list that is available.
    pub fn has_choice_list(&self, q: &Question) -> bool {
        q.kind.list().is_some() || self.layout.file_choices.contains_key(&q.name)
    }

    /// The choices of a list, in order.
    pub fn choices_of<'a>(&'a self, list: &str) -> impl Iterator<Item = &'a Choice> + 'a {
        self.layout
            .lists
            .get(list)
            .into_iter()
            .flatten()
            .map(|&i| &self.choices[i])
    }

    /// Every language key used by a translated column, sorted (the plain column is `""`).
    pub fn languages(&self) -> Vec<String> {
        let mut langs = std::collections::BTreeSet::new();
        for q in &self.survey {
            for t in [
                &q.label,
                &q.hint,
                &q.required_message,
                &q.constraint_message,
            ] {
                langs.extend(t.keys().cloned());
            }
        }
        for c in &self.choices {
            langs.extend(c.label.keys().cloned());
        }
        langs.into_iter().collect()
    }

    /// The text of `t` in language `lang` (`en`, `ur`, `English`, or the full key `English (en)`),
    /// falling back to the default language, the plain column, then any text.
    pub fn text<'a>(&self, t: &'a Text, lang: &str) -> Option<&'a str> {
        let wanted = t.iter().find(|(k, _)| lang_matches(k, lang));
        wanted
            .or_else(|| {
                let d = self.settings.default_language.as_deref()?;
                t.get_key_value(d)
                    .or_else(|| t.iter().find(|(k, _)| lang_matches(k, d)))
            })
            .or_else(|| t.get_key_value(""))
            .or_else(|| t.iter().next())
            .map(|(_, v)| v.as_str())
    }

    /// The label of a choice in a language, or its name.
    pub fn choice_label<'a>(&'a self, list: &str, name: &'a str, lang: &str) -> &'a str {
        self.choices_of(list)
            .find(|c| c.name == name)
            .and_then(|c| self.text(&c.label, lang))
            .unwrap_or(name)
    }
}

/// Whether language key `key` (e.g. `Urdu (ur)`, `English`) is what `lang` (e.g. `ur`, `Urdu`, the
/// full key) asks for: the same key in any case, or the same app language
/// ([`crate::languages::app_language`]), or for a language the app does not have, its name or the
/// code in parentheses.
pub(crate) fn lang_matches(key: &str, lang: &str) -> bool {
    if key.is_empty() || lang.is_empty() {
        return false;
    }
    if key.eq_ignore_ascii_case(lang) {
        return true;
    }
    if let (Some(a), Some(b)) = (app_language(key), app_language(lang)) {
        return a == b;
    }
    let (name, code) = match key.split_once('(') {
        Some((n, c)) => (n.trim(), c.trim_end_matches(')').trim()),
        None => (key.trim(), ""),
    };
    name.eq_ignore_ascii_case(lang) || (!code.is_empty() && code.eq_ignore_ascii_case(lang))
}
