//! The registry's protocol logic, independent of HTTP: authenticate, check scope and actors, ingest
//! automerge changes, serve the feed and the consistency check. [`crate::http`] and
//! [`crate::memory::InMemoryTransport`] both call [`Registry::handle`].
//!
//! Ingest is "load, apply, save" per household, never keeping documents loaded: the batch's stored
//! documents are read in one query, processed on the blocking pool, and written back in one transaction
//! together with their log entries and audit rows. A batch is therefore applied whole or not at all;
//! a household refused inside it is simply left out (per-household status in the answer).

use crate::error::AppError;
use crate::scope::Scope;
use crate::storage::{heads_blob, heads_vec, DeviceAuth, IngestRow, Storage, StoredDoc, User};
use automerge::{AutoCommit, ChangeHash, ReadDoc};
use rand::Rng;
use sha2::{Digest, Sha256};
use shumari_domain::{AreaRegistry, HouseholdDoc};
use shumari_sync::check::{bucket_digests, bucket_of, root_digest};
use shumari_sync::compact::{self, ExpandError, PREFIX};
use shumari_sync::proto::{
    ActorsRequest, ActorsResponse, ChangeEncoding, CheckRequest, CheckResponse, CheckVerdict,
    Cursor, DocChanges, DocOutcome, Endpoint, EnrollRequest, EnrollResponse, Message, PullRequest,
    PullResponse, PushDoc, PushRequest, PushResponse, Refusal, DEFAULT_CHUNK_BYTES,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// Roles a user can have.
pub const ROLES: [&str; 5] = ["surveyor", "supervisor", "district", "province", "federal"];

/// Registry settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Cap on one response (compressed).
    pub chunk_bytes: usize,
    /// Largest request body accepted.
    pub max_body: usize,
    /// How long an enrollment code stays valid, in seconds.
    pub code_ttl_secs: i64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            chunk_bytes: DEFAULT_CHUNK_BYTES,
            max_body: 4 * 1024 * 1024,
            code_ttl_secs: 7 * 24 * 3600,
        }
    }
}

/// The registry: storage, the area list and settings.
#[derive(Debug)]
pub struct Registry<S> {
    /// The backend.
    pub storage: S,
    areas: AreaRegistry,
    config: Config,
    // One ingest at a time per process keeps log sequence numbers in commit order; the heads
    // compare-and-set in `commit_ingest` still protects against other processes.
    ingest: tokio::sync::Mutex<()>,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn sha(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

fn refusal(code: &str, message: impl Into<String>) -> Refusal {
    Refusal {
        code: code.into(),
        message: message.into(),
    }
}

/// Normalises a typed enrollment code (case, dashes, spaces).
fn normalise_code(c: &str) -> String {
    c.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// What processing one pushed document produced, before the scope and actor checks.
enum Prepared {
    /// Nothing new (a replay).
    Noop,
    Refused(Refusal),
    Ready {
        row: Box<IngestRow>,
        /// Actor of each new change, with the author recorded for it.
        actors: BTreeMap<Vec<u8>, Option<String>>,
    },
}

/// What the registry holds for one pushed document, to rebuild its compact changes: the stored
/// document's changes and actors, and the actors bound to the pushing device.
struct Held<'a> {
    am: &'a mut AutoCommit,
    device_actors: &'a [Vec<u8>],
}

impl compact::Holdings for Held<'_> {
    /// The document's heads first (a device nearly always builds on the heads it was acknowledged),
    /// else any change in its history.
    fn hashes(&mut self, prefix: &[u8; PREFIX]) -> Vec<[u8; 32]> {
        let heads: Vec<[u8; 32]> = self
            .am
            .get_heads()
            .into_iter()
            .map(|h| h.0)
            .filter(|h| h[..PREFIX] == *prefix)
            .collect();
        if !heads.is_empty() {
            return heads;
        }
        self.am
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| m.hash.0)
            .filter(|h| h[..PREFIX] == *prefix)
            .collect()
    }

