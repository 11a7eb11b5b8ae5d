//! The home page: the user's queues with their counts, each a link to the list filtered by it.

use super::layout::{page, Chrome};
use crate::i18n::T;
use maud::{html, Markup};
use shumari_domain::Status;
use std::collections::BTreeMap;

/// Home for a user who reads households (`counts` by status in their areas, and `duplicates`, the
/// open duplicate cases, for a role that resolves them), or for one who does not (`None`: an
/// administrator).
/// Home for a user who reads households (`counts` by status in their areas), or for one who does
/// not (`None`: an administrator).
pub fn home(
    c: &Chrome<'_>,
    areas: &[String],
    counts: Option<&BTreeMap<Status, u64>>,
    duplicates: Option<usize>,
    flagged: u64,
    grievances: Option<u64>,
) -> Markup {
    let lang = c.lang;
    let queues = [
        (Status::Submitted, T::AwaitingReview, "queue-submitted"),
        (Status::Returned, T::ReturnedQueue, "queue-returned"),
        (Status::Approved, T::ApprovedQueue, "queue-approved"),
    ];
    page(
        c,
        lang.t(T::Home),
        html! {
            p { (lang.t(T::YourAreas)) ": " span dir="ltr" data-testid="user-areas" { (areas.join(", ")) } }
            @match counts {
                None => p data-testid="no-household-data" { (lang.t(T::NoHouseholdData)) },
                Some(counts) => {
                    h2 { (lang.t(T::Queues)) }
                    ul.queues {
                        @for (status, label, id) in queues {
                            li {
                                a href=(format!("/console/households?status={}", status.as_str())) data-testid=(id) {
                                    span.count data-testid=(format!("{id}-count")) { (counts.get(&status).copied().unwrap_or(0)) }
                                    " " (lang.t(label))
                                }
                            }
                        }
                        @if let Some(n) = duplicates {
                            li {
                                a href="/console/duplicates" data-testid="queue-duplicates" {
                                    span.count data-testid="queue-duplicates-count" { (n) }
                                    " " (lang.t(super::duplicates::D::Duplicates))
                                }
                            }
                        }
                        (super::flags::home_queue(lang, flagged))
                        (super::grievances::home_queue(lang, grievances))
                        li {
                            a href="/console/households" data-testid="queue-all" {
                                span.count { (counts.values().sum::<u64>()) }
                                " " (lang.t(T::AllHouseholds))
                            }
                        }
                    }
                }
            }
        },
    )
}
