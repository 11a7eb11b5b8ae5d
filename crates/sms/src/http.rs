//! [`HttpGateway`]: a generic HTTP SMS gateway, configured by templates rather than by vendor.
//!
//! Most gateways take a GET with the number and text in the query, or a POST with a form or JSON
//! body. The URL template's `{to}` and `{text}` are replaced URL-encoded; a body template, when
//! given, is sent as a POST with the placeholders encoded for its format (form: URL-encoded; JSON:
//! escaped as the inside of a JSON string). An authorization header, when set, is sent with every
//! request; its value comes from a file, never the settings themselves. A status other than 2xx is
//! an error; nothing of the message is logged or put into the error.

use crate::{SendFuture, SmsError, SmsGateway};
use std::time::Duration;

/// How the body template's placeholders are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    /// `application/x-www-form-urlencoded`.
    #[default]
    Form,
    /// `application/json`.
    Json,
}

/// A gateway reached over HTTP(S).
pub struct HttpGateway {
    client: reqwest::Client,
    url: String,
    body: Option<(String, BodyFormat)>,
    auth: Option<(String, String)>,
}

impl std::fmt::Debug for HttpGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL template may hold an API key: only its scheme and host are shown.
        let host = url::Url::parse(&self.url.replace(['{', '}'], ""))
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        f.debug_struct("HttpGateway").field("host", &host).finish()
    }
}

fn encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn json_inner(s: &str) -> String {
    let quoted = serde_json::Value::String(s.to_string()).to_string();
    quoted[1..quoted.len() - 1].to_string()
}

fn fill(template: &str, to: &str, text: &str, enc: impl Fn(&str) -> String) -> String {
    // `{text}` is replaced last so a `{to}` inside a citizen's text is never replaced.
    template
        .replace("{to}", &enc(to))
        .replace("{text}", &enc(text))
}

impl HttpGateway {
    /// A gateway calling `url` (with `{to}` and `{text}`); with `body`, a POST of that template.
    /// `auth` is a header name and value.
    pub fn new(
        url: &str,
        body: Option<(String, BodyFormat)>,
        auth: Option<(String, String)>,
    ) -> Result<Self, SmsError> {
        let probe = url.replace("{to}", "0").replace("{text}", "x");
        let parsed =
            url::Url::parse(&probe).map_err(|e| SmsError::Config(format!("the url: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(SmsError::Config("the url must be http or https".into()));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SmsError::Config(e.to_string()))?;
        Ok(HttpGateway {
            client,
            url: url.to_string(),
            body,
            auth,
        })
    }

    async fn post(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let url = fill(&self.url, to, text, encode);
        let mut req = match &self.body {
            None => self.client.get(url),
            Some((template, BodyFormat::Form)) => self
                .client
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(fill(template, to, text, encode)),
            Some((template, BodyFormat::Json)) => self
                .client
                .post(url)
                .header("content-type", "application/json")
                .body(fill(template, to, text, json_inner)),
        };
        if let Some((name, value)) = &self.auth {
            req = req.header(name.as_str(), value.as_str());
        }
        // The error is reqwest's kind only: its text would carry the URL, and so the number.
        let resp = req.send().await.map_err(|e| {
            SmsError::Unreachable(if e.is_timeout() {
                "timed out".into()
            } else if e.is_connect() {
                "connection failed".into()
            } else {
                "request failed".into()
            })
        })?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SmsError::Status(status.as_u16()))
        }
    }
}

impl SmsGateway for HttpGateway {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(self.post(to, text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_encoded_for_their_place() {
        let url = fill(
            "https://gw/s?to={to}&m={text}",
            "+92300",
            "Rs 9,000 & ok",
            encode,
        );
        assert_eq!(url, "https://gw/s?to=%2B92300&m=Rs+9%2C000+%26+ok");
        let body = fill(
            r#"{"to":"{to}","text":"{text}"}"#,
            "+92300",
            "say \"hi\"",
            json_inner,
        );
        assert_eq!(body, r#"{"to":"+92300","text":"say \"hi\""}"#);
        // A placeholder inside the text is not replaced again.
        assert_eq!(
            fill("{text}|{to}", "1", "{to}", |s| s.to_string()),
            "{to}|1"
        );
    }

    #[test]
    fn a_url_that_is_not_http_is_refused() {
        assert!(HttpGateway::new("ftp://x/{to}", None, None).is_err());
        assert!(HttpGateway::new("not a url", None, None).is_err());
        let g = HttpGateway::new("https://gw.example/s?key=SECRET&to={to}", None, None).unwrap();
        assert!(!format!("{g:?}").contains("SECRET"));
    }
}
