//! A browser without a browser: the registry and its console served on loopback, and a client that
//! keeps cookies, follows no redirects, and reads forms' CSRF tokens out of the HTML.

#![allow(dead_code)]

use reqwest::blocking::Client;
use shumari_console::{Clock, ConsoleConfig};
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::Storage;
use shumari_scenarios::TestRegistry;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A time the tests start at (2026-01-05 09:00 UTC), moved by hand.
pub const T0: i64 = 1_767_603_600_000;

/// The console's clock, set by the test.
#[derive(Debug, Clone)]
pub struct TestClock(pub Arc<AtomicI64>);

impl TestClock {
    pub fn new() -> Self {
        TestClock(Arc::new(AtomicI64::new(T0)))
    }
    pub fn advance_ms(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    pub fn clock(&self) -> Clock {
        let c = self.0.clone();
        Clock::from_fn(move || c.load(Ordering::SeqCst))
    }
}

/// Serves the registry with its console (as `registry serve` does); returns the base URL.
pub fn serve<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    clock: &TestClock,
    secure_cookies: bool,
) -> String {
    let listener = reg
        .rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = ConsoleConfig {
        secure_cookies,
        clock: clock.clock(),
    };
    let router = shumari_registry::app_with(
        reg.reg.clone(),
        shumari_console::router(reg.reg.clone(), config),
    );
    reg.rt.spawn(async move {
        let _ = shumari_registry::launch_router(listener, router, std::future::pending()).await;
    });
    format!("http://{addr}")
}

/// One answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub headers: reqwest::header::HeaderMap,
}

/// A browser: a cookie jar over a client.
#[derive(Debug)]
pub struct Browser {
    client: Client,
    base: String,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Browser {
            client: Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_string(),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn take(&mut self, r: reqwest::blocking::Response) -> Answer {
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let set_cookies: Vec<String> = headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().expect("ascii").to_string())
            .collect();
        for c in &set_cookies {
            let first = c.split(';').next().unwrap_or("");
            let (k, v) = first.split_once('=').expect("name=value");
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        let location = headers
            .get(reqwest::header::LOCATION)
            .map(|v| v.to_str().expect("ascii").to_string());
        Answer {
            status,
            body: r.text().expect("body"),
            location,
            set_cookies,
            headers,
        }
    }

    pub fn get(&mut self, path: &str) -> Answer {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .expect("GET");
        self.take(r)
    }

    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .expect("POST");
        self.take(r)
    }

    /// A POST of a body as it is, with its content type (a multipart form, say).
    pub fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .expect("POST");
        self.take(r)
    }

    /// Signs in through the form; returns the sign-in POST's answer.
    pub fn sign_in(&mut self, user: &str, password: &str) -> Answer {
        let page = self.get("/console/sign-in");
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = csrf_of(&page.body);
        self.post(
            "/console/sign-in",
            &[("csrf", &csrf), ("user", user), ("password", password)],
        )
    }
}

/// The CSRF token of the (first) form on a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no CSRF field in {html}"));
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("end of value")].to_string()
}

/// The text of the element with `data-testid="id"` (up to its first tag inside).
pub fn testid_text(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("data-testid=\"{id}\""))?;
    let rest = &html[at..];
    let open_end = rest.find('>')? + 1;
    let rest = &rest[open_end..];
    Some(rest[..rest.find('<')?].trim().to_string())
}

/// The password every console user of these tests gets.
pub const CONSOLE_PASSWORD: &str = "a long console password";

/// A console user with [`CONSOLE_PASSWORD`]; returns the id.
pub fn console_user_with_password<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    name: &str,
    role: shumari_registry::Role,
    areas: &[&str],
) -> String {
    let areas: Vec<String> = areas.iter().map(|a| a.to_string()).collect();
    reg.rt.block_on(async {
        let id = reg
            .reg
            .add_user(name, role, &areas)
            .await
            .expect("add user");
        shumari_console::set_password(&reg.reg, &id, CONSOLE_PASSWORD, T0)
            .await
            .expect("password");
        id
    })
}

/// An administrator of `areas`, signed in with a password and a TOTP code.
pub fn signed_in_administrator<S: Storage + ConsoleStorage>(
    reg: &TestRegistry<S>,
    base: &str,
    clock: &TestClock,
    areas: &[&str],
) -> (String, Browser) {
    let admin = console_user_with_password(
        reg,
        "Sadia Administrator",
        shumari_registry::Role::Administrator,
        areas,
    );
    let url = reg
        .rt
        .block_on(shumari_console::setup_totp(&reg.reg, &admin, clock.now()))
        .expect("totp");
    let totp = totp_rs::TOTP::from_url(&url).expect("otpauth url");
    let mut b = Browser::new(base);
    assert_eq!(b.sign_in(&admin, CONSOLE_PASSWORD).status, 303);
    let page = b.get("/console/second-factor");
    let csrf = csrf_of(&page.body);
    let secs = u64::try_from(clock.now() / 1000).expect("time");
    let r = b.post(
        "/console/second-factor",
        &[("csrf", &csrf), ("code", &totp.generate(secs))],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    (admin, b)
}
