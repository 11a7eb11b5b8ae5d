//! The XLSForm metadata the field app records, in any form: `start`, `end` and `deviceid`.
//!
//! ODK Collect fills these without asking: `start` when the form is first opened, `end` when it is
//! finalised, `deviceid` with the device's id. The field app records the same facts once per household
//! as paradata (`shumari_domain::Paradata`, CRDT state in the household's document) and writes them
//! into whatever metadata questions the form has, under whatever names it gives them
//! ([`Form::metadata_answers`]). A form without such questions still gets the paradata; a form with
//! several `start` rows gets the value in each. Metadata inside a repeat is left alone (it would be
//! one value per row, which ODK does not define).
//!
//! Values are text, as ODK stores metadata in the instance: date-times as
//! `2026-03-01T09:00:00.000+00:00`.

use crate::model::{Form, Meta, QuestionType};
use chrono::{DateTime, Utc};
use shumari_domain::Paradata;

/// ODK's date-time text of `t`.
pub fn odk_date_time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f+00:00").to_string()
}

impl Form {
    /// The answers the field app writes for this form's `start`, `end` and `deviceid` questions
    /// from the household's paradata: `(question name, value)`, only for what the paradata holds.
    pub fn metadata_answers(&self, p: &Paradata) -> Vec<(String, String)> {
        self.survey
            .iter()
            .enumerate()
            .filter(|(i, _)| self.layout.scope[*i].is_none())
            .filter_map(|(_, q)| {
                let value = match q.kind {
                    QuestionType::Meta(Meta::Start) => p.start.as_ref().map(odk_date_time),
                    QuestionType::Meta(Meta::End) => p.end.as_ref().map(odk_date_time),
                    QuestionType::Meta(Meta::DeviceId) => p.device_id.clone(),
                    _ => None,
                }?;
                Some((q.name.clone(), value))
            })
            .collect()
    }
}
