//! The assignments screen: every active assignment in the user's areas with its progress
//! (done / total), the coverage per surveyor, the areas with households no assignment covers, and
//! for a user who may assign work, a form to assign an area or a household to a surveyor and a
//! withdraw button on each assignment (both carrying the session's CSRF token). The lists are the
//! registry's bounded overview (`service::MAX_LISTED` rows per outermost area; what was left off
//! is said).

use super::layout::{csrf_field, page, Chrome};
use crate::i18n::texts;
use maud::{html, Markup};
use shumari_domain::assignment::Work;
use shumari_registry::service::Overview;
use shumari_registry::storage::User;

texts! {
    pub enum A;
    Title => "Assignments", "تفویض کردہ کام";
    Assignment => "Assignment", "تفویض";
    Surveyor => "Surveyor", "شمار کنندہ";
    Work => "Work", "کام";
    Progress => "Done / total", "مکمل / کل";
    Area => "Area", "علاقہ";
    Household => "Household", "گھرانہ";
    Target => "Target (households, optional)", "ہدف (گھرانے، اختیاری)";
    AreaCode => "Area code", "علاقے کا کوڈ";
    HouseholdRef => "Household reference or id", "گھرانے کا حوالہ نمبر یا آئی ڈی";
    SurveyorId => "Surveyor", "شمار کنندہ";
    AssignArea => "Assign the area", "علاقہ تفویض کریں";
    AssignHousehold => "Assign the household", "گھرانہ تفویض کریں";
    Withdraw => "Withdraw", "واپس لیں";
    NewAssignment => "New assignment", "نئی تفویض";
    Coverage => "Coverage per surveyor", "ہر شمار کنندہ کی کوریج";
    Assignments => "Assignments", "تفویضات";
    Unassigned => "Unassigned areas", "غیر تفویض شدہ علاقے";
    UnassignedHouseholds => "Households covered by no assignment", "کسی تفویض میں شامل نہ ہونے والے گھرانے";
    Households => "Households", "گھرانے";
    Done => "Done", "مکمل";
    None => "None yet.", "ابھی کوئی نہیں۔";
    LeftOff => "Some rows were left off; narrow the view by surveyor.", "کچھ قطاریں چھوڑ دی گئیں؛ شمار کنندہ کے لحاظ سے محدود کریں۔";
    Made => "The assignment was made. The tablet receives it on its next sync.", "تفویض ہو گئی۔ ٹیبلٹ اگلی ہم آہنگی پر اسے وصول کرے گا۔";
    Withdrawn => "The assignment was withdrawn. The tablet drops it on its next sync.", "تفویض واپس لے لی گئی۔ ٹیبلٹ اگلی ہم آہنگی پر اسے ہٹا دے گا۔";
}

/// What the page says after a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// Nothing.
    None,
    /// An assignment was made.
    Made,
    /// One was withdrawn.
    Withdrawn,
}

