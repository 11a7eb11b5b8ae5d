//! The web console from the command line: `registry user add ... --password-stdin` gives a console
//! user a password (refused for a tablet role and for a short one, exit status 2), `registry user
//! totp` prints an `otpauth://` URL once, and `registry serve` answers the console at `/console`,
//! where the password the command set signs in.

mod common;

use common::{bin, TempRegistry};
use std::io::{Read, Write};

const PASSWORD: &str = "a long console password";

fn add_user(db: &str, role: &str, stdin: &str) -> std::process::Output {
    assert_cmd::Command::new(bin())
        .args([
            "registry",
            "user",
            "add",
            "--db",
            db,
            "--name",
            "Sadia Parveen",
        ])
        .args(["--role", role, "--area", "PK10101", "--password-stdin"])
        .write_stdin(stdin)
        .output()
        .expect("run")
}

/// One HTTP/1.1 exchange with the served registry: the whole answer as text.
fn http(addr: &str, request: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).expect("send");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

fn header<'a>(answer: &'a str, name: &str) -> Option<&'a str> {
    answer
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.to_ascii_lowercase().starts_with(&format!("{name}:")))
        .map(|l| l[name.len() + 1..].trim())
}

#[test]
fn a_console_password_and_second_factor_are_set_from_the_command_line_and_sign_in_at_console() {
    let reg = TempRegistry::start();
    let out = add_user(&reg.db, "supervisor", &format!("{PASSWORD}\n"));
    assert!(out.status.success(), "{out:?}");
    let id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(id.starts_with("u-"), "{id}");

    let tablet = add_user(&reg.db, "surveyor", &format!("{PASSWORD}\n"));
    assert_eq!(tablet.status.code(), Some(2), "{tablet:?}");
    let short = add_user(&reg.db, "district", "short\n");
    assert_eq!(short.status.code(), Some(2), "{short:?}");
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));

    // The console is served by the same process and database.
    let addr = reg.server.addr().to_string();
    let page = http(
        &addr,
        "GET /console/sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("data-testid=\"sign-in-form\""));
    let cookie = header(&page, "set-cookie").expect("the form's cookie");
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    let token = pair.split_once('=').unwrap().1;
    let body = format!(
        "csrf={token}&user={id}&password={}",
        PASSWORD.replace(' ', "+")
    );
    let signed = http(
        &addr,
        &format!(
            "POST /console/sign-in HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: {pair}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(signed.starts_with("HTTP/1.1 303"), "{signed}");
    assert_eq!(header(&signed, "location"), Some("/console"));

    // A second factor: a URL once, a new secret each time.
    let totp = common::admin_text(&reg.db, &["user", "totp", &id]);
    assert!(
        totp.starts_with(&format!("otpauth://totp/Shumari:{id}?")) && totp.contains("secret="),
        "{totp}"
    );
    assert_ne!(common::admin_text(&reg.db, &["user", "totp", &id]), totp);
    let none = common::registry_out(&reg.db, &["user", "totp", "u-nobody"]);
    assert_eq!(none.status.code(), Some(2));
}
