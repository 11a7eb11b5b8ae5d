//! What the other features say about a found household, gathered for the status page in the page's
//! language: eligibility per programme with its reasons, enrolments, payments and complaints. Each
//! comes from its feature's own read in the registry (never its tables); a feature with nothing yet
//! leaves its list empty and the page says "Nothing yet".

use crate::texts::{Lang, Tx};
use crate::views::{EligibilityLine, EnrolmentLine, Extras};
use shumari_registry::service::EnrolmentStatus;
use shumari_registry::{Registry, RegistryError, Storage};
use uuid::Uuid;

const ENROLLED: Tx = Tx("Enrolled", "شامل");
const SUSPENDED: Tx = Tx("Suspended", "معطل");
const EXITED: Tx = Tx("Left the programme", "پروگرام سے خارج");

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
    Ok(Extras {
        eligibility,
        enrolments,
        payments: Vec::new(),
        grievances: Vec::new(),
    })
}
