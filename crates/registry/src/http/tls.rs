//! How the registry meets the network: HTTPS with rustls, or plain HTTP only where nothing crosses a
//! network.
//!
//! - [`TlsSettings::load`] reads a certificate chain and private key (PEM files, as any certificate
//!   authority or `openssl` issues them) into a rustls server configuration, and [`launch_tls`] serves
//!   the same router as [`super::launch`] over it (`axum-server`; a TLS handshake that does not finish
//!   within ten seconds is dropped).
//! - [`check_plain_listen`] is the rule for plain HTTP: it is served on loopback only, unless the
//!   operator says a TLS proxy stands in front (`--insecure-http`). Devices follow the same rule from
//!   their side (`shumari_sync::http`): they refuse `http://` to anything but this computer.
//!
//! rustls runs on the ring provider, chosen here rather than process-wide, the one reqwest already
//! uses on devices.

use crate::service::Registry;
use crate::storage::Storage;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Why the registry will not serve as asked.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Plain HTTP on an address other computers can reach.
    #[error("refusing to serve plain HTTP on {0}, which other computers can reach: give --tls-cert and --tls-key to serve HTTPS, listen on 127.0.0.1, or pass --insecure-http if a TLS proxy in front of the registry encrypts every connection")]
    PlainOnNetwork(String),
    /// A certificate or key file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file holds no usable PEM item.
    #[error("{path} holds no {what} in PEM form ({detail})")]
    Pem {
        /// The file.
        path: PathBuf,
        /// "certificate" or "private key".
        what: &'static str,
        /// The parser's words.
        detail: String,
    },
    /// rustls refused the pair (e.g. the key does not match the certificate).
    #[error("the TLS certificate and key cannot be used: {0}")]
    Tls(#[from] rustls::Error),
}

/// Refuses to serve plain HTTP on `addrs` unless every one is loopback or `insecure_http` is set.
pub fn check_plain_listen(addrs: &[SocketAddr], insecure_http: bool) -> Result<(), ServeError> {
    match addrs.iter().find(|a| !a.ip().is_loopback()) {
        Some(a) if !insecure_http => Err(ServeError::PlainOnNetwork(a.to_string())),
        _ => Ok(()),
    }
}

/// A loaded certificate chain and key, ready to serve.
#[derive(Debug, Clone)]
pub struct TlsSettings {
    config: Arc<rustls::ServerConfig>,
}

impl TlsSettings {
    /// Reads the certificate chain `cert` and private key `key` (PEM files).
    pub fn load(cert: &Path, key: &Path) -> Result<Self, ServeError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| ServeError::Read {
                path: path.to_path_buf(),
                source,
            })
        };
        let pem_error = |path: &Path, what, detail: String| ServeError::Pem {
            path: path.to_path_buf(),
            what,
            detail,
        };
        let cert_pem = read(cert)?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| pem_error(cert, "certificate", e.to_string()))?;
        if chain.is_empty() {
            return Err(pem_error(cert, "certificate", "none found".into()));
        }
        let key_pem = read(key)?;
        let key_der = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|e| pem_error(key, "private key", e.to_string()))?;
        Self::from_der(chain, key_der)
    }

    /// The same from parsed certificates and key.
    pub fn from_der(
        chain: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> Result<Self, ServeError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(TlsSettings {
            config: Arc::new(config),
        })
    }
}

/// Serves `reg` over HTTPS on `listener` until `shutdown` completes (connections then get ten
/// seconds to finish).
pub async fn launch_tls<S: Storage>(
    listener: tokio::net::TcpListener,
    reg: Arc<Registry<S>>,
    tls: TlsSettings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    launch_tls_router(listener, super::app(reg), tls, shutdown).await
}

/// Serves `router` (the registry's router with routes merged into it, such as the web console's)
/// over HTTPS on `listener` until `shutdown` completes.
pub async fn launch_tls_router(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    tls: TlsSettings,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let config = axum_server::tls_rustls::RustlsConfig::from_config(tls.config);
    axum_server::from_tcp_rustls(listener.into_std()?, config)?
        .handle(handle)
        .serve(router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback_unless_told_a_proxy_encrypts() {
        let loopback: Vec<SocketAddr> = vec![
            "127.0.0.1:7800".parse().unwrap(),
            "[::1]:7800".parse().unwrap(),
        ];
        assert!(check_plain_listen(&loopback, false).is_ok());
        for open in ["0.0.0.0:7800", "10.0.0.5:7800", "[::]:7800"] {
            let addrs = [open.parse().unwrap()];
            let err = check_plain_listen(&addrs, false).unwrap_err();
            assert!(matches!(err, ServeError::PlainOnNetwork(_)), "{open}");
            assert!(err.to_string().contains("--tls-cert"));
            assert!(check_plain_listen(&addrs, true).is_ok());
        }
    }

    #[test]
    fn a_key_that_is_not_pem_is_refused_with_the_file_named() {
        let dir = tempfile::tempdir().unwrap();
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        let cert_path = dir.path().join("cert.pem");
        let key_path = dir.path().join("key.pem");
        std::fs::write(&cert_path, cert.cert.pem()).unwrap();
        std::fs::write(&key_path, "not a key").unwrap();
        let err = TlsSettings::load(&cert_path, &key_path).unwrap_err();
        assert!(err.to_string().contains("key.pem"), "{err}");
        std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
        assert!(TlsSettings::load(&cert_path, &key_path).is_ok());
    }
}
