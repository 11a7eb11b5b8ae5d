//! A private certificate authority and a registry certificate it issued, made with rcgen: what a
//! district office running its own CA has, for the tests of TLS with a pinned CA.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use std::path::{Path, PathBuf};

/// A certificate authority and a server certificate it issued for this computer, as PEM files.
#[derive(Debug)]
pub struct Pki {
    /// The CA's certificate: what a device is given.
    pub ca: PathBuf,
    /// The server's certificate, for `localhost` and `127.0.0.1`.
    pub cert: PathBuf,
    /// The server's private key.
    pub key: PathBuf,
}

/// Makes `<name>-ca.pem`, `<name>-cert.pem` and `<name>-key.pem` in `dir`.
pub fn pki(dir: &Path, name: &str) -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("rcgen");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} CA"));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().expect("rcgen");
    let ca_cert = ca_params.self_signed(&ca_key).expect("rcgen");
    let issuer = Issuer::new(ca_params, ca_key);

    let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .expect("rcgen");
    params
        .distinguished_name
        .push(DnType::CommonName, "registry");
    let key = KeyPair::generate().expect("rcgen");
    let cert = params.signed_by(&key, &issuer).expect("rcgen");

    let files = Pki {
        ca: dir.join(format!("{name}-ca.pem")),
        cert: dir.join(format!("{name}-cert.pem")),
        key: dir.join(format!("{name}-key.pem")),
    };
    std::fs::write(&files.ca, ca_cert.pem()).expect("write a PEM file");
    std::fs::write(&files.cert, cert.pem()).expect("write a PEM file");
    std::fs::write(&files.key, key.serialize_pem()).expect("write a PEM file");
    files
}
