//! The programme file: TOML as a programme officer writes it, read and checked into a [`Programme`].
//!
//! Every error names the line it is on (from the `toml` crate's spans): an unknown key, a value of
//! the wrong type, an amount that is not rupees, a condition that does not parse or reads a
//! question the NSER questionnaire does not have, a group no rule defines. A file either loads
//! whole or is refused with every problem found.
//!
//! ```toml
//! id = "kafalat"
//! version = "2026.1"
//! name_en = "Benazir Kafalat"
//! name_ur = "بینظیر کفالت"
//!
//! [eligibility]
//! pmt_at_most = 32
//!
//! [[eligibility.override]]          # a higher limit when a condition holds
//! any_member = "${disabled} = 1"
//! pmt_at_most = 37
//! because_en = "a member has a disability"
//! because_ur = "..."
//!
//! [[eligibility.exclude]]           # excluded whatever the score
//! id = "government_employee"
//! any_member = "${occupation} = 'govt'"
//! reason_en = "a member is a government employee"
//! reason_ur = "..."
//!
//! [entitlement]
//! per_household = "10,500"          # rupees, per instalment
//!
//! [[payee]]                         # the first rule that finds a member with a CNIC decides
//! when = "${sex} = 'female' and ${age_years} >= 18"
//! pick = "eldest"
//!
//! [schedule]
//! instalments_per_year = 4          # periods are named 2026-Q4
//! ```
//!
//! Conditions are XLSForm expressions (`${name}`, `and`, `or`, `selected()`, ...) evaluated by the
//! questionnaire's own engine ([`shumari_forms::expr`]) over the household, so the product has one
//! condition language: what a form author writes in a `relevant` column, a programme officer
//! writes here. `when` is read at the household level (a member question there is the list of
//! every member's answer, as in a form outside the roster); `any_member` is read on each member's
//! row and holds when it holds for one of them. See [`crate::conditions`] for the names a
//! condition can read.

use crate::conditions::{check_references, Condition};
use serde::Deserialize;
use shumari_domain::money::Paisa;
use std::collections::BTreeSet;
use toml::Spanned;

/// One problem in a programme file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct FileIssue {
    /// 1-based line.
    pub line: usize,
    /// What is wrong, in plain words.
    pub message: String,
}

/// A programme file that does not load: every problem found, by line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the programme file does not load: {}", .issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct FileError {
    /// The problems, in file order.
    pub issues: Vec<FileIssue>,
}

