//! The HTTP transport: `POST {base}/v1/<endpoint>` with the frame as body and `Authorization: Bearer`.
//! Errors come back as JSON `{code, message}`.
//!
//! Transport security lives here, once, for the field app and the command line alike:
//! - [`check_registry_url`] is the rule "devices talk to registries over TLS except on loopback": an
//!   `http://` address is refused unless it names this computer (`127.0.0.0/8`, `::1`, `localhost`),
//!   where nothing crosses a network. Every [`HttpTransport`] applies it before sending anything.
//! - A registry run with a private certificate authority (district offices often use a self-signed
//!   one) is reached with [`HttpTransport::with_ca`]: only that CA is trusted, the public roots are
//!   switched off, so a man in the middle holding any other certificate — even a publicly valid one —
//!   is refused. Enrollment keeps the CA in the encrypted store under [`KEY_CA`] and every later sync
//!   uses it. Without a CA the platform's public roots (webpki's Mozilla list) are trusted.
//! - Redirects are not followed: the protocol never needs one, and following one could carry the
//!   device token to another address.

pub use shumari_proto::message::{CONTENT_TYPE, VERSION_HEADER};
use shumari_proto::{Endpoint, ErrorBody, Transport, TransportError, PROTOCOL_VERSION};
use std::net::IpAddr;
use std::time::Duration;

/// Store setting holding the PEM of the certificate authority pinned at enrollment (absent: public
/// roots).
pub const KEY_CA: &str = "sync.registry_ca_pem";

/// The refusal code of a registry address that would send data unencrypted over a network.
pub const CODE_INSECURE: &str = "insecure_registry";

/// Why a registry address or CA file is not accepted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RegistryUrlError {
    /// Not an `http(s)://host` address.
    #[error("`{0}` is not a registry address: it must look like https://registry.example.pk")]
    Malformed(String),
    /// `http://` to another computer.
    #[error("refusing to reach the registry at {0} without encryption: use an https:// address (plain http:// is allowed only to this computer: localhost, 127.0.0.1 or ::1)")]
    Unencrypted(String),
    /// The CA file holds no PEM certificate.
    #[error("the CA certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----): {0}")]
    BadCa(String),
}

/// Whether `host` is this computer: `localhost`, `127.0.0.0/8` or `::1`.
fn is_loopback(host: &reqwest::Url) -> bool {
    match host.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Accepts `https://` registry addresses, and `http://` ones only to this computer.
pub fn check_registry_url(url: &str) -> Result<(), RegistryUrlError> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|_| RegistryUrlError::Malformed(url.trim().to_string()))?;
    if parsed.host().is_none() {
        return Err(RegistryUrlError::Malformed(url.trim().to_string()));
    }
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&parsed) => Ok(()),
        "http" => Err(RegistryUrlError::Unencrypted(url.trim().to_string())),
        _ => Err(RegistryUrlError::Malformed(url.trim().to_string())),
    }
}

/// The certificates of a PEM bundle (a CA file), refused when it holds none.
pub fn parse_ca(pem: &str) -> Result<Vec<reqwest::Certificate>, RegistryUrlError> {
    let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
        .map_err(|e| RegistryUrlError::BadCa(e.to_string()))?;
    if certs.is_empty() {
        return Err(RegistryUrlError::BadCa("no certificate found".into()));
    }
    Ok(certs)
}

/// An error's message with its causes, so "error sending request" says *why*.
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    text
}

/// A failed exchange in plain words; a certificate the device does not trust is named as such.
fn unreachable(e: &reqwest::Error, pinned: bool) -> TransportError {
    let detail = describe(e);
    if detail.to_ascii_lowercase().contains("certificate") {
        let whom = if pinned {
            "the certificate authority this device was enrolled with"
        } else {
            "a public certificate authority"
        };
        return TransportError::Unreachable(format!(
            "the registry's certificate is not trusted: it was not issued by {whom}, so the connection was refused (someone may be intercepting it) ({detail})"
        ));
    }
    TransportError::Unreachable(detail)
}

