//! A loopback TCP proxy that cuts connections at random byte offsets, delays them, and can play a slow
//! link.
//!
//! It sits between a device's HTTP transport and a real registry. For every connection it draws, from
//! one seeded RNG, whether to cut it (and after how many bytes, in which direction) and how long to
//! hold it before forwarding. A cut drops both sockets mid-stream: the request may never reach the
//! registry, or the registry may apply it and the answer is lost on the way back — exactly the
//! failures a 2G link produces. Delays are bounded and only make the exchange slower; no test result
//! depends on them.
//!
//! A slow link ([`FaultConfig::two_g`]) adds a one-way latency to every byte in each direction and
//! limits each direction of a connection to a bandwidth: bytes wait in a delay line and leave at the
//! link's rate, so a 64 KiB frame at 50 kbit/s takes about ten seconds, as in the field.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// What the proxy does to connections.
#[derive(Debug, Clone)]
pub struct FaultConfig {
    /// Probability that a connection is cut (HTTP keeps a connection alive, so an uncut one may carry
    /// the rest of a sync).
    pub cut_probability: f64,
    /// At most this many connections are cut; later ones are clean, so every sync can finish.
    pub max_cuts: usize,
    /// A cut on the way to the registry happens after a uniform number of bytes below this.
    pub max_cut_up: usize,
    /// A cut on the way back (answers are smaller) happens after a uniform number of bytes below this.
    pub max_cut_down: usize,
    /// Each connection waits a uniform delay in `0..=max_delay` before forwarding.
    pub max_delay: Duration,
    /// Added to every byte's trip, each way.
    pub latency: Duration,
    /// Each direction of a connection carries at most this many bits per second (`None`: no limit).
    pub bandwidth_bps: Option<u64>,
}

impl FaultConfig {
    /// A clean but slow link: no cuts, 50 kbit/s each way, 300 ms added latency.
    pub fn two_g() -> Self {
        FaultConfig {
            cut_probability: 0.0,
            max_cuts: 0,
            max_delay: Duration::ZERO,
            latency: Duration::from_millis(300),
            bandwidth_bps: Some(50_000),
            ..FaultConfig::default()
        }
    }

    fn link(&self) -> Link {
        Link {
            latency: self.latency,
            bytes_per_sec: self.bandwidth_bps.map(|b| (b / 8).max(1)),
        }
    }
}

/// How a direction of a connection carries bytes.
#[derive(Debug, Clone, Copy)]
struct Link {
    latency: Duration,
    bytes_per_sec: Option<u64>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            cut_probability: 1.0,
            max_cuts: 16,
            max_cut_up: 40 * 1024,
            max_cut_down: 4 * 1024,
            max_delay: Duration::from_millis(20),
            latency: Duration::ZERO,
            bandwidth_bps: None,
        }
    }
}

/// What the proxy did.
#[derive(Debug, Default, Clone)]
pub struct ProxyStats {
    /// Connections accepted.
    pub connections: usize,
    /// Connections cut on the way to the registry.
    pub cuts_up: usize,
    /// Connections cut on the way back to the device.
    pub cuts_down: usize,
    /// Bytes forwarded to the registry.
    pub bytes_up: u64,
    /// Bytes forwarded to the device.
    pub bytes_down: u64,
}

#[derive(Debug)]
struct Shared {
    rng: StdRng,
    config: FaultConfig,
    enabled: bool,
    planned_cuts: usize,
    stats: ProxyStats,
}

/// A running proxy; it stops with the runtime it was started on.
#[derive(Debug, Clone)]
pub struct FaultProxy {
    /// Where devices connect.
    pub addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
}

