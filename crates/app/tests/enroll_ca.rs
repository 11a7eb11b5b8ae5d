//! The field app enrolls with a district office's own certificate authority, as the CLI's
//! `--ca-cert` does: against a real HTTPS registry (`shumari registry serve --tls-cert`) whose
//! certificate a private CA issued, the tablet given that CA enrolls and syncs; a tablet given another
//! CA, or none, is refused and keeps no half-made store; a CA file that is not PEM is refused before
//! anything is made.

use shumari_app::App;
use shumari_scenarios::pki::pki;

mod common;
use common::{sync_round, Registry};

const PIN: &str = "864213";

fn tls_registry(dir: &std::path::Path) -> Registry {
    let district = pki(dir, "district");
    let cert = district.cert.display().to_string();
    let key = district.key.display().to_string();
    Registry::start_with(dir, &["--tls-cert", &cert, "--tls-key", &key])
}

#[test]
fn a_tablet_given_the_district_ca_enrolls_and_syncs_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let reg = tls_registry(dir.path());
    assert!(reg.url.starts_with("https://"), "{}", reg.url);
    let ca = std::fs::read_to_string(dir.path().join("district-ca.pem")).unwrap();
    let app = App::new(dir.path().join("tablet"));
    let info = app
        .enroll_with_ca(&reg.url, &reg.code("PK10101"), PIN, Some(&ca))
        .unwrap();
    assert!(info.enrolled && info.unlocked);
    app.create_household("PK10101").unwrap();
    let s = sync_round(&app);
    assert!(s.error.is_none(), "{:?}", s.error);
    assert_eq!(s.pending, 0, "the household reached the registry");
}

#[test]
fn a_tablet_given_another_ca_or_none_is_refused_and_keeps_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let reg = tls_registry(dir.path());
    let intruder = pki(dir.path(), "intruder");
    let other_ca = std::fs::read_to_string(intruder.ca).unwrap();
    for (name, ca) in [("another CA", Some(other_ca.as_str())), ("no CA", None)] {
        let app = App::new(dir.path().join(name));
        let err = app
            .enroll_with_ca(&reg.url, &reg.code("PK10101"), PIN, ca)
            .unwrap_err();
        assert_eq!(err.code(), "unreachable", "{name}: {err}");
        assert!(!app.session_status().enrolled, "{name}");
        assert!(
            !shumari_store::Store::exists(&dir.path().join(name)),
            "{name}: no store is left behind"
        );
    }
}

#[test]
fn a_ca_file_that_is_not_pem_is_refused_before_anything_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::new(dir.path().join("tablet"));
    let err = app
        .enroll_with_ca(
            "https://127.0.0.1:9",
            "ABCD-EFGH",
            PIN,
            Some("not a certificate"),
        )
        .unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
    assert!(!shumari_store::Store::exists(&dir.path().join("tablet")));
}
