//! The status bench's load generator, run as its own process (the bench starts itself again with
//! `SHUMARI_PORTAL_BENCH_CLIENT` set), so the server's runtime is not shared with the clients'.
//!
//! It speaks HTTP/1.1 over keep-alive connections by hand: each request is a few pre-formatted
//! bytes and each response is read up to its `Content-Length`, so the generator spends far less of
//! the two cores than a full HTTP client would and the measured rate is closer to the server's.
//! It runs on one thread: it can never take more than one core from the server.

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// (CNIC digits, day, month, year) of an adult the registry holds.
pub type Key = (String, String, String, String);

/// The request mixes the bench measures.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mix {
    /// Right CNIC and date: the status page.
    Found,
    /// Right CNIC, wrong date.
    WrongDate,
    /// A CNIC nobody holds.
    Unknown,
}

impl Mix {
    /// The name passed to the client process.
    pub fn name(self) -> &'static str {
        match self {
            Mix::Found => "found",
            Mix::WrongDate => "wrong-date",
            Mix::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "found" => Mix::Found,
            "wrong-date" => Mix::WrongDate,
            _ => Mix::Unknown,
        }
    }
}

/// `POST /status` for the `i`-th request of a mix, as bytes on the wire.
fn request(host: &str, keys: &[Key], i: usize, mix: Mix) -> Vec<u8> {
    let (n, d, m, y) = &keys[i % keys.len()];
    let (cnic, year) = match mix {
        Mix::Found => (n.clone(), y.clone()),
        // Cards are generated issued from 2005 on, so 1999 is always wrong.
        Mix::WrongDate => (n.clone(), "1999".to_string()),
        Mix::Unknown => (
            format!("{}{:07}{}", &n[..5], (i * 7919) % 10_000_000, 9),
            y.clone(),
        ),
    };
    let body = format!("lang=en&cnic={cnic}&day={d}&month={m}&year={year}");
    format!(
        "POST /status HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Sends one request on `s` and reads its whole response; returns the status code.
async fn exchange(s: &mut TcpStream, req: &[u8], buf: &mut Vec<u8>) -> u16 {
    s.write_all(req).await.expect("send");
    buf.clear();
    let mut chunk = [0u8; 32 * 1024];
    let (head_end, total) = loop {
        let n = s.read(&mut chunk).await.expect("receive");
        assert!(n > 0, "the server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse().expect("content-length"))
                .expect("a response with a Content-Length");
            break (end, end + 4 + len);
        }
    };
    while buf.len() < total {
        let n = s.read(&mut chunk).await.expect("receive");
        assert!(n > 0, "the server closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
    let status = std::str::from_utf8(&buf[9..12.min(head_end)])
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    buf.drain(..total);
    status
}

/// The client process: `clients` connections to `addr` for `seconds`, printing one line
/// `requests/s p50_µs p99_µs count` for the parent to read.
pub fn run() {
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"));
    let addr = var("SHUMARI_PORTAL_BENCH_CLIENT");
    let mix = Mix::parse(&var("SHUMARI_PORTAL_BENCH_MIX"));
    let clients: usize = var("SHUMARI_PORTAL_BENCH_CLIENTS")
        .parse()
        .expect("clients");
    let seconds: u64 = var("SHUMARI_PORTAL_BENCH_SECONDS")
        .parse()
        .expect("seconds");
    let keys: Vec<Key> = std::fs::read_to_string(var("SHUMARI_PORTAL_BENCH_KEYS"))
        .expect("keys")
        .lines()
        .map(|l| {
            let p: Vec<&str> = l.split('\t').collect();
            (p[0].into(), p[1].into(), p[2].into(), p[3].into())
        })
        .collect();
    let keys = std::sync::Arc::new(keys);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (rate, mut lat) = rt.block_on(async move {
        let stop = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|w| {
                let keys = keys.clone();
                let addr = addr.clone();
                tokio::spawn(async move {
                    let mut s = TcpStream::connect(&addr).await.expect("connect");
                    s.set_nodelay(true).expect("nodelay");
                    let mut buf = Vec::new();
                    let mut lat = Vec::new();
                    let mut i = w;
                    while Instant::now() < stop {
                        let req = request(&addr, &keys, i, mix);
                        i += clients;
                        let t = Instant::now();
                        let status = exchange(&mut s, &req, &mut buf).await;
                        assert_eq!(status, 200, "status {status}");
                        lat.push(t.elapsed());
                    }
                    lat
                })
            })
            .collect();
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("client"));
        }
        (all.len() as f64 / started.elapsed().as_secs_f64(), all)
    });
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p).round() as usize)
            .map_or(0, |d| d.as_micros())
    };
    println!("{rate:.1} {} {} {}", pct(0.5), pct(0.99), lat.len());
}
