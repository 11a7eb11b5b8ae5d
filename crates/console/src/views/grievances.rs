//! The grievances screens: the queue of the user's areas (a provincial monitor's: the escalated
//! ones), filtered by status, category or overdue, a page at a time with overdue ones marked; one
//! grievance with its history and the forms to add a note and to resolve it; and the form that
//! files a grievance on a citizen's behalf. Texts of these screens are [`G`], beside them.

use super::layout::{csrf_field, page, Chrome};
use super::{query, when};
use crate::i18n::{texts, Lang, T};
use maud::{html, Markup};
use shumari_registry::service::SmsLang;
use shumari_registry::service::{
    Category, Channel, Grievance, GrievanceDetail, GrievancePage, GrievanceStatus,
};

texts! {
    pub enum G;
    Title => "Grievances", "شکایات";
    Queue => "Grievances in your areas", "آپ کے علاقوں کی شکایات";
    NoGrievances => "No grievances match.", "کوئی شکایت نہیں ملی۔";
    Tracking => "Tracking number", "ٹریکنگ نمبر";
    Category => "Category", "نوعیت";
    Channel => "Channel", "ذریعہ";
    District => "District office", "ضلعی دفتر";
    Filed => "Filed", "درج";
    Due => "Due", "آخری تاریخ";
    Overdue => "overdue", "تاخیر شدہ";
    OnlyOverdue => "Only overdue", "صرف تاخیر شدہ";
    AnyCategory => "Any category", "کوئی بھی نوعیت";
    Household => "Household", "گھرانہ";
    Payment => "Payment reference", "ادائیگی کا حوالہ";
    Received => "Amount the citizen received", "شہری کو ملنے والی رقم";
    Phone => "Citizen's phone", "شہری کا فون";
    CitizenText => "In the citizen's words", "شہری کے الفاظ";
    CitizenSees => "The citizen reads", "شہری کو نظر آتا ہے";
    Resolution => "Resolution", "حل";
    History => "History", "تاریخچہ";
    By => "By", "از";
    Note => "Note", "نوٹ";
    AddNote => "Add note", "نوٹ شامل کریں";
    ResolutionHint => "The citizen reads this, in plain words.", "شہری اسے پڑھے گا، آسان الفاظ میں لکھیں۔";
    Resolve => "Resolve", "حل شدہ قرار دیں";
    Noted => "The note was added.", "نوٹ شامل ہو گیا۔";
    ResolvedDone => "The grievance is resolved; the citizen is told by SMS.", "شکایت حل ہو گئی؛ شہری کو ایس ایم ایس سے اطلاع دی گئی۔";
    FiledDone => "The grievance is filed; the citizen is sent its tracking number by SMS.", "شکایت درج ہو گئی؛ شہری کو ٹریکنگ نمبر ایس ایم ایس سے بھیجا گیا۔";
    Done => "Nothing more is done on this grievance.", "اس شکایت پر مزید کارروائی نہیں ہوگی۔";
    FileNew => "File a grievance for a citizen", "شہری کی طرف سے شکایت درج کریں";
    HouseholdHint => "Household id or reference (leave empty if the citizen was not found)", "گھرانے کی آئی ڈی یا حوالہ نمبر (شہری نہ ملے تو خالی چھوڑیں)";
    AreaHint => "Area code, when there is no household", "علاقے کا کوڈ، جب گھرانہ نہ ہو";
    ReceivedHint => "For paid less: rupees received, e.g. 9,000", "کم رقم کے لیے: ملنے والے روپے، مثلاً 9,000";
    File => "File grievance", "شکایت درج کریں";
    Next => "Next page", "اگلا صفحہ";
    First => "First page", "پہلا صفحہ";
    NotPaid => "Not paid", "ادائیگی نہیں ہوئی";
    PaidLess => "Paid less", "کم ادائیگی";
    WrongData => "Wrong data", "غلط معلومات";
    ExcludedWrongly => "Excluded wrongly", "غلط طور پر خارج";
    AgentMisconduct => "Agent misconduct", "ایجنٹ کی بدسلوکی";
    Other => "Other", "دیگر";
    Portal => "Status portal", "اسٹیٹس پورٹل";
    Sms => "SMS", "ایس ایم ایس";
    ConsoleChannel => "Console, for the citizen", "کنسول، شہری کی طرف سے";
    CommunityChannel => "Community organisation", "کمیونٹی تنظیم";
    Open => "Open", "کھلی";
    InProgress => "In progress", "زیرِ کارروائی";
    Escalated => "Escalated to the province", "صوبے کو بھیجی گئی";
    Resolved => "Resolved", "حل شدہ";
    Closed => "Closed", "بند";
    EventFiled => "filed", "درج ہوئی";
    EventNote => "note", "نوٹ";
    EventEscalated => "escalated", "صوبے کو بھیجی گئی";
    EventResolved => "resolved", "حل ہوئی";
}

