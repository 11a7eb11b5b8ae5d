//! The HTTP transport: `POST {base}/v1/<endpoint>` with the frame as body and `Authorization: Bearer`.
//! Errors come back as JSON `{code, message}`.

pub use shumari_proto::message::{CONTENT_TYPE, VERSION_HEADER};
use shumari_proto::{Endpoint, ErrorBody, Transport, TransportError, PROTOCOL_VERSION};
use std::time::Duration;

/// HTTP(S) to a registry.
#[derive(Debug)]
pub struct HttpTransport {
    base: String,
    client: reqwest::blocking::Client,
}

impl HttpTransport {
    /// A transport to the registry at `base` (e.g. `http://127.0.0.1:7800`).
    pub fn new(base: &str) -> Result<Self, TransportError> {
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            // A 64 KiB chunk at 2G speeds takes ~10 s; leave room for latency and a slow server.
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        Ok(HttpTransport {
            base: base.trim_end_matches('/').to_string(),
            client,
        })
    }
}

impl Transport for HttpTransport {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let mut req = self
            .client
            .post(format!("{}{}", self.base, endpoint.path()))
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header(VERSION_HEADER, PROTOCOL_VERSION.to_string())
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req
            .send()
            .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .map_err(|e| TransportError::Unreachable(e.to_string()))?;
        if status.is_success() {
            return Ok(bytes.to_vec());
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(b) => (b.code, b.message),
            Err(_) => (
                "http".to_string(),
                format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes)),
            ),
        };
        Err(TransportError::Rejected {
            status: status.as_u16(),
            code,
            message,
        })
    }
}
