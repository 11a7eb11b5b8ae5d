//! The household list: filters (area, status, a name, CNIC or reference search, the surveyor whose
//! device last pushed it, the days it last changed) as a plain GET form,
//! a page of rows in (area, id) order, and a link to the next page carrying the position.

use super::layout::{page, Chrome};
use super::{query, when};
use crate::i18n::{texts, T};
use maud::{html, Markup};
use shumari_domain::{HouseholdSummary, Status};
use shumari_registry::storage::User;

texts! {
    pub enum F;
    Surveyor => "Surveyor", "شمار کنندہ";
    AnySurveyor => "Any surveyor", "کوئی بھی شمار کنندہ";
    From => "Changed from", "تبدیلی از";
    To => "to", "تا";
}
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
    /// A surveyor's user id.
    pub surveyor: String,
    /// Changed on or after this day (`YYYY-MM-DD`).
    pub from: String,
    /// Changed on or before this day (`YYYY-MM-DD`).
    pub to: String,
    /// Flag kind, or `any` (see [`super::flags`]).
    pub flag: String,
}

impl Filters {
    /// The filters as query pairs (the next page's link and the first page's carry them).
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("area", self.area.as_str()),
            ("status", self.status.as_str()),
            ("q", self.q.as_str()),
            ("surveyor", self.surveyor.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
            ("flag", self.flag.as_str()),
        ]
    }
}

/// `AREA~ID`: the position a page ends at, in a link.
pub fn cursor(pos: &(String, uuid::Uuid)) -> String {
    format!("{}~{}", pos.0, pos.1)
}

/// The list page.
pub fn list(
    c: &Chrome<'_>,
    f: &Filters,
    surveyors: &[User],
    page_rows: &HouseholdPage,
    paged: bool,
    flags: &FlagMarkers,
) -> Markup {
    let lang = c.lang;
    let next = page_rows.next.as_ref().map(|pos| {
        let at = cursor(pos);
        let mut pairs = f.pairs();
        pairs.push(("after", at.as_str()));
        format!("/console/households{}", query(&pairs))
    });
    let first = format!("/console/households{}", query(&f.pairs()));
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
                label { (lang.t(F::Surveyor)) " "
                    select name="surveyor" data-testid="filter-surveyor" {
                        option value="" selected[f.surveyor.is_empty()] { (lang.t(F::AnySurveyor)) }
                        @for u in surveyors {
                            option value=(u.id) selected[f.surveyor == u.id] { (u.name) }
                        }
                    }
                }
                label { (lang.t(F::From)) " "
                    input name="from" type="date" value=(f.from) dir="ltr" data-testid="filter-from";
                }
                label { (lang.t(F::To)) " "
                    input name="to" type="date" value=(f.to) dir="ltr" data-testid="filter-to";
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
