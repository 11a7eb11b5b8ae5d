//! Transport security end to end with the real binary: a registry serving HTTPS with a private
//! certificate authority (certificates made here with rcgen), a device that enrolls with
//! `--ca-cert` and syncs, the same device refusing a registry that presents a certificate from
//! another CA (a man in the middle), a device without the CA refusing it too, `http://` to another
//! computer refused before anything is sent, and `registry serve` refusing plain HTTP on a network
//! address unless told a TLS proxy is in front.

use assert_cmd::Command;
use serde_json::{json, Value};
use shumari_scenarios::pki::{pki, Pki};
use std::path::Path;

mod common;
use common::{admin_json as admin, bin, device, Server};

fn serve(db: &str, args: &[&str]) -> Server {
    Server::start(db, args)
}

fn serve_tls(db: &str, pki: &Pki, listen: &str) -> Server {
    serve(
        db,
        &[
            "--listen",
            listen,
            "--tls-cert",
            pki.cert.to_str().unwrap(),
            "--tls-key",
            pki.key.to_str().unwrap(),
        ],
    )
}

fn enroll_code(db: &str) -> String {
    let user = admin(
        db,
        &[
            "user", "add", "--name", "Ayesha", "--role", "surveyor", "--area", "PK6",
        ],
    );
    admin(db, &["enroll-code", "--user", user["id"].as_str().unwrap()])["code"]
        .as_str()
        .unwrap()
        .to_string()
}

fn new_device() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    device(dir.path()).arg("init").assert().success();
    dir
}

fn add_household(dir: &Path) {
    let h = json!({"area": "PK6", "answers": {"rooms": 2},
                   "members": [{"name": "Bilal", "relation": "head", "sex": "male", "age": 40,
                                "id_number": "35202-1234567-1"}]});
    device(dir)
        .args(["household", "add", "-f", "-", "--json"])
        .write_stdin(h.to_string())
        .assert()
        .success();
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_device_pins_the_private_ca_it_enrolled_with_and_refuses_any_other_certificate() {
    let tmp = tempfile::tempdir().unwrap();
    let district = pki(tmp.path(), "district");
    let intruder = pki(tmp.path(), "intruder");
    let db = format!("sqlite:{}", tmp.path().join("registry.db").display());
    let reg = serve_tls(&db, &district, "127.0.0.1:0");
    assert!(reg.url.starts_with("https://"), "{}", reg.url);
    let addr = reg.url.trim_start_matches("https://").to_string();

    // Enrolled with the district's CA, the device syncs over HTTPS.
    let dev = new_device();
    device(dev.path())
        .args([
            "enroll",
            "--registry",
            &reg.url,
            "--code",
            &enroll_code(&db),
        ])
        .args(["--ca-cert", district.ca.to_str().unwrap()])
        .assert()
        .success();
    add_household(dev.path());
    let out = device(dev.path())
        .args(["sync", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["pushed"], 1, "{report}");

    // Without the CA, the public roots do not vouch for the district's certificate.
    let stranger = new_device();
    let out = device(stranger.path())
        .args([
            "enroll",
            "--registry",
            &reg.url,
            "--code",
            &enroll_code(&db),
        ])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("certificate is not trusted"),
        "{}",
        stderr(&out)
    );

    // A man in the middle at the same address with a certificate from another CA is refused before
    // anything is sent: a new household waits on the device instead of reaching it.
    drop(reg);
    let mitm = serve_tls(&db, &intruder, &addr);
    assert_eq!(mitm.url, format!("https://{addr}"));
    add_household(dev.path());
    let out = device(dev.path())
        .args(["sync", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("certificate is not trusted"), "{err}");
    assert!(err.contains("enrolled with"), "{err}");
    let listed = admin(&db, &["household", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");

    // The real registry again: the pinned device syncs what waited.
    drop(mitm);
    let _reg = serve_tls(&db, &district, &addr);
    let out = device(dev.path())
        .args(["sync", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed = admin(&db, &["household", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
}

#[test]
fn plain_http_to_another_computer_is_refused_with_exit_2() {
    let dev = new_device();
    for url in ["http://192.0.2.10:7800", "http://registry.example.pk"] {
        let out = device(dev.path())
            .args(["enroll", "--registry", url, "--code", "ABCD-EFGH"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{url}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("without encryption"), "{err}");
        assert!(err.contains("https://"), "{err}");
    }
    // A CA file that is not a certificate is the user's to fix too.
    let bad = dev.path().join("not-a-ca.pem");
    std::fs::write(&bad, "hello").unwrap();
    let out = device(dev.path())
        .args([
            "enroll",
            "--registry",
            "https://registry.example.pk",
            "--code",
            "X",
        ])
        .args(["--ca-cert", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("PEM"), "{}", stderr(&out));
}

#[test]
fn the_registry_serves_plain_http_on_a_network_address_only_when_told_a_proxy_encrypts() {
    let tmp = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", tmp.path().join("registry.db").display());
    let out = Command::new(bin())
        .args(["registry", "serve", "--db", &db, "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("refusing to serve plain HTTP on 0.0.0.0"),
        "{err}"
    );
    assert!(err.contains("--tls-cert"), "{err}");

    let server = serve(&db, &["--listen", "0.0.0.0:0", "--insecure-http"]);
    assert!(server.url.starts_with("http://0.0.0.0:"), "{}", server.url);
    let port = server.url.rsplit(':').next().unwrap();
    let health = get_health(&format!("127.0.0.1:{port}"));
    assert!(health.ends_with(r#"{"status":"ok"}"#), "{health}");
}

/// `GET /health` over a plain socket (the test needs no HTTP client).
fn get_health(addr: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}
