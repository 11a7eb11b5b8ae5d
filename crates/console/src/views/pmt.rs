//! A household's proxy means test on its detail page: the registry's score with its band, model
//! version and each variable's contribution (the points sum to the score), the programmes it meets,
//! and the score the tablet shows (the model shipped with the app) beside it when the two differ.

use crate::i18n::{texts, Lang};
use maud::{html, Markup};
use serde_json::Value;
use shumari_registry::service::{ProvisionalScore, RegistryScore};

texts! {
    pub enum S;
    Title => "Proxy means test", "پراکسی مینز ٹیسٹ";
    NotScored => "Not scored yet.", "ابھی اسکور نہیں ہوا۔";
    RegistryScore => "Score at the registry", "رجسٹری کا اسکور";
    DeviceScore => "Score on the tablet", "ٹیبلٹ کا اسکور";
    Differs => "The tablet's provisional score differs (another model version, or another day's ages).", "ٹیبلٹ کا عارضی اسکور مختلف ہے (ماڈل کا دوسرا ورژن، یا کسی اور دن کی عمریں)۔";
    Band => "Band", "درجہ";
    NotEligible => "not eligible", "اہل نہیں";
    Model => "Model", "ماڈل";
    Outdated => "(a newer model is being applied)", "(نیا ماڈل لاگو ہو رہا ہے)";
    Variable => "Variable", "متغیر";
    Value => "Value", "قدر";
    Points => "Points", "پوائنٹس";
    Programme => "Programme", "پروگرام";
    CutOff => "Cut-off", "حد";
    Eligible => "Eligible", "اہل";
    Yes => "yes", "ہاں";
    No => "no", "نہیں";
}

fn band_text(lang: Lang, band: &str) -> String {
    if band == shumari_registry::service::NOT_ELIGIBLE {
        lang.t(S::NotEligible).to_string()
    } else {
        band.to_string()
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Number(n) => n
            .as_f64()
            .map(|f| {
                format!("{f:.2}")
                    .trim_end_matches('0')
                    .trim_end_matches('.')
                    .to_string()
            })
            .unwrap_or_else(|| n.to_string()),
        o => o.to_string(),
    }
}

/// The tablet's score differs from the registry's enough to say so (a tenth of a point, or
/// another model).
fn differs(reg: &RegistryScore, dev: &ProvisionalScore) -> bool {
    (reg.score - dev.score).abs() >= 0.05 || reg.model_version != dev.model_version
}

/// The section.
pub fn section(lang: Lang, reg: Option<&RegistryScore>, dev: Option<&ProvisionalScore>) -> Markup {
    html! {
        section.pmt data-testid="pmt" {
            h2 { (lang.t(S::Title)) }
            @match reg {
                None => p data-testid="pmt-none" { (lang.t(S::NotScored)) },
                Some(p) => {
                    dl {
                        dt { (lang.t(S::RegistryScore)) }
                        dd data-testid="pmt-score" { strong { (format!("{:.1}", p.score)) } }
                        dt { (lang.t(S::Band)) } dd data-testid="pmt-band" { (band_text(lang, &p.band)) }
                        dt { (lang.t(S::Model)) }
                        dd dir="ltr" { (p.model_version) @if !p.current { " " span dir="auto" { (lang.t(S::Outdated)) } } }
                        @if let Some(d) = dev.filter(|d| differs(p, d)) {
                            dt { (lang.t(S::DeviceScore)) }
                            dd data-testid="pmt-device-score" {
                                strong { (format!("{:.1}", d.score)) } " · " span dir="ltr" { (d.model_version) }
                                br; small { (lang.t(S::Differs)) }
                            }
                        }
                    }
                    table data-testid="pmt-contributions" {
                        thead { tr { th { (lang.t(S::Variable)) } th { (lang.t(S::Value)) } th { (lang.t(S::Points)) } } }
                        tbody {
                            @for l in &p.contributions {
                                tr data-testid="pmt-line" data-variable=(l.variable) {
                                    td { (if lang == Lang::Ur { &l.label_ur } else { &l.label_en }) }
                                    td dir="ltr" { (value_text(&l.value)) }
                                    td dir="ltr" { (format!("{:+.2}", l.points)) }
                                }
                            }
                        }
                    }
                    @if !p.programmes.is_empty() {
                        table data-testid="pmt-programmes" {
                            thead { tr { th { (lang.t(S::Programme)) } th { (lang.t(S::CutOff)) } th { (lang.t(S::Eligible)) } } }
                            tbody {
                                @for g in &p.programmes {
                                    tr {
                                        td { (g.programme) }
                                        td dir="ltr" { (format!("{:.1}", g.threshold)) }
                                        td { (lang.t(if g.eligible { S::Yes } else { S::No })) }
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
