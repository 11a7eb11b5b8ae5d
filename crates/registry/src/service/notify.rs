//! SMS to citizens through the gateway the registry was given ([`Registry::set_sms_gateway`]; the
//! `[sms]` table of the settings file names it): grievance notices from `grievances.rs`, and
//! "payment credited" / "status changed" from the payments feature. No gateway, no message.
//! Neither the number nor the text is ever logged.

use super::Registry;
use crate::storage::Storage;
use shumari_sms::{Lang, Notice, SmsError, SmsGateway};
use std::sync::Arc;

impl<S: Storage> Registry<S> {
    /// Sets the gateway citizens' SMS go through; `false` when one was already set (it stays).
    pub fn set_sms_gateway(&self, gateway: Arc<dyn SmsGateway>) -> bool {
        self.sms.set(gateway).is_ok()
    }

    /// Whether a gateway is set (callers skip reading phones when none is).
    pub fn has_sms_gateway(&self) -> bool {
        self.sms.get().is_some()
    }

    /// The phone each of `ids` gave at the survey (the household answer `phone`), for notices.
    pub(super) async fn household_phones(
        &self,
        ids: &[uuid::Uuid],
    ) -> crate::error::Result<std::collections::HashMap<uuid::Uuid, String>> {
        let mut out = std::collections::HashMap::new();
        for d in self.storage.load_docs(ids).await?.into_iter().flatten() {
            let Ok(am) = shumari_domain::automerge::AutoCommit::load(&d.doc) else {
                continue;
            };
            let Ok(h) =
                shumari_domain::HouseholdDoc::from_automerge(am).and_then(|x| x.household())
            else {
                continue;
            };
            if let Some(p) = h.answers.get("phone").and_then(|v| v.as_str()) {
                out.insert(d.id, p.to_string());
            }
        }
        Ok(out)
    }

    /// Sends each household its notice on the phone it gave at the survey, in Urdu (which every
    /// recipient reads). Nothing is read without a gateway; a household without a phone is
    /// skipped; a message that cannot be sent is logged without the number, and what caused it
    /// stands.
    pub(super) async fn tell_households(&self, notices: Vec<(uuid::Uuid, Notice)>) {
        if notices.is_empty() || !self.has_sms_gateway() {
            return;
        }
        for chunk in notices.chunks(256) {
            let ids: Vec<uuid::Uuid> = chunk.iter().map(|(id, _)| *id).collect();
            let phones = match self.household_phones(&ids).await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "citizen SMS: households could not be read");
                    continue;
                }
            };
            for (id, notice) in chunk {
                let Some(phone) = phones.get(id) else {
                    continue;
                };
                if let Err(e) = self.notify(phone, Lang::Ur, notice).await {
                    tracing::warn!(error = %e, "a citizen SMS was not sent");
                }
            }
        }
    }

    /// Sends `notice` to `phone` in `lang`, worded to fit one SMS. `Ok(false)` when no gateway is
    /// set (nothing is sent); an error when the gateway refused or could not be reached.
    pub async fn notify(&self, phone: &str, lang: Lang, notice: &Notice) -> Result<bool, SmsError> {
        let Some(gateway) = self.sms.get() else {
            return Ok(false);
        };
        gateway.send(phone, &notice.text(lang)).await?;
        Ok(true)
    }
}
