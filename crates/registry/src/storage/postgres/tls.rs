//! TLS to PostgreSQL when the URL asks for it: `sslmode=require` connects through rustls and verifies
//! the server's certificate against the system's trust store (add a private CA there, e.g. with
//! `update-ca-certificates`), which is stricter than libpq's `require`, which does not verify. Any
//! other mode (`disable`, or the default `prefer`) connects without TLS, as a database on the same
//! host or a private network is usually run.

use crate::storage::{Result, StorageError};
use tokio_postgres::config::SslMode;
use tokio_postgres::{Client, Config, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

/// Whether the URL asks for TLS.
pub(super) fn wants_tls(config: &Config) -> bool {
    config.get_ssl_mode() == SslMode::Require
}

/// A rustls connector trusting the system's certificate authorities (ring provider, like the rest of
/// the registry's TLS).
fn connector() -> Result<MakeRustlsConnect> {
    let found = rustls_native_certs::load_native_certs();
    let mut roots = rustls::RootCertStore::empty();
    let (added, _) = roots.add_parsable_certificates(found.certs);
    if added == 0 {
        return Err(StorageError::Other(
            "sslmode=require, but the system has no trusted certificate authorities to verify the database's certificate".into(),
        ));
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| StorageError::Other(format!("TLS setup: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Opens one connection to `url`, over TLS when it says `sslmode=require`; the connection is driven
/// by a task on the current runtime.
pub(super) async fn open_client(url: &str) -> Result<Client> {
    let config: Config = url.parse()?;
    let client = if wants_tls(&config) {
        let (client, connection) = config.connect(connector()?).await?;
        tokio::spawn(drive(connection));
        client
    } else {
        let (client, connection) = config.connect(NoTls).await?;
        tokio::spawn(drive(connection));
        client
    };
    Ok(client)
}

async fn drive<F: std::future::Future<Output = std::result::Result<(), tokio_postgres::Error>>>(
    connection: F,
) {
    if let Err(e) = connection.await {
        tracing::error!("postgres connection: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_require_picks_tls_and_nothing_else_does() {
        let wants = |url: &str| wants_tls(&url.parse::<Config>().unwrap());
        assert!(wants(
            "postgres://shumari@db.example.pk/registry?sslmode=require"
        ));
        assert!(wants("host=db.example.pk user=shumari sslmode=require"));
        assert!(!wants("postgres://shumari@localhost/registry"));
        assert!(!wants(
            "postgres://shumari@localhost/registry?sslmode=disable"
        ));
        assert!(!wants(
            "postgres://shumari@localhost/registry?sslmode=prefer"
        ));
    }

    #[tokio::test]
    async fn a_server_without_tls_is_refused_when_the_url_requires_it() {
        // A listener that answers the TLS request with PostgreSQL's "no" (`N`), as a server without
        // TLS does: with sslmode=require the connection must not go on in the clear.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 8];
            sock.read_exact(&mut request).await.unwrap();
            sock.write_all(b"N").await.unwrap();
            let mut rest = Vec::new();
            let _ = sock.read_to_end(&mut rest).await;
        });
        let url = format!("postgres://shumari@127.0.0.1:{port}/registry?sslmode=require");
        let err = open_client(&url).await.unwrap_err();
        assert!(
            err.to_string().to_lowercase().contains("tls")
                || err.to_string().to_lowercase().contains("ssl"),
            "{err}"
        );
    }
}
