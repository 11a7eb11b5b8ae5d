//! Payment cycles in the console: every cycle with its state and total, the selected cycle's
//! reconciliation per district (planned, paid, failed by reason, unclaimed, amounts in rupees), and
//! for a finance officer who did not prepare a prepared cycle, the button that approves it. Texts of
//! this view are [`P`], beside it.

use super::layout::{csrf_field, page, Chrome};
use crate::i18n::texts;
use maud::{html, Markup};
use shumari_domain::money::Paisa;
use shumari_domain::roles::{allows, Action};
use shumari_registry::service::{Cycle, CycleState, Reconciliation};

texts! {
    pub enum P;
    Title => "Payment cycles", "ادائیگی کے مراحل";
    None => "No payment cycle yet.", "ابھی کوئی ادائیگی کا مرحلہ نہیں۔";
    Cycle => "Cycle", "مرحلہ";
    Programme => "Programme", "پروگرام";
    Period => "Period", "مدت";
    State => "State", "حالت";
    Prepared => "prepared, waiting for approval", "تیار، منظوری کا انتظار";
    Approved => "approved", "منظور شدہ";
    Payments => "Payments", "ادائیگیاں";
    Total => "Total", "کل رقم";
    Reconciliation => "Reconciliation", "مطابقت";
    District => "District", "ضلع";
    Planned => "Planned", "طے شدہ";
    Paid => "Paid", "ادا شدہ";
    Failed => "Failed", "ناکام";
    Unclaimed => "Unclaimed", "غیر وصول شدہ";
    Reasons => "Why they failed", "ناکامی کی وجوہات";
    Approve => "Approve this cycle for the bank", "یہ مرحلہ بینک کے لیے منظور کریں";
    FourEyes => "You prepared this cycle; another finance officer approves it.", "یہ مرحلہ آپ نے تیار کیا؛ کوئی دوسرا فنانس افسر اسے منظور کرے گا۔";
    Short => "Citizens who reported receiving less", "شہری جنہوں نے کم رقم ملنے کی شکایت کی";
}

fn figure(n: u64, a: Paisa) -> String {
    format!("{n} · {a}")
}

/// The page: `cycles`, and the reconciliation of the selected one when there is one.
pub fn cycles(
    c: &Chrome<'_>,
    cycles: &[Cycle],
    selected: Option<(&Cycle, &Reconciliation)>,
) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    let approver = c
        .signed
        .map(|(u, _)| (u.id.as_str(), allows(u.role, Action::ApprovePayments)));
    page(
        c,
        lang.t(P::Title),
        html! {
            @if cycles.is_empty() {
                p data-testid="no-cycles" { (lang.t(P::None)) }
            } @else {
                table data-testid="cycles" {
                    thead { tr {
                        th { (lang.t(P::Cycle)) } th { (lang.t(P::Programme)) } th { (lang.t(P::Period)) }
                        th { (lang.t(P::State)) } th { (lang.t(P::Payments)) } th { (lang.t(P::Total)) }
                    } }
                    tbody {
                        @for cy in cycles {
                            tr data-testid="cycle-row" data-cycle=(cy.id) {
                                td dir="ltr" { a href=(format!("/console/payments{}", super::query(&[("cycle", &cy.id)]))) { (cy.id) } }
                                td dir="ltr" { (cy.programme_id) }
                                td dir="ltr" { (cy.period) }
                                td data-state=(match cy.state { CycleState::Prepared => "prepared", CycleState::Approved => "approved" }) {
                                    (lang.t(match cy.state { CycleState::Prepared => P::Prepared, CycleState::Approved => P::Approved }))
                                }
                                td { (cy.payments) }
                                td dir="ltr" { (cy.total.to_string()) }
                            }
                        }
                    }
                }
            }
            @if let Some((cy, r)) = selected {
                section data-testid="reconciliation" data-cycle=(cy.id) {
                    h2 { (lang.t(P::Reconciliation)) " · " span dir="ltr" { (cy.programme_id) " " (cy.period) } }
                    @if cy.state == CycleState::Prepared {
                        @match approver {
                            Some((me, true)) if me == cy.prepared_by => p.notice data-testid="four-eyes" { (lang.t(P::FourEyes)) },
                            Some((_, true)) => form method="post" action="/console/payments/approve" data-testid="approve-form" {
                                (csrf_field(csrf))
                                input type="hidden" name="cycle" value=(cy.id);
                                button type="submit" data-testid="approve-cycle" { (lang.t(P::Approve)) }
                            },
                            _ => {},
                        }
                    }
                    table data-testid="reconciliation-table" {
                        thead { tr {
                            th { (lang.t(P::District)) } th { (lang.t(P::Planned)) } th { (lang.t(P::Paid)) }
                            th { (lang.t(P::Failed)) } th { (lang.t(P::Unclaimed)) } th { (lang.t(P::Reasons)) }
                        } }
                        tbody {
                            @for d in &r.districts {
                                tr data-testid="district-row" data-district=(d.district) {
                                    td dir="ltr" { (d.district) }
                                    td dir="ltr" data-testid="planned" { (figure(d.planned_count, d.planned_amount)) }
                                    td dir="ltr" data-testid="paid" { (figure(d.paid_count, d.paid_amount)) }
                                    td dir="ltr" data-testid="failed" { (figure(d.failed_count, d.failed_amount)) }
                                    td dir="ltr" data-testid="unclaimed" { (figure(d.unclaimed_count, d.unclaimed_amount)) }
                                    td { (d.failed_by_reason.iter().map(|f| format!("{}: {}", f.reason, f.count)).collect::<Vec<_>>().join("; ")) }
                                }
                            }
                        }
                    }
                    @if !r.shortfalls.is_empty() {
                        h2 { (lang.t(P::Short)) }
                        ul data-testid="shortfalls" {
                            @for s in &r.shortfalls {
                                li dir="ltr" { (s.payment_reference) " (" (s.grievance) "): " (s.reported.to_string()) " / " (s.planned.to_string()) }
                            }
                        }
                    }
                }
            }
        },
    )
}