/// Which way a connection is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Up,
    Down,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on a loopback port, on runtime `rt`.
    pub fn start(
        rt: &tokio::runtime::Handle,
        upstream: SocketAddr,
        seed: u64,
        config: FaultConfig,
    ) -> Self {
        let listener = rt
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let shared = Arc::new(Mutex::new(Shared {
            rng: StdRng::seed_from_u64(seed),
            config,
            enabled: true,
            planned_cuts: 0,
            stats: ProxyStats::default(),
        }));
        let s = shared.clone();
        rt.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let plan = {
                    let mut g = s.lock().expect("proxy state");
                    g.stats.connections += 1;
                    let c = g.config.clone();
                    let enabled = g.enabled && g.planned_cuts < c.max_cuts;
                    let cut = g.rng.gen_bool(c.cut_probability.clamp(0.0, 1.0));
                    let dir = if g.rng.gen_bool(0.5) {
                        Dir::Up
                    } else {
                        Dir::Down
                    };
                    let max = match dir {
                        Dir::Up => c.max_cut_up,
                        Dir::Down => c.max_cut_down,
                    };
                    let at = g.rng.gen_range(0..max.max(1));
                    let delay = g.rng.gen_range(0..=c.max_delay.as_millis() as u64);
                    if enabled && cut {
                        g.planned_cuts += 1;
                    }
                    (
                        (enabled && cut).then_some((dir, at)),
                        Duration::from_millis(if enabled { delay } else { 0 }),
                        c.link(),
                    )
                };
                tokio::spawn(relay(client, upstream, plan, s.clone()));
            }
        });
        FaultProxy { addr, shared }
    }

    /// The base URL devices use.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What happened so far.
    pub fn stats(&self) -> ProxyStats {
        self.shared.lock().expect("proxy state").stats.clone()
    }

    /// Turns faults on or off for new connections (off: a clean link).
    pub fn set_faults(&self, on: bool) {
        self.shared.lock().expect("proxy state").enabled = on;
    }
}

/// Copies `from` to `to` over `link`; stops at EOF, on an error, or after `cut` bytes (then reports
/// the cut).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    cut: Option<usize>,
    dir: Dir,
    shared: Arc<Mutex<Shared>>,
    link: Link,
) {
    // The delay line: what was read waits `latency`, then leaves at the link's rate.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            if tx
                .send((Instant::now() + link.latency, buf[..n].to_vec()))
                .is_err()
            {
                return;
            }
        }
    };
    let writer = async move {
        let mut sent = 0usize;
        let mut free_at = Instant::now();
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            // Slices of 512 bytes keep the rate smooth (a slice at 50 kbit/s is 80 ms).
            let slice = if link.bytes_per_sec.is_some() {
                512
            } else {
                bytes.len().max(1)
            };
            for part in bytes.chunks(slice) {
                if let Some(rate) = link.bytes_per_sec {
                    free_at = free_at.max(Instant::now())
                        + Duration::from_micros(part.len() as u64 * 1_000_000 / rate);
                    tokio::time::sleep_until(free_at).await;
                }
                let allowed = match cut {
                    Some(at) => part.len().min(at.saturating_sub(sent)),
                    None => part.len(),
                };
                if to.write_all(&part[..allowed]).await.is_err() {
                    return;
                }
                sent += allowed;
                let mut g = shared.lock().expect("proxy state");
                match dir {
                    Dir::Up => g.stats.bytes_up += allowed as u64,
                    Dir::Down => g.stats.bytes_down += allowed as u64,
                }
                if allowed < part.len() {
                    match dir {
                        Dir::Up => g.stats.cuts_up += 1,
                        Dir::Down => g.stats.cuts_down += 1,
                    }
                    return;
                }
            }
        }
    };
    // A cut or a write error ends the direction at once; an EOF lets the line drain first.
    let mut writer = Box::pin(writer);
    tokio::select! {
        _ = &mut writer => return,
        _ = reader => {}
    }
    writer.await;
}

async fn relay(
    client: TcpStream,
    upstream: SocketAddr,
    (cut, delay, link): (Option<(Dir, usize)>, Duration, Link),
    shared: Arc<Mutex<Shared>>,
) {
    tokio::time::sleep(delay).await;
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up_cut = cut.and_then(|(d, at)| (d == Dir::Up).then_some(at));
    let down_cut = cut.and_then(|(d, at)| (d == Dir::Down).then_some(at));
    // When either direction ends (EOF or a cut) both sockets are dropped: the connection is gone.
    tokio::select! {
        _ = pump(cr, sw, up_cut, Dir::Up, shared.clone(), link) => {}
        _ = pump(sr, cw, down_cut, Dir::Down, shared, link) => {}
    }
}
