//! The export page: a form (dataset, format — CSV, Parquet or the codebook —, area, since) that
//! the browser answers with a download. It says whether the user's exports carry personal data,
//! as the role table decides. Texts of this view are [`X`], beside it.

use super::layout::{csrf_field, page, Chrome};
use crate::i18n::{texts, T};
use maud::{html, Markup};
use shumari_exports::What;

texts! {
    pub enum X;
    Title => "Export", "ایکسپورٹ";
    Intro => "Download the households, their members, the payments or the grievances of your areas as a file for analysis, with a codebook of every column in English and Urdu.", "اپنے علاقوں کے گھرانے، ان کے افراد، ادائیگیاں یا شکایات تجزیے کے لیے فائل کی صورت میں ڈاؤن لوڈ کریں، ہر کالم کی انگریزی اور اردو میں وضاحت (کوڈ بک) کے ساتھ۔";
    Dataset => "Data", "ڈیٹا";
    Households => "Households (one row per household)", "گھرانے (ہر گھرانے کی ایک قطار)";
    Members => "Members (one row per person)", "افراد (ہر فرد کی ایک قطار)";
    Payments => "Payments (one row per payment)", "ادائیگیاں (ہر ادائیگی کی ایک قطار)";
    Grievances => "Grievances (one row per grievance)", "شکایات (ہر شکایت کی ایک قطار)";
    Submissions => "A form's reports (one row per report; name the form)", "کسی فارم کی رپورٹیں (ہر رپورٹ کی ایک قطار؛ فارم کا نام دیں)";
    Form => "Form (for a form's reports)", "فارم (رپورٹوں کے لیے)";
    Format => "Format", "فارمیٹ";
    Csv => "CSV", "CSV";
    Parquet => "Parquet (typed columns)", "Parquet (اقسام کے ساتھ کالم)";
    Codebook => "Codebook only (CSV)", "صرف کوڈ بک (CSV)";
    Since => "Changed on or after", "اس تاریخ یا بعد میں تبدیل شدہ";
    AreaHint => "Empty: all your areas.", "خالی: آپ کے تمام علاقے۔";
    Download => "Download", "ڈاؤن لوڈ کریں";
    WithPersonal => "Your exports include names, CNIC/B-form numbers, phone numbers, addresses and GPS.", "آپ کی ایکسپورٹ میں نام، شناختی کارڈ/ب فارم نمبر، فون نمبر، پتے اور جی پی ایس شامل ہیں۔";
    WithoutPersonal => "Your exports leave out names, CNIC/B-form numbers, phone numbers, addresses and GPS.", "آپ کی ایکسپورٹ میں نام، شناختی کارڈ/ب فارم نمبر، فون نمبر، پتے اور جی پی ایس شامل نہیں۔";
    Audited => "Every export is recorded in the access audit trail.", "ہر ایکسپورٹ رسائی کے آڈٹ ریکارڈ میں درج ہوتی ہے۔";
}

/// The dataset's name in the page's language.
fn dataset(what: What) -> X {
    match what {
        What::Households => X::Households,
        What::Members => X::Members,
        What::Payments => X::Payments,
        What::Grievances => X::Grievances,
        What::Submissions => X::Submissions,
    }
}

/// The export page; `personal`: whether the user's exports carry personal data.
pub fn form(c: &Chrome<'_>, personal: bool) -> Markup {
    let lang = c.lang;
    let csrf = c.signed.map(|(_, t)| t).unwrap_or_default();
    page(
        c,
        lang.t(X::Title),
        html! {
            p { (lang.t(X::Intro)) }
            p.notice data-testid="export-personal" data-personal=(personal) {
                (lang.t(if personal { X::WithPersonal } else { X::WithoutPersonal }))
                " " (lang.t(X::Audited))
            }
            form method="post" action="/console/exports" data-testid="export-form" {
                (csrf_field(csrf))
                label { (lang.t(X::Dataset)) " "
                    select name="what" data-testid="export-what" {
                        @for w in What::ALL { option value=(w.as_str()) { (lang.t(dataset(w))) } }
                    }
                }
                label { (lang.t(X::Format)) " "
                    select name="format" data-testid="export-format" {
                        option value="csv" { (lang.t(X::Csv)) }
                        option value="parquet" { (lang.t(X::Parquet)) }
                        option value="codebook" { (lang.t(X::Codebook)) }
                    }
                }
                label { (lang.t(T::Area)) " "
                    input type="text" name="area" dir="ltr" data-testid="export-area" aria-describedby="export-area-hint";
                }
                small id="export-area-hint" { (lang.t(X::AreaHint)) }
                label { (lang.t(X::Form)) " "
                    input type="text" name="form" dir="ltr" data-testid="export-form-id";
                }
                label { (lang.t(X::Since)) " "
                    input type="date" name="since" dir="ltr" data-testid="export-since";
                }
                button type="submit" data-testid="export-download" { (lang.t(X::Download)) }
            }
        },
    )
}
