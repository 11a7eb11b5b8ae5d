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
