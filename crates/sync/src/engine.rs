//! The client engine: one sync = rotate the token when due, register new actors, push, pull, check,
//! repair.
//!
//! It talks to a [`Transport`] only, keeps all its state in the device's encrypted store (token, cursor,
//! acknowledged heads), and saves progress after every exchange, so a sync cut anywhere — even by
//! killing the app — resumes without resending anything the registry acknowledged.
//!
//! The store is reached through [`StoreAccess`], one short local step at a time (collect a few
//! documents, record acknowledgements, apply part of a page, move the cursor), never across a request:
//! a surveyor keeps typing while a round waits on a 2G link or on an unreachable registry. Local steps
//! handle at most [`LOCAL_STEP_DOCS`] documents, so a keystroke save waits for one short step at most.

pub(crate) mod cursors;
mod enrollment;
mod register;
pub(crate) mod reports;

pub use enrollment::{enroll, enroll_with};

use crate::access::StoreAccess;
use crate::check::{bucket_digests, bucket_of, differing, root_digest};
pub use crate::error::SyncError;
use crate::identity::to_store;
use crate::proto::{
    heads_from_wire, heads_to_wire, CheckRequest, CheckResponse, CheckVerdict, DocChanges,
    DocOutcome, Endpoint, Message, PullRequest, PullResponse, PushDoc, PushRequest, PushResponse,
    TokenRequest, TokenResponse, DEFAULT_CHUNK_BYTES,
};
use crate::rotation;
use crate::transport::{Transport, TransportError};
use rand::Rng;
use serde::Serialize;
use shumari_domain::automerge::ChangeHash;
use shumari_store::Store;
use std::collections::BTreeSet;
use std::time::Duration;
use uuid::Uuid;

/// Store setting: the device token (the registry keeps only its hash).
pub const KEY_TOKEN: &str = "sync.token";
/// Store setting: the registry's address.
pub const KEY_URL: &str = "sync.registry_url";
/// Store setting: this device's id at the registry.
pub const KEY_DEVICE: &str = "sync.device_id";
/// Store setting: the areas granted (JSON array).
pub const KEY_AREAS: &str = "sync.areas";
/// Store setting: when a sync last went through (RFC 3339, UTC), so it survives a restart.
pub const KEY_LAST_SYNC: &str = "sync.last_sync_at";

/// Documents handled in one local step (one hold of the store): small enough that a keystroke save
/// waiting behind a step is not noticeably delayed, large enough that a step is not mostly overhead.
pub const LOCAL_STEP_DOCS: usize = 16;

/// Retries: exponential backoff with jitter.
#[derive(Debug, Clone)]
pub struct Retry {
    /// Tries per exchange, including the first.
    pub attempts: u32,
    /// First delay.
    pub base: Duration,
    /// Longest delay.
    pub max: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            attempts: 6,
            base: Duration::from_millis(500),
            max: Duration::from_secs(30),
        }
    }
}

impl Retry {
    /// The delay before retry number `n` (0-based): `base * 2^n` capped, then a random point in its
    /// upper half so that many devices coming back online do not retry in lockstep.
    pub fn delay(&self, n: u32) -> Duration {
        let d = self
            .base
            .saturating_mul(1u32 << n.min(16))
            .min(self.max)
            .as_millis() as u64;
        let lo = d / 2;
        Duration::from_millis(rand::thread_rng().gen_range(lo..=d.max(lo)))
    }
}

/// The longest `Retry-After` the engine waits out within a round.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// Tuning.
#[derive(Debug, Clone)]
pub struct Options {
    /// Cap on one request (compressed); the registry is asked to keep responses under it too.
    pub chunk_bytes: usize,
    /// Retries.
    pub retry: Retry,
    /// Push/pull/check rounds before giving up on consistency.
    pub max_rounds: u32,
    /// Age of the device token (on this device's clock) after which a sync first swaps it for a new
    /// one (see [`crate::rotation`]).
    pub rotate_after: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            retry: Retry::default(),
            max_rounds: 3,
            rotate_after: Duration::from_secs(24 * 3600),
        }
    }
}

