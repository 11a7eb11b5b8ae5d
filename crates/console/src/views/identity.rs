//! Identity verification with NADRA in the console: a member's badge beside the CNIC/B-form
//! number in the household detail (unverified, verified, not found, or the details that differ,
//! with the time the registry applied the result), and the exchange page (download an area's
//! export, upload the authority's result file). Texts of these views are [`V`], beside them.

use super::layout::{csrf_field, page, Chrome};
use crate::i18n::{texts, Lang, T};
use maud::{html, Markup};
use shumari_domain::{Verification, VerificationState};
use shumari_registry::service::ImportReport;

texts! {
    pub enum V;
    Unverified => "not verified", "تصدیق نہیں ہوئی";
    Verified => "verified by NADRA", "نادرا سے تصدیق شدہ";
    NotFound => "not found at NADRA", "نادرا میں نہیں ملا";
    Mismatch => "NADRA holds other details", "نادرا کے ریکارڈ میں مختلف";
    Name => "name", "نام";
    Relative => "father's or husband's name", "والد یا شوہر کا نام";
    Birth => "date of birth", "تاریخ پیدائش";
    Checked => "checked", "جانچ";
    Exchange => "Identity verification with NADRA", "نادرا سے شناخت کی تصدیق";
    ExportIntro => "Download the CNIC/B-form numbers of an area for NADRA (a CSV; its manifest is linked after the download).", "کسی علاقے کے شناختی نمبر نادرا کے لیے ڈاؤن لوڈ کریں (CSV؛ اس کا مینی فیسٹ ڈاؤن لوڈ کے بعد ملے گا)۔";
    Download => "Download the export", "ایکسپورٹ ڈاؤن لوڈ کریں";
    ImportIntro => "Upload NADRA's result file (batch_id, cnic, result, fields).", "نادرا کی نتائج والی فائل اپ لوڈ کریں (batch_id, cnic, result, fields)۔";
    ResultFile => "Result file", "نتائج کی فائل";
    Upload => "Apply the results", "نتائج لاگو کریں";
    AlreadyImported => "This file was imported before; nothing changed.", "یہ فائل پہلے درآمد ہو چکی ہے؛ کچھ نہیں بدلا۔";
    Imported => "Results applied", "نتائج لاگو ہو گئے";
    Rows => "Rows", "قطاریں";
    VerifiedCount => "Verified", "تصدیق شدہ";
    NotFoundCount => "Not found", "نہیں ملے";
    MismatchCount => "Details differ", "مختلف تفصیلات";
    MembersUpdated => "Members updated (reach the tablets on their next sync)", "اپ ڈیٹ شدہ افراد (اگلی ہم آہنگی پر ٹیبلٹس تک پہنچیں گے)";
    CasesOpened => "Cases in the duplicates queue", "دہرے اندراج کی قطار میں کیس";
    Unmatched => "Numbers not in your areas", "آپ کے علاقوں سے باہر نمبر";
}

fn field_text(lang: Lang, f: &str) -> &str {
    match f {
        "name" => lang.t(V::Name),
        "father_or_husband_name" => lang.t(V::Relative),
        "date_of_birth" => lang.t(V::Birth),
        other => other,
    }
}

/// The badge of a member's verification (`None`: never checked).
pub fn badge(lang: Lang, v: Option<&Verification>) -> Markup {
    let state = v.map_or(VerificationState::Unverified, |v| v.state);
    let text = lang.t(match state {
        VerificationState::Unverified => V::Unverified,
        VerificationState::Verified => V::Verified,
        VerificationState::NotFound => V::NotFound,
        VerificationState::Mismatch => V::Mismatch,
    });
    html! {
        span class=(format!("id-badge id-{}", state.as_str())) data-testid="verification" data-verification=(state.as_str()) {
            (text)
            @if let Some(v) = v.filter(|v| !v.fields.is_empty()) {
                ": " (v.fields.iter().map(|f| field_text(lang, f)).collect::<Vec<_>>().join(", "))
            }
            @if let Some(v) = v {
                " (" (lang.t(V::Checked)) " " span dir="ltr" { (super::when(&v.checked_at)) } ")"
            }
        }
    }
}

/// The exchange page: the export form, the upload form, and what an upload did (`report`) or why
/// it was refused (`error`).
pub fn exchange(
    c: &Chrome<'_>,
    area: &str,
    report: Option<&ImportReport>,
    error: Option<&str>,
) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    page(
        c,
        lang.t(V::Exchange),
        html! {
            @if let Some(e) = error { p.error role="alert" data-testid="identity-error" { (e) } }
            @if let Some(r) = report {
                @if r.already_imported {
                    p.notice role="status" data-testid="identity-already-imported" { (lang.t(V::AlreadyImported)) }
                } @else {
                    section data-testid="identity-report" {
                        h2 { (lang.t(V::Imported)) }
                        dl {
                            dt { (lang.t(V::Rows)) } dd data-testid="report-rows" { (r.rows) }
                            dt { (lang.t(V::VerifiedCount)) } dd data-testid="report-verified" { (r.verified) }
                            dt { (lang.t(V::NotFoundCount)) } dd data-testid="report-not-found" { (r.not_found) }
                            dt { (lang.t(V::MismatchCount)) } dd data-testid="report-mismatch" { (r.mismatch) }
                            dt { (lang.t(V::MembersUpdated)) } dd data-testid="report-members" { (r.members_updated) }
                            dt { (lang.t(V::CasesOpened)) } dd data-testid="report-cases" { (r.cases) }
                            dt { (lang.t(V::Unmatched)) } dd data-testid="report-unmatched" { (r.unmatched) }
                        }
                    }
                }
            }
            section {
                p { (lang.t(V::ExportIntro)) }
                form method="post" action="/console/identity/export" data-testid="identity-export-form" {
                    (csrf_field(csrf))
                    label { (lang.t(T::Area)) " " input type="text" name="area" value=(area) dir="ltr" required data-testid="identity-area"; }
                    button type="submit" data-testid="identity-export" { (lang.t(V::Download)) }
                }
            }
            section {
                p { (lang.t(V::ImportIntro)) }
                form method="post" action="/console/identity/import" enctype="multipart/form-data" data-testid="identity-import-form" {
                    (csrf_field(csrf))
                    label { (lang.t(V::ResultFile)) " " input type="file" name="file" accept=".csv,text/csv" required data-testid="identity-file"; }
                    button type="submit" data-testid="identity-import" { (lang.t(V::Upload)) }
                }
            }
        },
    )
}
