//! A loopback TCP proxy that cuts connections at random byte offsets and delays them.
//!
//! It sits between a device's HTTP transport and a real registry. For every connection it draws, from
//! one seeded RNG, whether to cut it (and after how many bytes, in which direction) and how long to
//! hold it before forwarding. A cut drops both sockets mid-stream: the request may never reach the
//! registry, or the registry may apply it and the answer is lost on the way back — exactly the
//! failures a 2G link produces. Delays are bounded and only make the exchange slower; no test result
//! depends on them.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

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
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            cut_probability: 1.0,
            max_cuts: 16,
            max_cut_up: 40 * 1024,
            max_cut_down: 4 * 1024,
            max_delay: Duration::from_millis(20),
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
                    )
                };
                tokio::spawn(relay(client, upstream, plan.0, plan.1, s.clone()));
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

/// Copies `from` to `to`; stops at EOF, on an error, or after `cut` bytes (then reports the cut).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    cut: Option<usize>,
    dir: Dir,
    shared: Arc<Mutex<Shared>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent = 0usize;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let allowed = match cut {
            Some(at) => n.min(at.saturating_sub(sent)),
            None => n,
        };
        if to.write_all(&buf[..allowed]).await.is_err() {
            return;
        }
        sent += allowed;
        {
            let mut g = shared.lock().expect("proxy state");
            match dir {
                Dir::Up => g.stats.bytes_up += allowed as u64,
                Dir::Down => g.stats.bytes_down += allowed as u64,
            }
            if allowed < n {
                match dir {
                    Dir::Up => g.stats.cuts_up += 1,
                    Dir::Down => g.stats.cuts_down += 1,
                }
            }
        }
        if allowed < n {
            return;
        }
    }
}

async fn relay(
    client: TcpStream,
    upstream: SocketAddr,
    cut: Option<(Dir, usize)>,
    delay: Duration,
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
        _ = pump(cr, sw, up_cut, Dir::Up, shared.clone()) => {}
        _ = pump(sr, cw, down_cut, Dir::Down, shared) => {}
    }
}
