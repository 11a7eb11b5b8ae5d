//! The household list: filters (area, status, a name, CNIC or reference search) as a plain GET form,
//! a page of rows in (area, id) order, and a link to the next page carrying the position.

use super::layout::{page, Chrome};
use super::{query, when};
use crate::i18n::T;
use maud::{html, Markup};
use shumari_domain::{HouseholdSummary, Status};
use shumari_registry::service::{FlagKind, HouseholdPage};

/// The flag kinds on each household of a page (a row's marker).
pub type FlagMarkers = std::collections::BTreeMap<uuid::Uuid, Vec<FlagKind>>;

/// The filters as given (echoed into the form and the next page's link).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Area code.
    pub area: String,
    /// Status name.
    pub status: String,
    /// Search text.
    pub q: String,
    /// Flag kind, or `any` (see [`super::flags`]).
    pub flag: String,
}

/// `AREA~ID`: the position a page ends at, in a link.
pub fn cursor(pos: &(String, uuid::Uuid)) -> String {
    format!("{}~{}", pos.0, pos.1)
}

/// The list page.
pub fn list(
    c: &Chrome<'_>,
    f: &Filters,
    page_rows: &HouseholdPage,
    paged: bool,
    flags: &FlagMarkers,
) -> Markup {
    let lang = c.lang;
    let next = page_rows.next.as_ref().map(|pos| {
        format!(
            "/console/households{}",
            query(&[
                ("area", &f.area),
                ("status", &f.status),
                ("q", &f.q),
                ("flag", &f.flag),
                ("after", &cursor(pos)),
            ])
        )
    });
    let first = format!(
        "/console/households{}",
        query(&[
            ("area", &f.area),
            ("status", &f.status),
            ("q", &f.q),
            ("flag", &f.flag)
        ])
    );
    page(
        c,
        lang.t(T::Households),
        html! {
            form.filters method="get" action="/console/households" data-testid="filter-form" {
                label { (lang.t(T::Area)) " "
                    input name="area" type="text" value=(f.area) dir="ltr" size="16" data-testid="filter-area";
                }
                label { (lang.t(T::Status)) " "
                    select name="status" data-testid="filter-status" {
                        option value="" selected[f.status.is_empty()] { (lang.t(T::AnyStatus)) }
                        @for s in Status::ALL {
                            option value=(s.as_str()) selected[f.status == s.as_str()] { (lang.status(s)) }
                        }
                    }
                }
                label { (lang.t(T::Search)) " "
                    input name="q" type="search" value=(f.q) data-testid="filter-search";
                }
                (super::flags::filter(lang, &f.flag))
                button type="submit" data-testid="filter-submit" { (lang.t(T::Filter)) }
            }
            @if page_rows.rows.is_empty() {
                p data-testid="no-households" { (lang.t(T::NoneFound)) }
            } @else {
                table data-testid="households-table" {
                    thead { tr {
                        th { (lang.t(T::Reference)) }
                        th { (lang.t(T::Area)) }
                        th { (lang.t(T::Head)) }
                        th { (lang.t(T::Cnic)) }
                        th { (lang.t(T::MembersCount)) }
                        th { (lang.t(T::Status)) }
                        th { (lang.t(T::Conflicts)) }
                        th { (lang.t(T::Updated)) }
                        (super::flags::column(lang))
                    } }
                    tbody { @for r in &page_rows.rows { (row(c, r, flags)) } }
                }
            }
            nav.pages {
                @if paged { a href=(first) data-testid="first-page" { (lang.t(T::FirstPage)) } }
                @if let Some(n) = next { a href=(n) rel="next" data-testid="next-page" { (lang.t(T::NextPage)) } }
            }
        },
    )
}

fn row(c: &Chrome<'_>, r: &HouseholdSummary, flags: &FlagMarkers) -> Markup {
    html! {
        tr data-testid="household-row" data-id=(r.id) {
            td dir="ltr" { a href=(format!("/console/households/{}", r.id)) data-testid="household-link" { (r.reference) } }
            td dir="ltr" { (r.area) }
            td { (r.head_name.as_deref().unwrap_or("")) }
            td dir="ltr" { (r.head_id_number.as_ref().map(|n| n.dashed()).unwrap_or_default()) }
            td { (r.member_count) }
            td { span class=(format!("status {}", r.status.as_str())) { (c.lang.status(r.status)) } }
            td { (r.conflict_count) }
            td dir="ltr" { (when(&r.updated_at)) }
            (super::flags::marker(c.lang, flags.get(&r.id)))
        }
    }
}
