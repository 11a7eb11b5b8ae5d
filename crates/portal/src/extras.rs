//! What the other features say about a found household, gathered for the status page in the page's
//! language: eligibility per programme with its reasons, enrolments, payments and complaints. Each
//! comes from its feature's own read in the registry (never its tables); a feature with nothing yet
//! leaves its list empty and the page says "Nothing yet".

use crate::texts::{Lang, Tx};
use crate::views::{EligibilityLine, EnrolmentLine, Extras, GrievanceLine, PaymentLine};
use shumari_registry::service::EnrolmentStatus;
use shumari_registry::{Registry, RegistryError, Storage};
use uuid::Uuid;

const ENROLLED: Tx = Tx("Enrolled", "شامل");
const SUSPENDED: Tx = Tx("Suspended", "معطل");
const EXITED: Tx = Tx("Left the programme", "پروگرام سے خارج");
const PAID: Tx = Tx("Paid on", "ادا شدہ، تاریخ");
const FAILED: Tx = Tx("Not paid", "ادا نہیں ہوئی");
const WAITING: Tx = Tx("Waiting to be paid", "ادائیگی باقی ہے");

/// The extras of household `id` in `lang`.
pub async fn of<S: Storage>(
    reg: &Registry<S>,
    id: Uuid,
    lang: Lang,
) -> Result<Extras, RegistryError> {
    let names = reg.programme_names().await?;
    let name = |pid: &str| {
        names.iter().find(|(i, _, _)| i == pid).map_or_else(
            || pid.to_string(),
            |(_, en, ur)| match lang {
                Lang::En => en.clone(),
                Lang::Ur => ur.clone(),
            },
        )
    };
    let eligibility = reg
        .eligibility_of(id)
        .await?
        .into_iter()
        .map(|e| EligibilityLine {
            programme: name(&e.programme),
            eligible: e.eligible,
            reason: e
                .reasons
                .iter()
                .map(|r| match lang {
                    Lang::En => r.en.as_str(),
                    Lang::Ur => r.ur.as_str(),
                })
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect();
    let enrolments = reg
        .enrolments_of(id)
        .await?
        .into_iter()
        .map(|e| EnrolmentLine {
            programme: name(&e.programme),
            status: lang
                .t(match e.status {
                    EnrolmentStatus::Enrolled => ENROLLED,
                    EnrolmentStatus::Suspended => SUSPENDED,
                    EnrolmentStatus::Exited => EXITED,
                })
                .to_string(),
        })
        .collect();
    let mut payments: Vec<PaymentLine> = reg
        .payments_of_household(id)
        .await?
        .into_iter()
        .map(|p| {
            let paid = p.status == "paid";
            let status = match p.status.as_str() {
                "paid" => format!(
                    "{} {}",
                    lang.t(PAID),
                    p.paid_on.as_deref().map(day_first).unwrap_or_default()
                ),
                "failed" => lang.t(FAILED).to_string(),
                _ => lang.t(WAITING).to_string(),
            };
            PaymentLine {
                reference: p.payment_reference,
                what: format!("{} · {}", name(&p.programme_id), p.period),
                amount: p.paid.filter(|_| paid).unwrap_or(p.planned).to_string(),
                status,
                paid,
            }
        })
        .collect();
    // Newest first: references grow within a cycle, periods sort by name.
    payments.reverse();
    let grievances = reg
        .grievances_of_household(id)
        .await?
        .into_iter()
        .map(|g| GrievanceLine {
            tracking: g.tracking,
            status: match lang {
                Lang::En => g.status_words.en,
                Lang::Ur => g.status_words.ur,
            }
            .to_string(),
        })
        .collect();
    Ok(Extras {
        eligibility,
        enrolments,
        payments,
        grievances,
    })
}

/// `2026-10-12` as `12-10-2026`, the order dates are written in Pakistan.
pub fn day_first(iso: &str) -> String {
    let p: Vec<&str> = iso.split('-').collect();
    match p.as_slice() {
        [y, m, d] => format!("{d}-{m}-{y}"),
        _ => iso.to_string(),
    }
}