/// HTTP(S) to a registry.
#[derive(Debug)]
pub struct HttpTransport {
    base: String,
    client: reqwest::blocking::Client,
    pinned: bool,
}

impl HttpTransport {
    /// A transport to the registry at `base` (e.g. `https://registry.example.pk`, or
    /// `http://127.0.0.1:7800` on this computer), trusting the public roots.
    pub fn new(base: &str) -> Result<Self, TransportError> {
        Self::with_ca(base, None)
    }

    /// The same, trusting only the certificate authority in `ca_pem` when given. An insecure address
    /// ([`check_registry_url`]) or a CA that is not PEM is refused with code [`CODE_INSECURE`] before
    /// anything is sent.
    pub fn with_ca(base: &str, ca_pem: Option<&str>) -> Result<Self, TransportError> {
        let refuse = |e: RegistryUrlError| TransportError::Rejected {
            status: 400,
            code: CODE_INSECURE.into(),
            message: e.to_string(),
        };
        check_registry_url(base).map_err(refuse)?;
        let mut builder = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(15))
            // A 64 KiB chunk at 2G speeds takes ~10 s; leave room for latency and a slow server.
            .timeout(Duration::from_secs(120))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = ca_pem {
            builder = builder.tls_built_in_root_certs(false);
            for cert in parse_ca(pem).map_err(refuse)? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| TransportError::Unreachable(describe(&e)))?;
        Ok(HttpTransport {
            base: base.trim().trim_end_matches('/').to_string(),
            client,
            pinned: ca_pem.is_some(),
        })
    }
}

impl Transport for HttpTransport {
    fn registry(&self) -> Option<&str> {
        Some(&self.base)
    }

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
        let resp = req.send().map_err(|e| unreachable(&e, self.pinned))?;
        let status = resp.status();
        // `Retry-After` in seconds (the registry never sends the HTTP-date form).
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let bytes = resp.bytes().map_err(|e| unreachable(&e, self.pinned))?;
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
        if let (429, Some(retry_after_secs)) = (status.as_u16(), retry_after) {
            return Err(TransportError::Throttled {
                retry_after_secs,
                code,
                message,
            });
        }
        Err(TransportError::Rejected {
            status: status.as_u16(),
            code,
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_and_http_only_on_loopback() {
        for ok in [
            "https://registry.example.pk",
            "https://10.1.2.3:7800/",
            "http://127.0.0.1:7800",
            "http://127.8.9.10",
            "http://localhost:7800",
            "http://LOCALHOST",
            "http://[::1]:7800",
        ] {
            assert_eq!(check_registry_url(ok), Ok(()), "{ok}");
        }
        for insecure in [
            "http://10.1.2.3:7800",
            "http://registry.example.pk",
            "http://localhost.example.pk",
            "http://[::2]:7800",
            "http://0.0.0.0:7800",
        ] {
            assert!(
                matches!(
                    check_registry_url(insecure),
                    Err(RegistryUrlError::Unencrypted(_))
                ),
                "{insecure}"
            );
        }
        for malformed in ["registry.example.pk", "ftp://example.pk", "https://", ""] {
            assert!(
                matches!(
                    check_registry_url(malformed),
                    Err(RegistryUrlError::Malformed(_))
                ),
                "{malformed}"
            );
        }
    }

    #[test]
    fn the_transport_refuses_plain_http_to_another_computer_before_sending() {
        let err = HttpTransport::new("http://192.0.2.1:7800").unwrap_err();
        assert!(
            matches!(&err, TransportError::Rejected { code, .. } if code == CODE_INSECURE),
            "{err}"
        );
        assert!(HttpTransport::new("http://127.0.0.1:7800").is_ok());
    }

    #[test]
    fn a_ca_file_without_a_certificate_is_refused() {
        assert!(matches!(
            parse_ca("not a certificate"),
            Err(RegistryUrlError::BadCa(_))
        ));
        assert!(HttpTransport::with_ca("https://localhost", Some("garbage")).is_err());
    }
}