/// A household the registry refused (or that could not be applied here).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Refused {
    /// Household id.
    pub id: Uuid,
    /// Machine code (`out_of_scope`, `forged_actor`, `bad_document`, `apply_failed`).
    pub code: String,
    /// In plain words.
    pub message: String,
}

/// What a sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// Households whose changes the registry accepted.
    pub pushed: u64,
    /// Households received and applied.
    pub pulled: u64,
    /// Households removed because they left this device's scope.
    pub removed: u64,
    /// Households that left this device's scope but were kept, holding changes the registry has not
    /// received (`ListFilter::left_scope` lists them).
    pub left_scope_unsent: u64,
    /// Bytes sent (compressed, as on the wire).
    pub bytes_sent: u64,
    /// Bytes received.
    pub bytes_received: u64,
    /// Request/response exchanges, retries included.
    pub round_trips: u64,
    /// Milliseconds spent waiting because the registry asked to slow down (`Retry-After`).
    pub throttled_ms: u64,
    /// Households on this device with open conflicts after the sync.
    pub conflicts: u64,
    /// Households refused, each with its reason.
    pub refused: Vec<Refused>,
    /// Reports filled with published forms that the registry stored.
    pub reports_sent: u64,
    /// Reports it refused (each keeps the reason on the device, editable again).
    pub reports_refused: u64,
    /// Whether the device and the registry agree on everything this device may hold.
    pub complete: bool,
    /// `/v1/check` exchanges: the repairs the digest asked for (none in a round where the device
    /// and the registry already agreed, or the feed alone brought them together).
    pub checks: u64,
}

/// Progress while syncing.
#[derive(Debug, Clone)]
pub struct Progress {
    /// `push`, `pull` or `check`.
    pub phase: &'static str,
    /// Households handled in this phase.
    pub done: u64,
    /// Households to handle in this phase, when known.
    pub total: Option<u64>,
    /// Bytes sent so far.
    pub bytes_sent: u64,
    /// Bytes received so far.
    pub bytes_received: u64,
}

/// Buckets and the device's documents in them, sent in one check request.
type BucketGroup = (Vec<u8>, Vec<(Uuid, crate::proto::Heads)>);

/// What the pull learnt about consistency.
enum Verdict {
    /// Not evaluated (nothing more to pull was confirmed).
    NotChecked,
    /// The device holds exactly what the registry holds in its scope.
    Consistent,
    /// These buckets differ.
    Differs(Vec<u8>),
}

/// A document to push and the heads it leads to on this device (acknowledged once accepted).
type Outgoing = (PushDoc, Vec<ChangeHash>);

struct Session<'a, A: StoreAccess + ?Sized> {
    store: &'a mut A,
    t: &'a mut dyn Transport,
    token: Option<String>,
    opts: &'a Options,
    report: Report,
    progress: &'a mut dyn FnMut(&Progress),
    refused: BTreeSet<Uuid>,
    /// Raw bytes per compressed byte of the last push frame, to fill the next one close to the cap.
    push_ratio: f64,
    /// Whether this round already offered the device's key (a refused key is offered once a round).
    key_offered: bool,
    /// Whether this round already offered every actor again after a `forged_actor` refusal.
    actors_reoffered: bool,
}

