//! The `[sms]` table of the registry's settings file: which gateway sends the citizens' SMS.
//!
//! ```toml
//! [sms]
//! gateway = "file"                      # none (default), file or http
//! file = "/var/lib/shumari/sms.jsonl"  # file: where lines are appended
//! url = "https://gw.example/send?to={to}&text={text}"   # http
//! body = "to={to}&message={text}"      # http: POST this instead of a GET
//! body_format = "form"                 # form (default) or json
//! auth_header = "Authorization"        # http: a header sent with every request ...
//! auth_value_file = "/etc/shumari/sms-token"  # ... its value, the file's first line
//! ```

use crate::{FileGateway, SmsError, SmsGateway};
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;

/// The `[sms]` settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmsSettings {
    /// `none`, `file` or `http`.
    pub gateway: Option<String>,
    /// The file gateway's file.
    pub file: Option<PathBuf>,
    /// The HTTP gateway's URL template.
    pub url: Option<String>,
    /// The HTTP gateway's body template (a POST when set).
    pub body: Option<String>,
    /// `form` or `json`.
    pub body_format: Option<String>,
    /// A header sent with every request.
    pub auth_header: Option<String>,
    /// The file whose first line is that header's value.
    pub auth_value_file: Option<PathBuf>,
}

impl SmsSettings {
    /// The gateway these settings name (`None`: no SMS is sent).
    pub fn gateway(&self) -> Result<Option<Arc<dyn SmsGateway>>, SmsError> {
        match self.gateway.as_deref().unwrap_or("none") {
            "none" => Ok(None),
            "file" => {
                let file = self
                    .file
                    .clone()
                    .ok_or_else(|| SmsError::Config("gateway = \"file\" needs `file`".into()))?;
                Ok(Some(Arc::new(FileGateway::new(file))))
            }
            "http" => self.http(),
            other => Err(SmsError::Config(format!(
                "gateway = \"{other}\": use none, file or http"
            ))),
        }
    }

    #[cfg(feature = "http")]
    fn http(&self) -> Result<Option<Arc<dyn SmsGateway>>, SmsError> {
        use crate::BodyFormat;
        let url = self
            .url
            .as_deref()
            .ok_or_else(|| SmsError::Config("gateway = \"http\" needs `url`".into()))?;
        let format = match self.body_format.as_deref().unwrap_or("form") {
            "form" => BodyFormat::Form,
            "json" => BodyFormat::Json,
            other => {
                return Err(SmsError::Config(format!(
                    "body_format = \"{other}\": use form or json"
                )))
            }
        };
        let auth = match (&self.auth_header, &self.auth_value_file) {
            (Some(h), Some(f)) => {
                let text = std::fs::read_to_string(f)
                    .map_err(|e| SmsError::Config(format!("reading {}: {e}", f.display())))?;
                Some((
                    h.clone(),
                    text.lines().next().unwrap_or_default().trim().to_string(),
                ))
            }
            (None, None) => None,
            _ => {
                return Err(SmsError::Config(
                    "auth_header and auth_value_file go together".into(),
                ))
            }
        };
        let body = self.body.clone().map(|b| (b, format));
        Ok(Some(Arc::new(crate::HttpGateway::new(url, body, auth)?)))
    }

    #[cfg(not(feature = "http"))]
    fn http(&self) -> Result<Option<Arc<dyn SmsGateway>>, SmsError> {
        Err(SmsError::Config(
            "this build has no HTTP gateway (feature `http`)".into(),
        ))
    }
}