    /// The device's own actors first, else actors already in the document (older edits by others).
    fn actors(&mut self, prefix: &[u8]) -> Vec<Vec<u8>> {
        let mine: Vec<Vec<u8>> = self
            .device_actors
            .iter()
            .filter(|a| a.starts_with(prefix))
            .cloned()
            .collect();
        if !mine.is_empty() {
            return mine;
        }
        let mut in_doc: Vec<Vec<u8>> = self
            .am
            .get_changes_meta(&[])
            .into_iter()
            .map(|m| m.actor.to_bytes().to_vec())
            .filter(|a| a.starts_with(prefix))
            .collect();
        in_doc.sort();
        in_doc.dedup();
        in_doc
    }
}

/// A pushed document's changes in the compact form, when they can be.
fn compact_of(d: &PushDoc) -> Option<Vec<u8>> {
    match d.encoding {
        ChangeEncoding::Compact => Some(d.changes.clone()),
        ChangeEncoding::Raw => compact::abbreviate(&d.changes),
    }
}

fn missing_history() -> Prepared {
    Prepared::Refused(refusal(
        "missing_history",
        "the changes build on history the registry does not have; send the whole document",
    ))
}

/// Applies pushed changes to the stored document (CPU only, no IO). `device_actors` are the actors
/// bound to the pushing device.
fn prepare(d: &PushDoc, stored: Option<&StoredDoc>, device_actors: &[Vec<u8>]) -> Prepared {
    let bad = |m: String| Prepared::Refused(refusal("bad_document", m));
    let mut am = match stored {
        Some(s) => match AutoCommit::load(&s.doc) {
            Ok(a) => a,
            Err(e) => return bad(format!("the registry's copy could not be read: {e}")),
        },
        None => AutoCommit::new(),
    };
    let before = am.get_heads();
    // Compact changes are rebuilt byte for byte from the hashes the registry holds (and checked
    // against the device's checksums) before automerge sees them.
    let changes: Vec<u8> =
        match d.encoding {
            ChangeEncoding::Raw => d.changes.clone(),
            ChangeEncoding::Compact => {
                let mut held = Held {
                    am: &mut am,
                    device_actors,
                };
                match compact::expand(&d.changes, &mut held) {
                    Ok(c) => c,
                    Err(ExpandError::UnknownDependency) => return missing_history(),
                    Err(ExpandError::UnknownActor) => return Prepared::Refused(refusal(
                        "forged_actor",
                        "a change was made by an automerge actor not registered to this device; \
                         a device may only push its own edits",
                    )),
                    Err(e) => return bad(format!("the changes could not be read: {e}")),
                }
            }
        };
    let d = &DocChanges {
        id: d.id,
        changes,
        heads: Vec::new(),
    };
    // A new household's changes are loaded as a document (automerge's bulk path), several times faster
    // than applying them one by one to an empty document; existing ones get the changes applied.
    let loaded = if stored.is_none() {
        AutoCommit::load(&d.changes).map(|a| am = a)
    } else {
        am.load_incremental(&d.changes).map(|_| ())
    };
    if let Err(e) = loaded {
        return bad(format!("the changes are not valid automerge data: {e}"));
    }
    if !am.get_missing_deps(&[]).is_empty() {
        return missing_history();
    }
    let after = am.get_heads();
    if after == before {
        if stored.is_none() {
            return bad("no changes were sent for a new household".into());
        }
        return Prepared::Noop;
    }
    // Metadata only (hash, actor, deps): rebuilding the changes themselves cost as much as a load.
    let new_changes: Vec<_> = am
        .get_changes_meta(&before)
        .into_iter()
        .map(|m| m.into_owned())
        .collect();
    let actors: BTreeMap<Vec<u8>, Option<String>> = new_changes
        .iter()
        .map(|c| {
            let author = am
                .get_author_for_actor(&c.actor)
                .map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned());
            (c.actor.to_bytes().to_vec(), author)
        })
        .collect();
    let audit: Vec<([u8; 32], Vec<u8>)> = new_changes
        .iter()
        .map(|c| (c.hash.0, c.actor.to_bytes().to_vec()))
        .collect();
    // A linear extension of a conflict-free document cannot create a conflict: skip the scan.
    let linear = {
        let mut tip: Vec<ChangeHash> = before.clone();
        tip.sort();
        new_changes.iter().all(|c| {
            let mut deps = c.deps.clone();
            deps.sort();
            let ok = deps == tip;
            tip = vec![c.hash];
            ok
        })
    };
    drop(new_changes);
    let known_conflicts = stored.map(|s| s.conflict_count).unwrap_or(0);
    let mut hd = match HouseholdDoc::from_automerge(am) {
        Ok(h) => h,
        Err(e) => return bad(format!("not a household document: {e}")),
    };
    let conflicts = if linear && known_conflicts == 0 {
        0
    } else {
        match hd.conflicts() {
            Ok(c) => c.len() as u32,
            Err(e) => return bad(format!("not a household document: {e}")),
        }
    };
    let projection = match hd.projection(conflicts) {
        Ok(p) if p.summary.id == d.id => p,
        Ok(_) => return bad("the document's id does not match the household id".into()),
        Err(e) => return bad(format!("not a household document: {e}")),
    };
    // For a new household the pushed bytes are exactly its changes (automerge just validated them by
    // loading them); an existing one logs only what was new to the registry.
    let log_changes = if stored.is_none() {
        d.changes.clone()
    } else {
        hd.automerge().save_after(&before)
    };
    let heads = heads_blob(&hd.heads().iter().map(|h| h.0).collect::<Vec<_>>());
    Prepared::Ready {
        row: Box::new(IngestRow {
            id: d.id,
            expected_heads: stored.map(|s| s.heads.clone()),
            prev_area: stored.map(|s| s.area.clone()),
            doc: hd.save(),
            heads,
            projection,
            log_changes,
            audit,
        }),
        actors,
    }
}

