//! A household's history on its detail page: every change, newest first, with who made it, when,
//! and what it set, in the questionnaire's words (`answers.rooms` reads as the question's label, a
//! member's field as "Member 2: Name"). Read from the automerge document by the registry
//! (`shumari_domain::doc::HistoryEntry`), so it covers every device's edits and the registry's own.

use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_domain::doc::{keys, HistoryEntry};
use shumari_domain::Household;
use shumari_forms::model::Form;

texts! {
    pub enum H;
    Title => "History", "تاریخچہ";
    When => "When", "کب";
    Who => "Who", "کس نے";
    What => "What changed", "کیا بدلا";
    Created => "Created the household", "گھرانہ بنایا";
    Member => "Member", "فرد";
    MemberAdded => "added", "شامل کیا";
    Status => "Status", "حیثیت";
    Review => "Review decision", "جائزے کا فیصلہ";
    Reference => "Reference number", "حوالہ نمبر";
    Location => "Location", "مقام";
    Registry => "the registry", "رجسٹری";
    More => "more", "مزید";
    Nothing => "No changes recorded.", "کوئی تبدیلی درج نہیں۔";
}

/// Field names shown per change before "+N more".
const SHOWN: usize = 8;

/// A field path in words.
fn field_text(form: &Form, h: &Household, lang: Lang, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let label = |name: &str| super::detail::label(form, name, lang);
    match parts.as_slice() {
        [keys::ANSWERS, q] => label(q),
        [keys::STATUS] => lang.t(H::Status).to_string(),
        [keys::REF] => lang.t(H::Reference).to_string(),
        [keys::GPS] => lang.t(H::Location).to_string(),
        [k] if k.starts_with("review_") => lang.t(H::Review).to_string(),
        [keys::MEMBERS, id, rest @ ..] => {
            let who = h
                .members
                .iter()
                .find(|m| m.id.to_string() == *id)
                .map(|m| format!("{} {} ({})", lang.t(H::Member), m.line, m.name))
                .unwrap_or_else(|| lang.t(H::Member).to_string());
            match rest {
                [] => format!("{who}: {}", lang.t(H::MemberAdded)),
                [keys::ANSWERS, q] => format!("{who}: {}", label(q)),
                [k] => format!("{who}: {}", label(k)),
                _ => format!("{who}: {}", rest.join(".")),
            }
        }
        _ => path.to_string(),
    }
}

/// The author as people read it: the registry's own changes by that name.
fn who(lang: Lang, author: &str) -> String {
    if author == shumari_domain::roles::REGISTRY_AUTHOR {
        lang.t(H::Registry).to_string()
    } else {
        author.to_string()
    }
}

/// The section.
pub fn section(form: &Form, h: &Household, history: &[HistoryEntry], lang: Lang) -> Markup {
    html! {
        section data-testid="history" {
            h2 { (lang.t(H::Title)) }
            @if history.is_empty() {
                p { (lang.t(H::Nothing)) }
            } @else {
                table {
                    thead { tr { th { (lang.t(H::When)) } th { (lang.t(H::Who)) } th { (lang.t(H::What)) } } }
                    tbody {
                        @for e in history {
                            tr data-testid="history-row" {
                                td dir="ltr" { (super::when(&e.at)) }
                                td data-testid="history-author" { (who(lang, &e.author)) }
                                td data-testid="history-fields" {
                                    @if e.created {
                                        (lang.t(H::Created))
                                    } @else {
                                        (e.fields.iter().take(SHOWN).map(|f| field_text(form, h, lang, f)).collect::<Vec<_>>().join(" · "))
                                        @if e.fields.len() > SHOWN { " +" (e.fields.len() - SHOWN) " " (lang.t(H::More)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