/// A category in the page's language.
pub fn category_text(lang: Lang, c: Category) -> &'static str {
    lang.t(match c {
        Category::NotPaid => G::NotPaid,
        Category::PaidLess => G::PaidLess,
        Category::WrongData => G::WrongData,
        Category::ExcludedWrongly => G::ExcludedWrongly,
        Category::AgentMisconduct => G::AgentMisconduct,
        Category::Other => G::Other,
    })
}

fn channel_text(lang: Lang, c: Channel) -> &'static str {
    lang.t(match c {
        Channel::Portal => G::Portal,
        Channel::Sms => G::Sms,
        Channel::Console => G::ConsoleChannel,
        Channel::Community => G::CommunityChannel,
    })
}

/// A status in the page's language.
pub fn status_text(lang: Lang, s: GrievanceStatus) -> &'static str {
    lang.t(match s {
        GrievanceStatus::Open => G::Open,
        GrievanceStatus::InProgress => G::InProgress,
        GrievanceStatus::Escalated => G::Escalated,
        GrievanceStatus::Resolved => G::Resolved,
        GrievanceStatus::Closed => G::Closed,
    })
}

fn event_text(lang: Lang, kind: &str) -> &'static str {
    match kind {
        "filed" => lang.t(G::EventFiled),
        "note" => lang.t(G::EventNote),
        "escalated" => lang.t(G::EventEscalated),
        "resolved" => lang.t(G::EventResolved),
        _ => "",
    }
}

fn sms_lang(lang: Lang) -> SmsLang {
    match lang {
        Lang::En => SmsLang::En,
        Lang::Ur => SmsLang::Ur,
    }
}

/// The queue's filters as the form and the page links carry them.
#[derive(Debug, Clone, Default)]
pub struct QueueFilters {
    /// A status name or "".
    pub status: String,
    /// A category name or "".
    pub category: String,
    /// Only overdue.
    pub overdue: bool,
}

fn filters_form(lang: Lang, f: &QueueFilters) -> Markup {
    html! {
        form.filters method="get" action="/console/grievances" data-testid="grievance-filters" {
            label { (lang.t(T::Status)) " "
                select name="status" data-testid="filter-status" {
                    option value="" { (lang.t(T::AnyStatus)) }
                    @for s in GrievanceStatus::ALL {
                        option value=(s.as_str()) selected[f.status == s.as_str()] { (status_text(lang, *s)) }
                    }
                }
            }
            label { (lang.t(G::Category)) " "
                select name="category" data-testid="filter-category" {
                    option value="" { (lang.t(G::AnyCategory)) }
                    @for c in Category::ALL {
                        option value=(c.as_str()) selected[f.category == c.as_str()] { (category_text(lang, *c)) }
                    }
                }
            }
            label { input type="checkbox" name="overdue" value="1" checked[f.overdue] data-testid="filter-overdue"; " " (lang.t(G::OnlyOverdue)) }
            button type="submit" data-testid="filter-apply" { (lang.t(T::Filter)) }
        }
    }
}

fn row(lang: Lang, g: &Grievance) -> Markup {
    html! {
        tr data-testid="grievance-row" data-tracking=(g.tracking) class=[g.overdue.then_some("overdue")] {
            td { a href=(format!("/console/grievances/{}", g.tracking)) dir="ltr" data-testid="grievance-link" { (g.tracking) } }
            td { (category_text(lang, g.category)) }
            td data-testid="grievance-status" data-status=(g.status.as_str()) { (status_text(lang, g.status)) }
            td dir="ltr" { (g.area) }
            td dir="ltr" { (when(&g.filed_at)) }
            td { span dir="ltr" { (when(&g.due_at)) }
                @if g.overdue { " " strong.overdue data-testid="overdue" { (lang.t(G::Overdue)) } } }
        }
    }
}

