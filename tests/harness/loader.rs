//! Fills a registry with N generated households through the real ingest path: one enrolled device
//! per district, each held by a user scoped to that district, records its district's households in
//! its own encrypted store and pushes them with `shumari_sync::sync` over [`InMemoryTransport`]
//! (the same handler HTTP runs). Works on any [`Storage`], so SQLite and PostgreSQL registries are
//! filled the same way.
//!
//! Households come from [`crate::nser_gen::Generator`]-style generation with a seed: each tehsil
//! gets `N / T` households (`T` tehsils; the first `N mod T` tehsils one more), so the spread over
//! the country is even and the same seed loads the same registry. Districts are loaded one after
//! the other and each device's store is deleted once it has pushed, so the disk holds the registry
//! and at most one device at a time, and memory holds one district's households.
//!
//! The time spent inside push calls is summed ([`Loaded::push`]): the registry's ingest time, which
//! is what "households per second through pushes" divides by. Recording households on the devices
//! is not counted.
//!
//! Also compiled into the registry's scale benchmark (included by path, beside `nser_gen.rs`), so it
//! names only crates that benchmark has: the registry, the device store and the sync engine.
#![allow(dead_code)]

use shumari_registry::{InMemoryTransport, Registry, Role, Storage};
use shumari_store::Store;
use shumari_sync::{Endpoint, Options, Report, Transport, TransportError};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// PIN of the loader's device stores.
const PIN: &str = "482193";
/// Households recorded on a device per store transaction.
const ADD_BATCH: usize = 500;

/// What a load did.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Households pushed and accepted.
    pub households: u64,
    /// Devices enrolled (one per district that received households).
    pub devices: usize,
    /// Time spent inside push calls (the registry's ingest).
    pub push: Duration,
    /// Bytes the devices sent.
    pub bytes_sent: u64,
    /// The households of each district, by district code.
    pub by_district: BTreeMap<String, Vec<Uuid>>,
}

/// Wraps a transport and adds up the time spent in calls to `endpoint` (all calls when `None`).
#[derive(Debug)]
pub struct Meter<T> {
    /// The real transport.
    pub inner: T,
    /// Calls counted.
    pub endpoint: Option<Endpoint>,
    /// Time spent in counted calls so far.
    pub spent: Arc<Mutex<Duration>>,
}

impl<T> Meter<T> {
    /// Counts calls to `endpoint` (`None`: every call) made through `inner`.
    pub fn new(inner: T, endpoint: Option<Endpoint>) -> Self {
        Meter {
            inner,
            endpoint,
            spent: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    /// The time counted so far.
    pub fn spent(&self) -> Duration {
        *self.spent.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts counting again from zero.
    pub fn reset(&self) {
        *self.spent.lock().unwrap_or_else(|p| p.into_inner()) = Duration::ZERO;
    }
}

impl<T: Transport> Transport for Meter<T> {
    fn call(
        &mut self,
        endpoint: Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, TransportError> {
        let t = Instant::now();
        let out = self.inner.call(endpoint, token, body);
        if self.endpoint.is_none_or(|e| e == endpoint) {
            *self.spent.lock().unwrap_or_else(|p| p.into_inner()) += t.elapsed();
        }
        out
    }
}

/// A new device for a new user with `role` over `areas`, on `reg`, counting the time of calls to
/// `metered` (`None`: all calls).
pub fn device<St: Storage>(
    reg: &Arc<Registry<St>>,
    rt: &tokio::runtime::Handle,
    role: Role,
    areas: &[String],
    metered: Option<Endpoint>,
) -> (tempfile::TempDir, Store, Meter<InMemoryTransport<St>>) {
    let user = rt
        .block_on(reg.add_user("Scale Enumerator", role, areas))
        .expect("add user");
    let code = rt
        .block_on(reg.enroll_code(&user))
        .expect("enrollment code");
    let mut t = Meter::new(InMemoryTransport::new(reg.clone(), rt.clone()), metered);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::create(dir.path(), PIN).expect("device store");
    shumari_sync::enroll(&mut store, &mut t, "memory:", &code, &Options::default())
        .expect("enroll");
    (dir, store, t)
}

/// One sync that must finish with nothing refused.
pub fn sync_once(store: &mut Store, t: &mut dyn Transport) -> Report {
    let r = shumari_sync::sync(store, t, &Options::default(), &mut |_| {}).expect("sync");
    assert!(r.complete && r.refused.is_empty(), "{r:?}");
    r
}

/// Loads `n` households generated from `seed` into `reg` (see the module documentation).
pub fn load<St: Storage>(
    reg: &Arc<Registry<St>>,
    rt: &tokio::runtime::Handle,
    n: u64,
    seed: u64,
) -> Loaded {
    // Devices made here are throwaway: their key derivation's cost is the store's own test.
    shumari_store::key::set_cost_for_tests(Some(shumari_store::key::KdfCost::FOR_TESTS));
    let tehsils = crate::nser_gen::tehsils();
    let t_count = tehsils.len() as u64;
    let mut districts: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for (i, tehsil) in tehsils.iter().enumerate() {
        let count = n / t_count + u64::from((i as u64) < n % t_count);
        if count > 0 {
            districts
                .entry(crate::nser_gen::district_of(tehsil))
                .or_default()
                .push((tehsil.clone(), count));
        }
    }
    let mut gen = crate::nser_gen::Generator::new(seed);
    let mut out = Loaded::default();
    for (district, parts) in districts {
        let (dir, mut store, mut t) = device(
            reg,
            rt,
            Role::Surveyor,
            std::slice::from_ref(&district),
            Some(Endpoint::Push),
        );
        let mut ids = Vec::new();
        for (tehsil, count) in parts {
            let mut left = count as usize;
            while left > 0 {
                let take = left.min(ADD_BATCH);
                let inputs: Vec<_> = (0..take).map(|_| gen.household_in(&tehsil)).collect();
                let made = store
                    .add_households(&inputs, None, "nser-household", "1")
                    .expect("record households");
                ids.extend(made.into_iter().map(|r| r.expect("a valid household").id));
                left -= take;
            }
        }
        let report = sync_once(&mut store, &mut t);
        assert_eq!(report.pushed, ids.len() as u64, "every household accepted");
        out.households += report.pushed;
        out.bytes_sent += report.bytes_sent;
        out.push += t.spent();
        out.devices += 1;
        out.by_district.insert(district, ids);
        drop(store);
        drop(dir);
    }
    out
}