impl<A: StoreAccess + ?Sized> Session<'_, A> {
    fn call<Q: Message, R: Message>(&mut self, ep: Endpoint, msg: &Q) -> Result<R, SyncError> {
        self.call_encoded(ep, msg.encode())
    }

    fn call_encoded<R: Message>(&mut self, ep: Endpoint, body: Vec<u8>) -> Result<R, SyncError> {
        let mut n = 0;
        loop {
            self.report.round_trips += 1;
            self.report.bytes_sent += body.len() as u64;
            match self.t.call(ep, self.token.as_deref(), body.clone()) {
                Ok(b) => {
                    self.report.bytes_received += b.len() as u64;
                    return Ok(R::decode(&b)?);
                }
                Err(e) if e.retryable() && n + 1 < self.opts.retry.attempts => {
                    tracing::debug!(endpoint = ep.path(), attempt = n, "retrying: {e}");
                    // A registry that says how long to wait gets at least that, unless it asks
                    // for longer than one round should wait (the next round tries again).
                    let wait = match e.retry_after() {
                        Some(asked) if asked > MAX_RETRY_AFTER => return Err(e.into()),
                        Some(asked) => {
                            let wait = self.opts.retry.delay(n).max(asked);
                            self.report.throttled_ms += wait.as_millis() as u64;
                            wait
                        }
                        None => self.opts.retry.delay(n),
                    };
                    std::thread::sleep(wait);
                    // A store closed while we waited (the app was locked) ends the round here
                    // rather than after every remaining attempt.
                    self.store.with_store(|_| Ok(()))?;
                    n += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    fn tell(&mut self, phase: &'static str, done: u64, total: Option<u64>) {
        let p = Progress {
            phase,
            done,
            total,
            bytes_sent: self.report.bytes_sent,
            bytes_received: self.report.bytes_received,
        };
        (self.progress)(&p);
    }

    /// Swaps the device token for a new one when it is due, stored before it is used.
    fn rotate_token(&mut self) -> Result<(), SyncError> {
        let after = self.opts.rotate_after;
        let now = chrono::Utc::now();
        if !self
            .store
            .with_store(|s| Ok(rotation::due(s, after, now)?))?
        {
            return Ok(());
        }
        let resp: TokenResponse = match self.call(Endpoint::Token, &TokenRequest) {
            Ok(r) => r,
            // A registry from before rotation: keep the token and ask again after `rotate_after`.
            Err(SyncError::Transport(TransportError::Rejected { status: 404, .. })) => {
                return self
                    .store
                    .with_store(|s| Ok(rotation::stamp(s, chrono::Utc::now())?));
            }
            Err(e) => return Err(e),
        };
        self.store
            .with_store(|s| Ok(rotation::save(s, &resp.token, chrono::Utc::now())?))?;
        self.token = Some(resp.token);
        Ok(())
    }

    /// Sends every unacknowledged change in chunks.
    fn push(&mut self) -> Result<(), SyncError> {
        let refused = &self.refused;
        let ids: Vec<Uuid> = self.store.with_store(|s| {
            Ok(s.unsynced_ids()?
                .into_iter()
                .filter(|id| !refused.contains(id))
                .collect())
        })?;
        let total = ids.len() as u64;
        // Raw change bytes compress 4-7x in a batch: aim the raw size at the cap times the ratio the
        // last frame achieved (3x to start), then split if the compressed frame still came out too
        // large. Fuller frames are fewer round trips, which is what a 2G link pays for.
        let cap = self.opts.chunk_bytes as f64;
        let raw_budget = |ratio: f64| (cap * ratio * 0.85) as usize;
        let mut batch: Vec<Outgoing> = Vec::new();
        let mut batch_raw = 0usize;
        let mut done = 0u64;
        for group in ids.chunks(LOCAL_STEP_DOCS) {
            // One local step per group: the changes since the acknowledged heads, and the heads they
            // lead to. A household edited after this step is sent with these heads, acknowledged
            // with them, and so stays waiting for the next round.
            let outgoing = self.store.with_store(|s| {
                let mut out = Vec::new();
                let mut already = Vec::new();
                for o in crate::identity::outgoing_signed(s, group)? {
                    if o.changes.is_empty() {
                        // Everything is already at the registry (acknowledged under other heads).
                        already.push((o.id, o.heads));
                    } else {
                        out.push(o);
                    }
                }
                if !already.is_empty() {
                    s.mark_acked(&already)?;
                }
                Ok(out)
            })?;
            for o in outgoing {
                // The compact form leaves out what the registry holds (dependency hashes, chunk
                // framing): a third of a lone edit.
                let heads = o.heads.clone();
                let d = crate::identity::push_doc(o);
                let full = batch.len() >= shumari_proto::limits::MAX_PUSH_DOCS
                    || batch_raw + d.wire_len() > raw_budget(self.push_ratio);
                if !batch.is_empty() && full {
                    done += self.send_push(std::mem::take(&mut batch))?;
                    batch_raw = 0;
                    self.tell("push", done, Some(total));
                }
                batch_raw += d.wire_len();
                batch.push((d, heads));
            }
        }
        if !batch.is_empty() {
            done += self.send_push(batch)?;
            self.tell("push", done, Some(total));
        }
        Ok(())
    }

    fn send_push(&mut self, batch: Vec<Outgoing>) -> Result<u64, SyncError> {
        let (docs, heads): (Vec<PushDoc>, Vec<Vec<ChangeHash>>) = batch.into_iter().unzip();
        let req = PushRequest {
            docs,
            submissions: Vec::new(),
        };
        let body = req.encode();
        let raw: usize = req.docs.iter().map(PushDoc::wire_len).sum();
        self.push_ratio = (raw as f64 / body.len().max(1) as f64).clamp(1.0, 12.0);
        if req.docs.len() > 1 && body.len() > self.opts.chunk_bytes {
            let mut a: Vec<Outgoing> = req.docs.into_iter().zip(heads).collect();
            let b = a.split_off(a.len() / 2);
            return Ok(self.send_push(a)? + self.send_push(b)?);
        }
        // The store is not held between steps, so the surveyor may have made the first edit of a
        // freshly opened store since the round began: its actor must be known before its changes go.
        self.register_actors()?;
        let resp: PushResponse = self.call_encoded(Endpoint::Push, body)?;
        let unknown_actor: Vec<uuid::Uuid> = resp
            .results
            .iter()
            .filter(|(_, o)| {
                matches!(o, DocOutcome::Refused(r) if r.code == shumari_proto::RefusalCode::ForgedActor)
            })
            .map(|(id, _)| *id)
            .collect();
        if !unknown_actor.is_empty() && !self.actors_reoffered {
            // This registry does not know an actor this device registered elsewhere (a district
            // hub that learnt the device from the centre before the actor existed): offer every
            // actor again, once a round, and send those households once more.
            self.actors_reoffered = true;
            self.store
                .with_store(|s| Ok(s.forget_actor_registrations()?))?;
            self.register_actors()?;
            let again: Vec<Outgoing> = req
                .docs
                .iter()
                .zip(&heads)
                .filter(|(d, _)| unknown_actor.contains(&d.id))
                .map(|(d, h)| (d.clone(), h.clone()))
                .collect();
            let resent = self.send_push(again)?;
            let rest: Vec<_> = resp
                .results
                .into_iter()
                .filter(|(id, _)| !unknown_actor.contains(id))
                .collect();
            return Ok(self.ack_results(&req, &heads, rest)? + resent);
        }
        self.ack_results(&req, &heads, resp.results)?;
        Ok(req.docs.len() as u64)
    }

    /// Records a push's answers: the accepted households acknowledged, the refused ones reported
    /// (and skipped for the rest of the round); how many households the answers cover.
    fn ack_results(
        &mut self,
        req: &PushRequest,
        heads: &[Vec<ChangeHash>],
        results: Vec<(uuid::Uuid, DocOutcome)>,
    ) -> Result<u64, SyncError> {
        let mut acks = Vec::new();
        let n = results.len() as u64;
        for (id, outcome) in results {
            match outcome {
                DocOutcome::Accepted => {
                    // Acknowledge what we sent (heads we hold), not the registry's heads, which may
                    // include others' changes this device has not pulled yet, nor the document's
                    // current heads, which may include edits made while the batch was in flight.
                    if let Some(i) = req.docs.iter().position(|d| d.id == id) {
                        acks.push((id, heads[i].clone()));
                    }
                }
                DocOutcome::Refused(r) => {
                    self.refused.insert(id);
                    self.report.refused.push(Refused {
                        id,
                        code: r.code.into(),
                        message: r.message,
                    });
                }
            }
        }
        self.store.with_store(|s| Ok(s.mark_acked(&acks)?))?;
        self.report.pushed += acks.len() as u64;
        Ok(n)
    }

    /// Applies received documents, a few per local step (a page may hold hundreds).
    fn apply(&mut self, docs: Vec<DocChanges>) -> Result<u64, SyncError> {
        // The registry's bytes are measured like a push before automerge expands them.
        let (docs, oversized): (Vec<_>, Vec<_>) = docs.into_iter().partition(|d| {
            shumari_proto::inspect::inspect(&d.changes, shumari_proto::inspect::Bounds::HOUSEHOLD)
                .is_ok()
        });
        for d in oversized {
            self.report.refused.push(Refused {
                id: d.id,
                code: "too_large".into(),
                message: "the registry sent a household larger than a device accepts".into(),
            });
        }
        let mut records = Vec::with_capacity(docs.len());
        let batch: Vec<_> = docs
            .into_iter()
            .map(|d| {
                records.push((d.id, d.signatures.iter().map(to_store).collect::<Vec<_>>()));
                (d.id, d.changes, heads_from_wire(&d.heads))
            })
            .collect();
        let mut ok = 0;
        for (part, signed) in batch
            .chunks(LOCAL_STEP_DOCS)
            .zip(records.chunks(LOCAL_STEP_DOCS))
        {
            // The signatures that came with the changes are kept beside them, so this device can
            // forward them (a household the store could not apply is skipped by the store).
            let results = self.store.with_store(|s| {
                let results = s.apply_remote(part)?;
                s.keep_signatures(signed)?;
                Ok(results)
            })?;
            for (id, r) in results {
                match r {
                    Ok(()) => ok += 1,
                    Err(e) => {
                        self.report.refused.push(Refused {
                            id,
                            code: "apply_failed".into(),
                            message: e.to_string(),
                        });
                    }
                }
            }
        }
        Ok(ok)
    }

    /// Pulls pages until the feed is exhausted; returns the check's verdict.
    fn pull(&mut self) -> Result<Verdict, SyncError> {
        let mut quiet = 0;
        // While the feed says more follows, the next page will carry data and the registry will
        // not judge the digest: computing it would read every household's heads once per page, a
        // first sync's cost growing with the square of its size. It is computed for the first
        // request and after the feed's last page, where a verdict can come back.
        let mut more_follows = false;
        // The feed of the registry this round reaches (`cursors`): each keeps its own place.
        let t: &dyn Transport = &*self.t;
        let registry = self.store.with_store(|s| Ok(cursors::reached(s, t)?))?;
        loop {
            let (cursor, heads, held_forms, reviews_after) = self.store.with_store(|s| {
                let cursor = cursors::get(s, &registry)?;
                let heads = if more_follows {
                    Vec::new()
                } else {
                    s.all_heads()?
                };
                Ok((
                    cursor,
                    heads,
                    reports::held_forms(s)?,
                    s.reviews_after(&registry)?,
                ))
            })?;
            let buckets = bucket_digests(heads.into_iter().map(|(id, h)| (id, heads_to_wire(&h))));
            let judged = !more_follows;
            let resp: PullResponse = self.call(
                Endpoint::Pull,
                &PullRequest {
                    cursor,
                    max_bytes: u32::try_from(self.opts.chunk_bytes).unwrap_or(u32::MAX),
                    digest: if judged {
                        root_digest(&buckets)
                    } else {
                        [0; 8]
                    },
                    assignments: true,
                    signatures: true,
                    bundle_key: true,
                    forms: true,
                    held_forms,
                    reviews_after: Some(reviews_after),
                },
            )?;
            more_follows = resp.more;
            // A verdict on a digest that was not computed means nothing: ask again.
            let check = if judged {
                resp.check
            } else {
                CheckVerdict::NotChecked
            };
            let had_data = !resp.docs.is_empty() || !resp.removed.is_empty();
            let n = self.apply(resp.docs)?;
            self.report.pulled += n;
            // The cursor moves only once the whole page is applied: a round cut inside a page pulls
            // it again, which changes nothing already applied.
            let removed = resp.removed;
            let next = resp.cursor;
            // The page that ends the feed carries the user's assignments, complete: they replace
            // what the device held (a withdrawn one is gone); absent, the device keeps its list.
            let assignments = resp.assignments;
            let bundle_key = resp.bundle_key;
            let forms = resp.forms;
            let reviews = resp.reviews;
            let gone = self.store.with_store(|s| {
                let gone = s.remove_local(&removed)?;
                cursors::set(s, &registry, &next)?;
                if let Some(list) = &assignments {
                    s.replace_assignments(list)?;
                }
                // The registry's bundle key, for USB bundles (`crate::bundle`).
                if let Some(k) = &bundle_key {
                    crate::bundle::learn_registry_key(s, k)?;
                }
                // The versions of the device's areas it did not name as held: kept, none dropped.
                if let Some(list) = &forms {
                    s.keep_forms(
                        &reports::stored_forms(list),
                        chrono::Utc::now().timestamp_millis(),
                    )?;
                }
                // Reviewers' decisions on the reports this device sent.
                if let Some(list) = &reviews {
                    s.apply_reviews(&registry, &reports::decisions(list))?;
                }
                Ok(gone)
            })?;
            self.report.removed += gone.removed as u64;
            self.report.left_scope_unsent += gone.kept as u64;
            let pulled = self.report.pulled;
            self.tell("pull", pulled, None);
            if resp.more {
                continue;
            }
            match check {
                CheckVerdict::NotChecked if had_data || quiet == 0 || !judged => quiet += 1,
                CheckVerdict::NotChecked => return Ok(Verdict::NotChecked),
                CheckVerdict::Differs(theirs) => {
                    // Which buckets differ is worked out here, from the registry's digests.
                    return Ok(Verdict::Differs(differing(&buckets, &theirs)));
                }
                CheckVerdict::Consistent => return Ok(Verdict::Consistent),
            }
        }
    }

    /// Compares per-document heads in the buckets that differ and repairs both ways. Returns whether
    /// anything is left to do (documents to push).
    fn repair(&mut self, buckets: &[u8]) -> Result<bool, SyncError> {
        let all = self.store.with_store(|s| Ok(s.all_heads()?))?;
        let mut per: Vec<Vec<(Uuid, crate::proto::Heads)>> = vec![Vec::new(); 256];
        for (id, h) in all {
            let b = bucket_of(&id);
            if buckets.contains(&b) {
                per[b as usize].push((id, heads_to_wire(&h)));
            }
        }
        // Group buckets into requests under the raw budget (hashes do not compress).
        let budget = self.opts.chunk_bytes.saturating_sub(1024).max(4096);
        let mut groups: Vec<BucketGroup> = vec![];
        let mut cur: (Vec<u8>, Vec<_>) = (vec![], vec![]);
        let mut size = 0;
        for &b in buckets {
            let docs = std::mem::take(&mut per[b as usize]);
            let s: usize = docs.iter().map(|(_, h)| 18 + 32 * h.len()).sum();
            if !cur.0.is_empty() && size + s > budget {
                groups.push(std::mem::take(&mut cur));
                size = 0;
            }
            size += s;
            cur.0.push(b);
            cur.1.extend(docs);
        }
        if !cur.0.is_empty() {
            groups.push(cur);
        }
        let mut pending = false;
        for (buckets, docs) in groups {
            loop {
                self.report.checks += 1;
                let resp: CheckResponse = self.call(
                    Endpoint::Check,
                    &CheckRequest {
                        buckets: buckets.clone(),
                        docs: docs.clone(),
                        signatures: true,
                    },
                )?;
                let n = self.apply(resp.send)?;
                self.report.pulled += n;
                let want: Vec<_> = resp
                    .want
                    .into_iter()
                    .filter(|id| !self.refused.contains(id))
                    .map(|id| (id, Vec::new()))
                    .collect();
                let remove = resp.remove;
                let gone = self.store.with_store(|s| {
                    let gone = s.remove_local(&remove)?;
                    if !want.is_empty() {
                        // Forget what was acknowledged so the next push sends these documents whole.
                        s.mark_acked(&want)?;
                    }
                    Ok(gone)
                })?;
                self.report.removed += gone.removed as u64;
                self.report.left_scope_unsent += gone.kept as u64;
                pending |= !want.is_empty();
                let pulled = self.report.pulled;
                self.tell("check", pulled, None);
                if !resp.more || n == 0 {
                    if resp.more {
                        pending = true;
                    }
                    break;
                }
            }
        }
        Ok(pending)
    }
}

/// One full sync: register new actors, push, pull, check and repair, until consistent or
/// `max_rounds` is reached. Per-household refusals are in the report; they never stop the rest.
pub fn sync(
    store: &mut Store,
    transport: &mut dyn Transport,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Report, SyncError> {
    sync_with(store, transport, opts, progress)
}

/// [`sync`] through any [`StoreAccess`]: the store is taken for each local step only, so other users
/// of a shared store (the field app's screens) never wait on the network.
pub fn sync_with<A: StoreAccess + ?Sized>(
    store: &mut A,
    transport: &mut dyn Transport,
    opts: &Options,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Report, SyncError> {
    let token = store.with_store(|s| s.kv_get(KEY_TOKEN)?.ok_or(SyncError::NotEnrolled))?;
    let mut s = Session {
        store,
        t: transport,
        token: Some(token),
        opts,
        report: Report::default(),
        progress,
        refused: BTreeSet::new(),
        push_ratio: 3.0,
        key_offered: false,
        actors_reoffered: false,
    };
    s.rotate_token()?;
    s.register_actors()?;
    for round in 0..opts.max_rounds.max(1) {
        s.push()?;
        if round == 0 {
            s.push_reports()?;
        }
        match s.pull()? {
            Verdict::Consistent => {
                s.report.complete = true;
                break;
            }
            Verdict::NotChecked => break,
            Verdict::Differs(b) => {
                if !s.repair(&b)? {
                    // Only refused documents differ, or the repair brought everything: check again
                    // once (cheap) unless refusals explain the difference.
                    if !s.refused.is_empty() {
                        break;
                    }
                }
            }
        }
    }
    if !s.report.refused.is_empty() {
        s.report.complete = false;
    }
    s.report.conflicts = s.store.with_store(|st| {
        st.kv_set(KEY_LAST_SYNC, &chrono::Utc::now().to_rfc3339())?;
        Ok(st.conflicted_count()?)
    })?;
    Ok(s.report)
}

/// Applies documents that came another way than a pull (a USB bundle, `crate::bundle`) exactly as
/// a pull's pages are applied: measured first, a few per local step, signature records kept.
/// Returns how many were applied; what could not be is added to `refused`.
pub(crate) fn apply_offline(
    store: &mut Store,
    docs: Vec<DocChanges>,
    refused: &mut Vec<Refused>,
) -> Result<u64, SyncError> {
    /// No network: a bundle is read from a file.
    struct Offline;
    impl Transport for Offline {
        fn call(
            &mut self,
            _: Endpoint,
            _: Option<&str>,
            _: Vec<u8>,
        ) -> Result<Vec<u8>, TransportError> {
            Err(TransportError::Unreachable(
                "a bundle is applied offline".into(),
            ))
        }
    }
    let mut quiet = |_: &Progress| {};
    let opts = Options::default();
    let mut s = Session {
        store,
        t: &mut Offline,
        token: None,
        opts: &opts,
        report: Report::default(),
        progress: &mut quiet,
        refused: BTreeSet::new(),
        push_ratio: 3.0,
        key_offered: false,
        actors_reoffered: false,
    };
    let n = s.apply(docs)?;
    refused.append(&mut s.report.refused);
    Ok(n)
}