/// The queue: one page; `may_file` shows the link to the filing form.
pub fn queue(c: &Chrome<'_>, f: &QueueFilters, p: &GrievancePage, may_file: bool) -> Markup {
    let lang = c.lang;
    let overdue = if f.overdue { "1" } else { "" };
    let base = [
        ("status", f.status.as_str()),
        ("category", f.category.as_str()),
        ("overdue", overdue),
    ];
    page(
        c,
        lang.t(G::Title),
        html! {
            @if may_file { p { a href="/console/grievances/new" data-testid="file-grievance-link" { (lang.t(G::FileNew)) } } }
            (filters_form(lang, f))
            h2 { (lang.t(G::Queue)) }
            @if p.grievances.is_empty() {
                p data-testid="no-grievances" { (lang.t(G::NoGrievances)) }
            } @else {
                table data-testid="grievances" {
                    thead { tr {
                        th { (lang.t(G::Tracking)) } th { (lang.t(G::Category)) } th { (lang.t(T::Status)) }
                        th { (lang.t(T::Area)) } th { (lang.t(G::Filed)) } th { (lang.t(G::Due)) }
                    } }
                    tbody { @for g in &p.grievances { (row(lang, g)) } }
                }
            }
            p.pager {
                a href=(format!("/console/grievances{}", query(&base))) data-testid="page-first" { (lang.t(G::First)) }
                @if let Some(n) = &p.next {
                    " " a href=(format!("/console/grievances{}", query(&[base[0], base[1], base[2], ("after", n.as_str())]))) data-testid="page-next" { (lang.t(G::Next)) }
                }
            }
        },
    )
}

/// One grievance; `may_handle` shows the note and resolve forms, `notice` what was just done,
/// `error` a refused action's reason.
pub fn grievance(
    c: &Chrome<'_>,
    d: &GrievanceDetail,
    may_handle: bool,
    notice: Option<G>,
    error: Option<&str>,
) -> Markup {
    let lang = c.lang;
    let g = &d.grievance;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    page(
        c,
        &format!("{} {}", lang.t(G::Title), g.tracking),
        html! {
            p { a href="/console/grievances" data-testid="back-to-queue" { (lang.t(T::Back)) } }
            @if let Some(n) = notice { p.notice role="status" data-testid="grievance-notice" { (lang.t(n)) } }
            @if let Some(e) = error { p.error role="alert" data-testid="grievance-error" { (e) } }
            dl.summary {
                dt { (lang.t(G::Tracking)) } dd dir="ltr" data-testid="tracking" { (g.tracking) }
                dt { (lang.t(T::Status)) } dd data-testid="status" data-status=(g.status.as_str()) { (status_text(lang, g.status)) }
                dt { (lang.t(G::CitizenSees)) } dd data-testid="citizen-status" { (g.status.citizen_words(sms_lang(lang))) }
                dt { (lang.t(G::Category)) } dd data-testid="category" { (category_text(lang, g.category)) }
                dt { (lang.t(G::Channel)) } dd { (channel_text(lang, g.channel)) }
                dt { (lang.t(G::District)) } dd dir="ltr" data-testid="district" { (g.district) }
                dt { (lang.t(T::Area)) } dd dir="ltr" { (g.area) }
                dt { (lang.t(G::Filed)) } dd dir="ltr" { (when(&g.filed_at)) }
                dt { (lang.t(G::Due)) } dd { span dir="ltr" data-testid="due" { (when(&g.due_at)) }
                    @if g.overdue { " " strong.overdue data-testid="overdue" { (lang.t(G::Overdue)) } } }
                @if let Some(h) = g.household {
                    dt { (lang.t(G::Household)) } dd { a href=(format!("/console/households/{h}")) dir="ltr" data-testid="household-link" { (h) } }
                }
                @if let Some(p) = &g.payment_reference { dt { (lang.t(G::Payment)) } dd dir="ltr" data-testid="payment" { (p) } }
                @if let Some(a) = g.reported_amount { dt { (lang.t(G::Received)) } dd dir="ltr" data-testid="received" { (a.to_string()) } }
                dt { (lang.t(G::Phone)) } dd dir="ltr" data-testid="phone" { (g.phone) }
                dt { (lang.t(G::CitizenText)) } dd data-testid="citizen-text" { (g.text) }
                @if let Some(r) = &g.resolution { dt { (lang.t(G::Resolution)) } dd data-testid="resolution" { (r) } }
            }
            h2 { (lang.t(G::History)) }
            table data-testid="history" {
                thead { tr { th { (lang.t(G::Filed)) } th { (lang.t(G::Category)) } th { (lang.t(G::By)) } th { (lang.t(G::Note)) } } }
                tbody { @for e in &d.history {
                    tr data-testid="history-row" data-kind=(e.kind) {
                        td dir="ltr" { (when(&e.at)) } td { (event_text(lang, &e.kind)) } td dir="ltr" { (e.by) } td { (e.text) }
                    }
                } }
            }
            @if may_handle && g.status.is_open() {
                form method="post" action=(format!("/console/grievances/{}/note", g.tracking)) data-testid="note-form" {
                    (csrf_field(csrf))
                    label { (lang.t(G::Note)) " " textarea name="note" rows="2" required data-testid="note" {} }
                    button type="submit" data-testid="add-note" { (lang.t(G::AddNote)) }
                }
                form method="post" action=(format!("/console/grievances/{}/resolve", g.tracking)) data-testid="resolve-form" {
                    (csrf_field(csrf))
                    label { (lang.t(G::Resolution)) " " textarea name="resolution" rows="3" required data-testid="resolution-text" {} }
                    p.hint { (lang.t(G::ResolutionHint)) }
                    button type="submit" data-testid="resolve" { (lang.t(G::Resolve)) }
                }
            } @else if !g.status.is_open() {
                p data-testid="grievance-done" { (lang.t(G::Done)) }
            }
        },
    )
}

