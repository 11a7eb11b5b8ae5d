//! A member's identity verification with NADRA as the household detail shows it: a badge beside
//! the CNIC/B-form number (unverified, verified, not found, or the details that differ), with the
//! time the registry applied the result. Texts of this view are [`V`], beside it.

use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use shumari_domain::{Verification, VerificationState};

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