impl<S: Storage> Registry<S> {
    /// A registry over `storage`.
    pub fn new(storage: S, config: Config) -> Self {
        Registry {
            storage,
            areas: AreaRegistry::builtin(),
            config,
            ingest: tokio::sync::Mutex::new(()),
        }
    }

    /// Settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn scope<'a>(&'a self, user: &'a User) -> Scope<'a> {
        Scope::new(&user.areas, &self.areas)
    }

    /// The device a bearer token belongs to.
    pub async fn authenticate(&self, token: Option<&str>) -> Result<DeviceAuth, AppError> {
        let token = token.ok_or_else(|| {
            AppError::Unauthorized("a device token is required (enroll the device first)".into())
        })?;
        self.storage
            .device_by_token(sha(token))
            .await?
            .ok_or_else(|| {
                AppError::Unauthorized(
                    "the device token is not known to this registry; enroll the device again"
                        .into(),
                )
            })
    }

    /// Answers one protocol request.
    pub async fn handle(
        &self,
        ep: Endpoint,
        token: Option<&str>,
        body: &[u8],
    ) -> Result<Vec<u8>, AppError> {
        if body.len() > self.config.max_body {
            return Err(AppError::TooLarge(self.config.max_body));
        }
        // The version is checked before authentication so that an old app is told to update.
        let (v, _) = shumari_sync::codec::peek(body)?;
        if v != shumari_sync::PROTOCOL_VERSION {
            return Err(AppError::UnsupportedVersion {
                client: v,
                server: shumari_sync::PROTOCOL_VERSION,
            });
        }
        if ep == Endpoint::Enroll {
            return Ok(self.enroll(EnrollRequest::decode(body)?).await?.encode());
        }
        let auth = self.authenticate(token).await?;
        Ok(match ep {
            Endpoint::Enroll => unreachable_enroll(),
            Endpoint::Actors => self
                .actors(&auth, ActorsRequest::decode(body)?)
                .await?
                .encode(),
            Endpoint::Push => self.push(&auth, PushRequest::decode(body)?).await?.encode(),
            Endpoint::Pull => self.pull(&auth, PullRequest::decode(body)?).await?.encode(),
            Endpoint::Check => self
                .check(&auth, CheckRequest::decode(body)?)
                .await?
                .encode(),
        })
    }

    async fn enroll(&self, req: EnrollRequest) -> Result<EnrollResponse, AppError> {
        let code = normalise_code(&req.code);
        let mut raw = [0u8; 32];
        rand::thread_rng().fill(&mut raw);
        let token = hex::encode(raw);
        let device_id = Uuid::now_v7().to_string();
        let label: String = req.label.chars().take(64).collect();
        let user = self
            .storage
            .redeem_code(sha(&code), now_ms(), &device_id, &label, sha(&token))
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(
                    "the enrollment code is unknown, already used or expired; ask for a new one"
                        .into(),
                )
            })?;
        tracing::info!(device = %device_id, user = %user.id, "device enrolled");
        Ok(EnrollResponse {
            token,
            device_id,
            user_id: user.id,
            user_name: user.name,
            role: user.role,
            areas: user.areas,
        })
    }

    async fn actors(
        &self,
        auth: &DeviceAuth,
        req: ActorsRequest,
    ) -> Result<ActorsResponse, AppError> {
        if req.actors.iter().any(|a| a.is_empty() || a.len() > 64) {
            return Err(AppError::BadRequest(
                "an actor id must be 1 to 64 bytes".into(),
            ));
        }
        let owners = self
            .storage
            .register_actors(&auth.device_id, &req.actors, now_ms())
            .await?;
        Ok(ActorsResponse {
            results: req
                .actors
                .into_iter()
                .zip(owners)
                .map(|(a, o)| {
                    let r = o.map(|_| {
                        refusal(
                            "actor_taken",
                            "this automerge actor id belongs to another device; actor ids are never reused",
                        )
                    });
                    (a, r)
                })
                .collect(),
        })
    }

    async fn push(&self, auth: &DeviceAuth, req: PushRequest) -> Result<PushResponse, AppError> {
        let _guard = self.ingest.lock().await;
        let mut outcomes: BTreeMap<Uuid, DocOutcome> = BTreeMap::new();
        // Later duplicates of an id in one batch are merged into the first (both encodings
        // concatenate; a raw and a compact one are merged in the compact form, else refused).
        let mut docs: Vec<PushDoc> = Vec::new();
        for d in req.docs {
            match docs.iter_mut().find(|x| x.id == d.id) {
                Some(x) if x.encoding == d.encoding => x.changes.extend_from_slice(&d.changes),
                Some(x) => match (compact_of(x), compact_of(&d)) {
                    (Some(mut a), Some(b)) => {
                        a.extend_from_slice(&b);
                        x.changes = a;
                        x.encoding = ChangeEncoding::Compact;
                    }
                    _ => {
                        outcomes.insert(
                            d.id,
                            DocOutcome::Refused(refusal(
                                "bad_document",
                                "the household appears twice in the push in encodings that cannot be merged",
                            )),
                        );
                    }
                },
                None => docs.push(d),
            }
        }
        let order: Vec<Uuid> = docs.iter().map(|d| d.id).collect();
        docs.retain(|d| !outcomes.contains_key(&d.id));
        let mut pending = docs;
        // Compact changes name their actor by a prefix, resolved first among the device's own.
        let device_actors = std::sync::Arc::new(
            if pending
                .iter()
                .any(|d| d.encoding == ChangeEncoding::Compact)
            {
                self.storage.device_actors(&auth.device_id).await?
            } else {
                Vec::new()
            },
        );
        for _attempt in 0..3 {
            if pending.is_empty() {
                break;
            }
            let ids: Vec<Uuid> = pending.iter().map(|d| d.id).collect();
            let stored = self.storage.load_docs(&ids).await?;
            let work = std::mem::take(&mut pending);
            let device_actors = device_actors.clone();
            let (work, prepared) = tokio::task::spawn_blocking(move || {
                let device_actors: &[Vec<u8>] = &device_actors;
                // Documents are independent: merge them on every core (CPU only, no IO). Each thread
                // takes the next document, so a core slowed by other work does not hold up the batch.
                let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
                let next = std::sync::atomic::AtomicUsize::new(0);
                let mut p: Vec<(usize, Prepared)> = std::thread::scope(|scope| {
                    let parts: Vec<_> = (0..threads.min(work.len()).max(1))
                        .map(|_| {
                            scope.spawn(|| {
                                let mut out = Vec::new();
                                loop {
                                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                    let (Some(d), Some(s)) = (work.get(i), stored.get(i)) else {
                                        return out;
                                    };
                                    out.push((i, prepare(d, s.as_ref(), device_actors)));
                                }
                            })
                        })
                        .collect();
                    parts
                        .into_iter()
                        .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                        .collect()
                });
                p.sort_unstable_by_key(|(i, _)| *i);
                let p: Vec<Prepared> = p.into_iter().map(|(_, x)| x).collect();
                let areas: Vec<Option<String>> =
                    stored.into_iter().map(|s| s.map(|s| s.area)).collect();
                ((work, areas), p)
            })
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
            let (work, prev_areas) = work;
            // Actor ownership for every new change in the batch, in one query.
            let all_actors: Vec<Vec<u8>> = prepared
                .iter()
                .filter_map(|p| match p {
                    Prepared::Ready { actors, .. } => Some(actors.keys().cloned()),
                    _ => None,
                })
                .flatten()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let owners: HashMap<Vec<u8>, String> = self
                .storage
                .actor_devices(&all_actors)
                .await?
                .into_iter()
                .collect();
            let scope = self.scope(&auth.user);
            let mut rows = Vec::new();
            let mut ready_docs = Vec::new();
            for ((d, p), prev_area) in work.into_iter().zip(prepared).zip(prev_areas) {
                if let Some(a) = &prev_area {
                    if !scope.contains(a) {
                        outcomes.insert(d.id, DocOutcome::Refused(out_of_scope(a)));
                        continue;
                    }
                }
                match p {
                    Prepared::Noop => {
                        outcomes.insert(d.id, DocOutcome::Accepted);
                    }
                    Prepared::Refused(r) => {
                        outcomes.insert(d.id, DocOutcome::Refused(r));
                    }
                    Prepared::Ready { row, actors } => {
                        if !scope.contains(&row.projection.summary.area) {
                            outcomes.insert(
                                d.id,
                                DocOutcome::Refused(out_of_scope(&row.projection.summary.area)),
                            );
                            continue;
                        }
                        // Only actors registered to this device (through /v1/actors, which the engine
                        // calls before pushing) may appear in its changes: anything else is refused, so
                        // no device can forge another's edits or slip in unattributed ones.
                        let forged = actors.iter().find_map(|(a, _author)| match owners.get(a) {
                            Some(dev) if *dev == auth.device_id => None,
                            Some(_) => Some((a.clone(), "is registered to another device")),
                            None => Some((a.clone(), "is not registered to this device")),
                        });
                        if let Some((a, why)) = forged {
                            tracing::warn!(device = %auth.device_id, actor = %hex::encode(&a), "refused a change by an actor not registered to the pushing device");
                            outcomes.insert(
                                d.id,
                                DocOutcome::Refused(refusal(
                                    "forged_actor",
                                    format!(
                                        "a change was made by automerge actor {} which {why}; \
                                         a device may only push its own edits",
                                        hex::encode(&a)
                                    ),
                                )),
                            );
                            continue;
                        }
                        outcomes.insert(d.id, DocOutcome::Accepted);
                        rows.push(*row);
                        ready_docs.push(d);
                    }
                }
            }
            let n = rows.len();
            let stale = self
                .storage
                .commit_ingest(&auth.device_id, &auth.user.id, rows, now_ms())
                .await?;
            tracing::info!(device = %auth.device_id, households = n - stale.len(), "ingested");
            pending = ready_docs
                .into_iter()
                .filter(|d| stale.contains(&d.id))
                .collect();
            for d in &pending {
                outcomes.remove(&d.id);
            }
        }
        for d in pending {
            outcomes.insert(
                d.id,
                DocOutcome::Refused(refusal(
                    "busy",
                    "the household changed during the push; sync again",
                )),
            );
        }
        Ok(PushResponse {
            results: order
                .into_iter()
                .filter_map(|id| outcomes.remove(&id).map(|o| (id, o)))
                .collect(),
        })
    }

    async fn pull(&self, auth: &DeviceAuth, req: PullRequest) -> Result<PullResponse, AppError> {
        let limit = (req.max_bytes as usize).clamp(4096, self.config.chunk_bytes.max(4096));
        let mut budget = limit * 9 / 10;
        loop {
            let page = self.page(auth, req.cursor, budget).await?;
            let (docs, removed, cursor, more) = page;
            let check = if docs.is_empty() && removed.is_empty() && !more {
                self.verdict(auth, &req.digest).await?
            } else {
                CheckVerdict::NotChecked
            };
            let resp = PullResponse {
                docs,
                removed,
                cursor,
                more,
                check,
            };
            // Rarely, a page compresses worse than guessed: halve the budget and build it again.
            if resp.docs.len() > 1 && resp.encode().len() > limit {
                budget /= 2;
                continue;
            }
            return Ok(resp);
        }
    }

    /// Builds one feed page within `budget` estimated compressed bytes.
    async fn page(
        &self,
        auth: &DeviceAuth,
        mut cursor: Cursor,
        budget: usize,
    ) -> Result<(Vec<DocChanges>, Vec<Uuid>, Cursor, bool), AppError> {
        let scope = self.scope(&auth.user);
        let mut docs = Vec::new();
        let mut removed = Vec::new();
        let mut used = 0usize;
        // First sync: compact snapshots of the scope, by id.
        if !cursor.started || cursor.snapshot.is_some() {
            let (upto, mut after) = match cursor.snapshot {
                Some(s) => s,
                None => (self.storage.max_seq().await?, None),
            };
            loop {
                let rows = self.storage.snapshot_page(after, 256).await?;
                if rows.is_empty() {
                    cursor = Cursor {
                        seq: upto,
                        snapshot: None,
                        started: true,
                    };
                    break;
                }
                for r in rows {
                    if scope.contains(&r.area) && r.last_device != auth.device_id {
                        // Snapshots are already compressed: count them at full size.
                        let cost = r.doc.len() + 64;
                        if !docs.is_empty() && used + cost > budget {
                            let c = Cursor {
                                seq: 0,
                                snapshot: Some((upto, after)),
                                started: false,
                            };
                            return Ok((docs, removed, c, true));
                        }
                        used += cost;
                        docs.push(DocChanges {
                            id: r.id,
                            changes: r.doc,
                            heads: heads_vec(&r.heads),
                        });
                    }
                    after = Some(r.id);
                }
            }
        }
        // Then the log after the cursor, filtered by scope, without the device's own entries.
        loop {
            let entries = self.storage.read_log(cursor.seq, 512).await?;
            if entries.is_empty() {
                return Ok((docs, removed, cursor, false));
            }
            for e in entries {
                let now_in = scope.contains(&e.area);
                let was_in = e.prev_area.as_deref().map(|a| scope.contains(a));
                if e.device_id != auth.device_id || (was_in == Some(true) && !now_in) {
                    let item = match (now_in, was_in) {
                        (true, None | Some(true)) => Some(DocChanges {
                            id: e.id,
                            changes: e.changes,
                            heads: heads_vec(&e.heads),
                        }),
                        // Moved into scope: the device has never seen it; send the whole document.
                        (true, Some(false)) => self
                            .storage
                            .load_docs(&[e.id])
                            .await?
                            .into_iter()
                            .flatten()
                            .next()
                            .map(|s| DocChanges {
                                id: s.id,
                                changes: s.doc,
                                heads: heads_vec(&s.heads),
                            }),
                        (false, Some(true)) => {
                            removed.push(e.id);
                            None
                        }
                        (false, _) => None,
                    };
                    if let Some(item) = item {
                        // Raw changes compress about 4x in a batch.
                        let cost = item.changes.len() / 4 + 48;
                        if !docs.is_empty() && used + cost > budget {
                            return Ok((docs, removed, cursor, true));
                        }
                        used += cost;
                        docs.push(item);
                    }
                }
                cursor.seq = e.seq;
            }
        }
    }

    async fn scope_heads(&self, user: &User) -> Result<Vec<(Uuid, Vec<[u8; 32]>)>, AppError> {
        let scope = self.scope(user);
        Ok(self
            .storage
            .all_heads()
            .await?
            .into_iter()
            .filter(|(_, a, _)| scope.contains(a))
            .map(|(id, _, h)| (id, heads_vec(&h)))
            .collect())
    }

    async fn verdict(&self, auth: &DeviceAuth, device: &[u8; 8]) -> Result<CheckVerdict, AppError> {
        let mine = bucket_digests(self.scope_heads(&auth.user).await?);
        Ok(if root_digest(&mine) == *device {
            CheckVerdict::Consistent
        } else {
            // The device finds the buckets that differ from these.
            CheckVerdict::Differs(mine)
        })
    }

    async fn check(&self, auth: &DeviceAuth, req: CheckRequest) -> Result<CheckResponse, AppError> {
        let buckets: BTreeSet<u8> = req.buckets.iter().copied().collect();
        let ours: BTreeMap<Uuid, Vec<[u8; 32]>> = self
            .scope_heads(&auth.user)
            .await?
            .into_iter()
            .filter(|(id, _)| buckets.contains(&bucket_of(id)))
            .collect();
        let theirs: BTreeMap<Uuid, Vec<[u8; 32]>> = req
            .docs
            .into_iter()
            .map(|(id, mut h)| {
                h.sort_unstable();
                (id, h)
            })
            .collect();
        let mut to_send = Vec::new();
        let mut want = Vec::new();
        for (id, h) in &ours {
            let mut h = h.clone();
            h.sort_unstable();
            match theirs.get(id) {
                Some(t) if *t == h => {}
                Some(t) => {
                    to_send.push(*id);
                    // If the device has heads we lack, we want its document too.
                    let stored = self.storage.load_docs(&[*id]).await?;
                    if let Some(Some(s)) = stored.first() {
                        if let Ok(am) = AutoCommit::load(&s.doc) {
                            if t.iter()
                                .any(|x| am.get_change_by_hash(&ChangeHash(*x)).is_none())
                            {
                                want.push(*id);
                            }
                        }
                    }
                }
                None => to_send.push(*id),
            }
        }
        let mut remove = Vec::new();
        let unknown: Vec<Uuid> = theirs
            .keys()
            .filter(|id| !ours.contains_key(id))
            .copied()
            .collect();
        if !unknown.is_empty() {
            for (id, s) in unknown.iter().zip(self.storage.load_docs(&unknown).await?) {
                match s {
                    // Held by the registry but outside this device's scope.
                    Some(_) => remove.push(*id),
                    None => want.push(*id),
                }
            }
        }
        let mut send = Vec::new();
        let mut used = 0;
        let mut more = false;
        for chunk in to_send.chunks(64) {
            for s in self.storage.load_docs(chunk).await?.into_iter().flatten() {
                if !send.is_empty() && used + s.doc.len() > self.config.chunk_bytes * 9 / 10 {
                    more = true;
                    break;
                }
                used += s.doc.len() + 64;
                send.push(DocChanges {
                    id: s.id,
                    changes: s.doc,
                    heads: heads_vec(&s.heads),
                });
            }
            if more {
                break;
            }
        }
        Ok(CheckResponse {
            send,
            want,
            remove,
            more,
        })
    }

    // ---- administration ----

    /// Adds a user with a role and areas; returns the new id.
    pub async fn add_user(
        &self,
        name: &str,
        role: &str,
        areas: &[String],
    ) -> Result<String, AppError> {
        if name.trim().is_empty() {
            return Err(AppError::BadRequest("the name is empty".into()));
        }
        if !ROLES.contains(&role) {
            return Err(AppError::BadRequest(format!(
                "`{role}` is not a role; use one of {}",
                ROLES.join(", ")
            )));
        }
        if areas.is_empty() {
            return Err(AppError::BadRequest("give at least one --area".into()));
        }
        for a in areas {
            let base = a.split('-').next().unwrap_or(a);
            if !self.areas.exists(base) {
                return Err(AppError::BadRequest(format!(
                    "`{a}` is not a known area code"
                )));
            }
        }
        let id = format!("u-{}", &Uuid::now_v7().simple().to_string()[20..]);
        let user = User {
            id: id.clone(),
            name: name.trim().to_string(),
            role: role.to_string(),
            areas: areas.to_vec(),
        };
        self.storage.add_user(&user, now_ms()).await?;
        Ok(id)
    }

    /// A one-time enrollment code for `user_id`, valid for the configured time.
    pub async fn enroll_code(&self, user_id: &str) -> Result<String, AppError> {
        if self.storage.user(user_id).await?.is_none() {
            return Err(AppError::NotFound(format!("no user `{user_id}`")));
        }
        const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";
        let mut rng = rand::thread_rng();
        let raw: String = (0..12)
            .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
            .collect();
        self.storage
            .add_enroll_code(
                user_id,
                sha(&raw),
                now_ms() + self.config.code_ttl_secs * 1000,
            )
            .await?;
        Ok(format!("{}-{}-{}", &raw[..4], &raw[4..8], &raw[8..]))
    }

    /// Households (same JSON shape as the device's `household list --json`), limited to `scope`.
    pub async fn household_list(
        &self,
        user: Option<&User>,
        area: Option<&str>,
    ) -> Result<Vec<serde_json::Value>, AppError> {
        let rows = self.storage.list(area).await?;
        rows.into_iter()
            .filter(|r| user.is_none_or(|u| self.scope(u).contains(&r.area)))
            .map(|r| serde_json::to_value(r).map_err(|e| AppError::Internal(e.to_string())))
            .collect()
    }

    /// One household as JSON (same shape as the device's `household show --json`: the household's
    /// fields plus `conflicts: [{path, values: [{value, author, ...}]}]`), with its audit trail.
    pub async fn household_show(
        &self,
        user: Option<&User>,
        id_or_ref: &str,
    ) -> Result<serde_json::Value, AppError> {
        let not_found = || AppError::NotFound(format!("no household `{id_or_ref}`"));
        let id = self
            .storage
            .resolve(id_or_ref)
            .await?
            .ok_or_else(not_found)?;
        let s = self
            .storage
            .load_docs(&[id])
            .await?
            .into_iter()
            .flatten()
            .next()
            .ok_or_else(not_found)?;
        if let Some(u) = user {
            if !self.scope(u).contains(&s.area) {
                return Err(not_found());
            }
        }
        let audit = self.storage.audit(id).await?;
        let am = AutoCommit::load(&s.doc).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut hd =
            HouseholdDoc::from_automerge(am).map_err(|e| AppError::Internal(e.to_string()))?;
        let h = hd
            .household()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let conflicts = hd
            .conflicts()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut v = serde_json::to_value(&h).map_err(|e| AppError::Internal(e.to_string()))?;
        if let serde_json::Value::Object(m) = &mut v {
            m.insert(
                "conflicts".into(),
                serde_json::to_value(&conflicts).unwrap_or_default(),
            );
            m.insert(
                "audit".into(),
                serde_json::Value::Array(
                    audit
                        .into_iter()
                        .map(|a| serde_json::json!({"change": a.change, "actor": a.actor, "device": a.device_id, "user": a.user_id,
                            "at": chrono::DateTime::from_timestamp_millis(a.at).unwrap_or_default().to_rfc3339()}))
                        .collect(),
                ),
            );
        }
        Ok(v)
    }
}

fn out_of_scope(area: &str) -> Refusal {
    refusal(
        "out_of_scope",
        format!(
            "household in area {area} is outside this device's areas; the change was not accepted"
        ),
    )
}

fn unreachable_enroll() -> Vec<u8> {
    // `handle` answers enrollment before authenticating; this arm is never taken.
    Vec::new()
}