/// What the filing form shows again after a refusal.
#[derive(Debug, Clone, Default)]
pub struct FileForm {
    /// Household id or reference.
    pub household: String,
    /// Area code.
    pub area: String,
    /// Category name.
    pub category: String,
    /// The citizen's words.
    pub text: String,
    /// Phone.
    pub phone: String,
    /// Payment reference.
    pub payment: String,
    /// Rupees received.
    pub received: String,
}

/// The form that files a grievance for a citizen; `error` a refusal's reason.
pub fn file_form(c: &Chrome<'_>, f: &FileForm, error: Option<&str>) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    page(
        c,
        lang.t(G::FileNew),
        html! {
            @if let Some(e) = error { p.error role="alert" data-testid="file-error" { (e) } }
            form method="post" action="/console/grievances" data-testid="file-form" {
                (csrf_field(csrf))
                p { label { (lang.t(G::HouseholdHint)) br; input type="text" name="household" value=(f.household) dir="ltr" data-testid="file-household"; } }
                p { label { (lang.t(G::AreaHint)) br; input type="text" name="area" value=(f.area) dir="ltr" data-testid="file-area"; } }
                p { label { (lang.t(G::Category)) br;
                    select name="category" required data-testid="file-category" {
                        @for k in Category::ALL {
                            option value=(k.as_str()) selected[f.category == k.as_str()] { (category_text(lang, *k)) }
                        }
                    }
                } }
                p { label { (lang.t(G::CitizenText)) br; textarea name="text" rows="4" required data-testid="file-text" { (f.text) } } }
                p { label { (lang.t(G::Phone)) br; input type="tel" name="phone" value=(f.phone) required dir="ltr" data-testid="file-phone"; } }
                p { label { (lang.t(G::Payment)) br; input type="text" name="payment" value=(f.payment) dir="ltr" data-testid="file-payment"; } }
                p { label { (lang.t(G::ReceivedHint)) br; input type="text" name="received" value=(f.received) dir="ltr" data-testid="file-received"; } }
                button type="submit" data-testid="file-submit" { (lang.t(G::File)) }
            }
        },
    )
}

/// The home page's line: grievances in the user's queue that need action.
pub fn home_queue(lang: Lang, open: Option<u64>) -> Markup {
    html! {
        @if let Some(n) = open {
            li {
                a href="/console/grievances" data-testid="queue-grievances" {
                    span.count data-testid="queue-grievances-count" { (n) }
                    " " (lang.t(G::Title))
                }
            }
        }
    }
}