/// An amount as written: whole rupees as a number, or rupees as text (`"10,500"`, `"Rs 2,500.50"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawAmount {
    Rupees(i64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    id: Spanned<String>,
    version: Spanned<String>,
    name_en: String,
    name_ur: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    description_ur: String,
    eligibility: RawEligibility,
    #[serde(default)]
    members: Vec<RawGroup>,
    entitlement: RawEntitlement,
    #[serde(default)]
    payee: Vec<RawPayee>,
    schedule: RawSchedule,
    #[serde(default)]
    keep: Vec<RawKeep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEligibility {
    pmt_at_most: Spanned<f64>,
    #[serde(default, rename = "override")]
    overrides: Vec<RawOverride>,
    #[serde(default)]
    exclude: Vec<RawExclude>,
    needs_member: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    when: Option<Spanned<String>>,
    any_member: Option<Spanned<String>>,
    pmt_at_most: Spanned<f64>,
    because_en: String,
    because_ur: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclude {
    id: Spanned<String>,
    when: Option<Spanned<String>>,
    any_member: Option<Spanned<String>>,
    reason_en: String,
    reason_ur: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    when: Spanned<String>,
    label_en: String,
    label_ur: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntitlement {
    per_household: Option<Spanned<RawAmount>>,
    #[serde(default)]
    per_member: Vec<RawPerMember>,
    max_members: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPerMember {
    group: Spanned<String>,
    amount: Spanned<RawAmount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPayee {
    when: Spanned<String>,
    #[serde(default)]
    pick: Pick,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    instalments_per_year: Spanned<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeep {
    id: Spanned<String>,
    measure: String,
    at_least: f64,
    applies_to: Option<Spanned<Vec<String>>>,
    if_missing: IfMissing,
    reason_en: String,
    reason_ur: String,
}

/// Which member a payee rule picks among those it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pick {
    /// The oldest (a member without an age comes last; roster order breaks ties).
    #[default]
    Eldest,
    /// The first on the roster.
    First,
}

/// What a condition to keep receiving does when no compliance record exists for the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IfMissing {
    /// Pay: the household is not penalised for data the programme did not collect.
    Pay,
    /// Withhold until a record shows the condition is met.
    Withhold,
}

/// A higher PMT limit that applies when its condition holds.
#[derive(Debug, Clone)]
pub struct Override {
    /// When it applies.
    pub condition: Condition,
    /// The limit then.
    pub pmt_at_most: f64,
    /// Why, in plain words (English, Urdu): "a member has a disability".
    pub because: (String, String),
}

/// An exclusion rule: a household it holds for is not eligible, whatever its score.
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// Short name.
    pub id: String,
    /// When it excludes.
    pub condition: Condition,
    /// The reason in plain words (English, Urdu): "a member is a government employee".
    pub reason: (String, String),
}

/// A group of members who count (children in primary school, girls in middle school, ...).
#[derive(Debug, Clone)]
pub struct Group {
    /// Short name the entitlement and the conditions refer to.
    pub id: String,
    /// Who is in it (read on each member's row).
    pub condition: Condition,
    /// Label (English, Urdu): "girl in primary school".
    pub label: (String, String),
}

/// An amount per member of a group.
#[derive(Debug, Clone)]
pub struct PerMember {
    /// The group's id.
    pub group: String,
    /// Per member, per instalment.
    pub amount: Paisa,
}

/// What the programme pays per instalment.
#[derive(Debug, Clone)]
pub struct Entitlement {
    /// A fixed amount per household.
    pub per_household: Option<Paisa>,
    /// Amounts per counted member: each member is paid under the first rule whose group holds them.
    pub per_member: Vec<PerMember>,
    /// At most this many members are paid for.
    pub max_members: Option<u32>,
}

/// Who receives the money.
#[derive(Debug, Clone)]
pub struct PayeeRule {
    /// Who may (read on each member's row; a member must also hold a CNIC).
    pub condition: Condition,
    /// Which of them.
    pub pick: Pick,
}

/// A condition to keep receiving, checked per period against compliance records.
#[derive(Debug, Clone)]
pub struct Keep {
    /// Short name.
    pub id: String,
    /// The measure compliance records carry (e.g. `attendance_percent`).
    pub measure: String,
    /// The least value that keeps the payment.
    pub at_least: f64,
    /// The groups whose members it is checked for (each member alone); empty: the household.
    pub applies_to: Vec<String>,
    /// What happens without a record.
    pub if_missing: IfMissing,
    /// Why a payment is withheld, in plain words (English, Urdu).
    pub reason: (String, String),
}

/// A checked programme.
#[derive(Debug, Clone)]
pub struct Programme {
    /// Short name, e.g. `kafalat`.
    pub id: String,
    /// Version of the rules; a programme is loaded once per (id, version).
    pub version: String,
    /// Name (English, Urdu).
    pub name: (String, String),
    /// What it is for (English, Urdu).
    pub description: (String, String),
    /// Eligible when the PMT score is at or below this...
    pub pmt_at_most: f64,
    /// ...or the first of these that applies.
    pub overrides: Vec<Override>,
    /// Exclusions.
    pub exclusions: Vec<Exclusion>,
    /// A household needs a member in one of these groups (empty: no such need).
    pub needs_member: Vec<String>,
    /// The member groups.
    pub groups: Vec<Group>,
    /// The amounts.
    pub entitlement: Entitlement,
    /// Who is paid; the first rule that finds a member decides.
    pub payee: Vec<PayeeRule>,
    /// Instalments per year: 1, 2, 4 or 12.
    pub instalments_per_year: u32,
    /// Conditions to keep receiving.
    pub keep: Vec<Keep>,
}

impl Programme {
    /// The group named `id`.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
}

/// The 1-based line of byte offset `at` in `src`.
pub(crate) fn line_of(src: &str, at: usize) -> usize {
    src[..at.min(src.len())].matches('\n').count() + 1
}

struct Checker<'a> {
    src: &'a str,
    issues: Vec<FileIssue>,
}

impl Checker<'_> {
    fn issue(&mut self, at: usize, message: impl Into<String>) {
        self.issues.push(FileIssue {
            line: line_of(self.src, at),
            message: message.into(),
        });
    }

    fn amount(&mut self, a: &Spanned<RawAmount>, what: &str) -> Paisa {
        let at = a.span().start;
        match a.get_ref() {
            RawAmount::Rupees(r) if *r >= 0 => r.checked_mul(100).map(Paisa).unwrap_or_else(|| {
                self.issue(at, format!("{what}: {r} rupees is too large"));
                Paisa::ZERO
            }),
            RawAmount::Rupees(r) => {
                self.issue(
                    at,
                    format!("{what}: {r} is negative; amounts are rupees paid"),
                );
                Paisa::ZERO
            }
            RawAmount::Text(t) => Paisa::parse_rupees(t).unwrap_or_else(|e| {
                self.issue(at, format!("{what}: {e}"));
                Paisa::ZERO
            }),
        }
    }

    fn condition(&mut self, text: &Spanned<String>, on_member: bool) -> Condition {
        let at = text.span().start;
        match Condition::parse(text.get_ref(), on_member) {
            Ok(c) => {
                if let Err(e) = check_references(&c) {
                    self.issue(at, e);
                }
                c
            }
            Err(e) => {
                self.issue(
                    at,
                    format!("the condition `{}` does not parse: {e}", text.get_ref()),
                );
                Condition::never(on_member)
            }
        }
    }

    /// `when` (household level) or `any_member` (each member's row): exactly one.
    fn either(
        &mut self,
        when: &Option<Spanned<String>>,
        any_member: &Option<Spanned<String>>,
        at: usize,
        what: &str,
    ) -> Condition {
        match (when, any_member) {
            (Some(w), None) => self.condition(w, false),
            (None, Some(m)) => self.condition(m, true),
            _ => {
                self.issue(
                    at,
                    format!("{what} needs exactly one of `when` (the household) or `any_member` (a member)"),
                );
                Condition::never(false)
            }
        }
    }

    fn name(&mut self, s: &Spanned<String>, what: &str) -> String {
        let ok = !s.get_ref().is_empty()
            && s.get_ref()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !ok {
            self.issue(
                s.span().start,
                format!(
                    "{what} `{}` must be lower-case letters, digits, `_` or `-`",
                    s.get_ref()
                ),
            );
        }
        s.get_ref().clone()
    }

    fn groups_known(
        &mut self,
        names: &Option<Spanned<Vec<String>>>,
        known: &BTreeSet<String>,
    ) -> Vec<String> {
        let Some(names) = names else {
            return Vec::new();
        };
        for g in names.get_ref() {
            if !known.contains(g) {
                self.issue(
                    names.span().start,
                    format!("no member group `{g}` (define it under [[members]])"),
                );
            }
        }
        names.get_ref().clone()
    }
}

impl Programme {
    /// Reads and checks a programme file.
    pub fn from_toml_str(src: &str) -> Result<Programme, FileError> {
        let raw: RawFile = toml::from_str(src).map_err(|e| FileError {
            issues: vec![FileIssue {
                line: e.span().map_or(1, |s| line_of(src, s.start)),
                message: e.message().trim().to_string(),
            }],
        })?;
        let mut c = Checker {
            src,
            issues: Vec::new(),
        };
        let id = c.name(&raw.id, "the programme id");
        if raw.version.get_ref().trim().is_empty() {
            c.issue(raw.version.span().start, "the version is empty");
        }
        let limit = |c: &mut Checker, v: &Spanned<f64>| {
            let x = *v.get_ref();
            if !(0.0..=100.0).contains(&x) {
                c.issue(
                    v.span().start,
                    format!("a PMT limit is on the 0-100 scale, not {x}"),
                );
            }
            x
        };
        let pmt_at_most = limit(&mut c, &raw.eligibility.pmt_at_most);
        let mut overrides = Vec::new();
        for o in &raw.eligibility.overrides {
            let at = o.pmt_at_most.span().start;
            overrides.push(Override {
                condition: c.either(&o.when, &o.any_member, at, "an override"),
                pmt_at_most: limit(&mut c, &o.pmt_at_most),
                because: (o.because_en.clone(), o.because_ur.clone()),
            });
        }
        let mut exclusions = Vec::new();
        for x in &raw.eligibility.exclude {
            let at = x.id.span().start;
            exclusions.push(Exclusion {
                id: c.name(&x.id, "an exclusion id"),
                condition: c.either(&x.when, &x.any_member, at, "an exclusion"),
                reason: (x.reason_en.clone(), x.reason_ur.clone()),
            });
        }
        let mut groups = Vec::new();
        let mut known = BTreeSet::new();
        for g in &raw.members {
            let gid = c.name(&g.id, "a member group id");
            if !known.insert(gid.clone()) {
                c.issue(
                    g.id.span().start,
                    format!("the member group `{gid}` is defined twice"),
                );
            }
            groups.push(Group {
                id: gid,
                condition: c.condition(&g.when, true),
                label: (g.label_en.clone(), g.label_ur.clone()),
            });
        }
        let needs_member = c.groups_known(&raw.eligibility.needs_member, &known);
        let per_household = raw
            .entitlement
            .per_household
            .as_ref()
            .map(|a| c.amount(a, "per_household"));
        let mut per_member = Vec::new();
        for p in &raw.entitlement.per_member {
            if !known.contains(p.group.get_ref()) {
                c.issue(
                    p.group.span().start,
                    format!(
                        "no member group `{}` (define it under [[members]])",
                        p.group.get_ref()
                    ),
                );
            }
            per_member.push(PerMember {
                group: p.group.get_ref().clone(),
                amount: c.amount(&p.amount, "amount"),
            });
        }
        if per_household.is_none() && per_member.is_empty() {
            c.issue(
                line_start(src, "[entitlement]"),
                "the entitlement pays nothing: give `per_household` or `[[entitlement.per_member]]` rules",
            );
        }
        if raw.payee.is_empty() {
            c.issue(
                src.len(),
                "no payee rule: add `[[payee]]` with the member the money is paid to",
            );
        }
        let payee = raw
            .payee
            .iter()
            .map(|p| PayeeRule {
                condition: c.condition(&p.when, true),
                pick: p.pick,
            })
            .collect();
        let n = *raw.schedule.instalments_per_year.get_ref();
        if !matches!(n, 1 | 2 | 4 | 12) {
            c.issue(
                raw.schedule.instalments_per_year.span().start,
                format!("{n} instalments a year: use 1 (yearly), 2 (half-yearly), 4 (quarterly) or 12 (monthly)"),
            );
        }
        let mut keep = Vec::new();
        for k in &raw.keep {
            let applies_to = c.groups_known(&k.applies_to, &known);
            keep.push(Keep {
                id: c.name(&k.id, "a condition id"),
                measure: k.measure.clone(),
                at_least: k.at_least,
                applies_to,
                if_missing: k.if_missing,
                reason: (k.reason_en.clone(), k.reason_ur.clone()),
            });
        }
        if !c.issues.is_empty() {
            c.issues.sort_by_key(|i| i.line);
            return Err(FileError { issues: c.issues });
        }
        Ok(Programme {
            id,
            version: raw.version.into_inner(),
            name: (raw.name_en, raw.name_ur),
            description: (raw.description_en, raw.description_ur),
            pmt_at_most,
            overrides,
            exclusions,
            needs_member,
            groups,
            entitlement: Entitlement {
                per_household,
                per_member,
                max_members: raw.entitlement.max_members,
            },
            payee,
            instalments_per_year: n,
            keep,
        })
    }
}

/// Where a table header starts (for issues about a table as a whole).
fn line_start(src: &str, header: &str) -> usize {
    src.find(header).unwrap_or(0)
}
