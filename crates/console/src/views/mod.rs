//! The console's pages as HTML ([`maud`]: every interpolated value is escaped unless wrapped in
//! `PreEscaped`, which these views never do with data). Each page is one function of what it
//! shows; none reads storage. Every form and control a person uses has a stable `data-testid`
//! (the browser tests find them by it).

pub mod assignments;
pub mod charts;
pub mod dashboards;
pub mod delivery;
pub mod detail;
pub mod duplicates;
pub mod exports;
pub mod field_ops;
pub mod flags;
pub mod forms;
pub mod grievances;
pub mod history;
pub mod home;
pub mod identity;
pub mod layout;
pub mod list;
pub mod payments;
pub mod people;
pub mod pmt;
pub mod programmes;
pub mod scoring;
pub mod sign_in;

use crate::i18n::Lang;
use chrono::{DateTime, Utc};

/// A time as people at a district office read it (UTC, to the minute).
pub fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `?k=v&...` from pairs, encoded (empty values left out); "" when there are none.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (k, v) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        s.append_pair(k, v);
        any = true;
    }
    if any {
        format!("?{}", s.finish())
    } else {
        String::new()
    }
}

/// A yes/no in the page's language.
pub fn yes_no(lang: Lang, b: bool) -> &'static str {
    lang.t(if b {
        crate::i18n::T::Yes
    } else {
        crate::i18n::T::No
    })
}

/// A member's relation to the head in the page's language (the questionnaire's `relation` list).
pub fn relation(lang: Lang, r: &shumari_domain::Relation) -> String {
    choice(lang, "relation", r.as_str())
}

/// A value of one of the questionnaire's choice lists, by its label in the page's language.
pub fn choice(lang: Lang, list: &str, value: &str) -> String {
    shumari_forms::household_form()
        .choice_label(list, value, lang.code())
        .to_string()
}