/// The page. `may_assign`: the user may assign work (the forms are shown); `error`: why the last
/// form was refused.
pub fn assignments(
    c: &Chrome<'_>,
    o: &Overview,
    surveyors: &[User],
    may_assign: bool,
    notice: Notice,
    error: Option<&str>,
) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).filter(|_| may_assign);
    page(
        c,
        lang.t(A::Title),
        html! {
            @match notice {
                Notice::Made => p.notice data-testid="assignment-made" { (lang.t(A::Made)) },
                Notice::Withdrawn => p.notice data-testid="assignment-withdrawn" { (lang.t(A::Withdrawn)) },
                Notice::None => {},
            }
            @if let Some(e) = error { p.error role="alert" data-testid="assignment-error" { (e) } }
            @if o.left_off > 0 { p data-testid="assignments-left-off" { (lang.t(A::LeftOff)) } }
            h2 { (lang.t(A::Assignments)) }
            @if o.assignments.is_empty() {
                p data-testid="assignments-none" { (lang.t(A::None)) }
            } @else {
                table data-testid="assignments-table" {
                    thead { tr {
                        th { (lang.t(A::Surveyor)) } th { (lang.t(A::Work)) } th { (lang.t(A::Progress)) }
                        @if csrf.is_some() { th {} }
                    } }
                    tbody {
                        @for a in &o.assignments {
                            tr data-testid=(format!("assignment-{}", a.assignment.id)) {
                                td { (a.surveyor_name) " " small dir="ltr" { "(" (a.assignment.surveyor) ")" } }
                                td dir="ltr" {
                                    @match &a.assignment.work {
                                        Work::Area { code, .. } => { (lang.t(A::Area)) " " (code) },
                                        Work::Household { id, reference, .. } => {
                                            (lang.t(A::Household)) " "
                                            a href=(format!("/console/households/{id}")) { (reference) }
                                        },
                                    }
                                }
                                td dir="ltr" data-testid="assignment-progress" { (a.progress.done) " / " (a.progress.total) }
                                @if let Some(token) = csrf {
                                    td {
                                        form method="post" action="/console/assignments/withdraw" {
                                            (csrf_field(token))
                                            input type="hidden" name="assignment" value=(a.assignment.id);
                                            button type="submit" data-testid=(format!("withdraw-{}", a.assignment.id)) { (lang.t(A::Withdraw)) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t(A::Coverage)) }
            table data-testid="coverage-table" {
                thead { tr { th { (lang.t(A::Surveyor)) } th { (lang.t(A::Assignments)) } th { (lang.t(A::Progress)) } } }
                tbody {
                    @for cov in &o.coverage {
                        tr data-testid=(format!("coverage-{}", cov.surveyor)) {
                            td { (cov.name) }
                            td { (cov.assignments) }
                            td dir="ltr" data-testid="coverage-progress" { (cov.progress.done) " / " (cov.progress.total) }
                        }
                    }
                }
            }
            h2 { (lang.t(A::Unassigned)) }
            p { (lang.t(A::UnassignedHouseholds)) ": " strong data-testid="unassigned-households" { (o.unassigned_households) } }
            table data-testid="unassigned-table" {
                thead { tr { th { (lang.t(A::Area)) } th { (lang.t(A::Households)) } th { (lang.t(A::Done)) } } }
                tbody {
                    @for u in &o.unassigned {
                        tr data-testid=(format!("unassigned-{}", u.area)) {
                            td dir="ltr" { a href=(format!("/console/households{}", super::query(&[("area", &u.area)]))) { (u.area) } }
                            td { (u.households) }
                            td { (u.done) }
                        }
                    }
                }
            }
            @if let Some(token) = csrf {
                h2 { (lang.t(A::NewAssignment)) }
                form.card method="post" action="/console/assignments" data-testid="assign-area-form" {
                    (csrf_field(token))
                    input type="hidden" name="kind" value="area";
                    label for="area-surveyor" { (lang.t(A::SurveyorId)) }
                    select #area-surveyor name="surveyor" required data-testid="assign-area-surveyor" {
                        @for u in surveyors { option value=(u.id) { (u.name) " (" (u.id) ")" } }
                    }
                    label for="area-code" { (lang.t(A::AreaCode)) }
                    input #area-code name="area" required dir="ltr" data-testid="assign-area-code";
                    label for="area-target" { (lang.t(A::Target)) }
                    input #area-target name="target" type="number" min="1" dir="ltr" data-testid="assign-area-target";
                    button type="submit" data-testid="assign-area-submit" { (lang.t(A::AssignArea)) }
                }
                form.card method="post" action="/console/assignments" data-testid="assign-household-form" {
                    (csrf_field(token))
                    input type="hidden" name="kind" value="household";
                    label for="hh-surveyor" { (lang.t(A::SurveyorId)) }
                    select #hh-surveyor name="surveyor" required data-testid="assign-household-surveyor" {
                        @for u in surveyors { option value=(u.id) { (u.name) " (" (u.id) ")" } }
                    }
                    label for="hh-ref" { (lang.t(A::HouseholdRef)) }
                    input #hh-ref name="household" required dir="ltr" data-testid="assign-household-ref";
                    button type="submit" data-testid="assign-household-submit" { (lang.t(A::AssignHousehold)) }
                }
            }
        },
    )
}
