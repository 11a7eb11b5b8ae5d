//! USB bundles at the registry: importing a device's bundle as if the device had pushed it, and
//! exporting for a device what a pull would give it ([`shumari_proto::bundle`] is the format).
//!
//! # The registry's bundle key
//! Bundles to the registry are encrypted to its bundle key, and bundles from it are signed with it:
//! one Ed25519 key, its X25519 half derived as the format explains. The secret is a **key file**
//! (64 hex digits, mode 0600, made by the first bundle command that needs it, never overwritten),
//! not a database row: the registry's database is not encrypted and its backups and dumps travel,
//! while the key file stays on the machine beside the operator's configuration, and a stolen dump
//! reveals no bundle. The database keeps the public half (migration V23), which the registry tells
//! devices at enrollment and on their next pull, and which ties the database to its file: a key
//! file whose public half differs from the one kept is refused, so a wrong file is never used to
//! sign or silently replaces the key devices know. Losing the file means making a new one (after
//! clearing the row): devices learn the new public key at their next online pull; bundles already
//! made for the old key cannot be read.
//!
//! # Import (upward)
//! Before anything is applied the whole bundle is checked: structure and checksum, that it is for
//! this registry, that its sender is a device whose registered key signed it, that the device is not
//! revoked nor its user disabled, and that it decrypts and decodes. Then its parts go through the
//! very code the endpoints run, as that device: actors are bound (`devices.rs`), pushes ingested
//! (`ingest.rs`: scope, author signatures, permits, bounds, audit trail) with the reports they
//! carry (`submissions.rs`: each id stored once), and the device's feed position is kept for the
//! next downward bundle. Automerge changes are content-addressed, so a
//! bundle imported twice changes nothing the second time.
//!
//! # Export (downward)
//! The pages a pull with the device's last known position would give it (from the start, as a
//! first sync's snapshots, when none is known or `all` is asked), with signature records and the
//! user's assignments and every version of a form published to the device's areas (the device keeps
//! those it lacks), followed by the registry's heads for every household of the scope, which is
//! how the device learns what of its own work the registry now holds.

use super::access_audit::AccessAction;
use super::{now_ms, Registry};
use crate::error::{RegistryError, Result};
use crate::storage::{heads_vec, DeviceAuth, Storage};
use shumari_proto::bundle::{self, BundleError, Contents, Direction, Header, Part, REGISTRY};
use shumari_proto::message::{Cursor, DocOutcome, PullRequest};
use shumari_proto::signing::DeviceKey;
use std::path::Path;
use uuid::Uuid;

/// What importing a bundle did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BundleImport {
    /// The bundle's id.
    pub bundle: Uuid,
    /// The device that made it.
    pub device_id: String,
    /// Households it carried.
    pub households: u64,
    /// Households accepted (stored, or already held).
    pub accepted: u64,
    /// Households refused, each with the protocol's reason.
    pub refused: Vec<RefusedHousehold>,
    /// Reports (filled with published forms) stored, now or by an earlier import or sync.
    pub reports_stored: u64,
    /// Reports refused, each with the reason.
    pub reports_refused: Vec<(Uuid, String)>,
}

/// A household of a bundle the registry refused, as a push would have.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusedHousehold {
    /// Household id.
    pub id: Uuid,
    /// The refusal code (`out_of_scope`, `bad_signature`, ...).
    pub code: String,
    /// In plain words.
    pub message: String,
}

/// A bundle made for a device.
#[derive(Debug, Clone)]
pub struct BundleExport {
    /// The bundle's id.
    pub bundle: Uuid,
    /// Households it carries.
    pub households: u64,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// Reads the registry's bundle key from `path`, making it (from the operating system's randomness,
/// readable by its owner only) when the file does not exist.
pub fn load_or_create_key(path: &Path) -> std::io::Result<DeviceKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = zeroize::Zeroizing::new(hex::decode(text.trim()).map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the bundle key file does not hold a key (64 hex digits)",
                )
            })?);
            let secret: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the bundle key file does not hold a key (64 hex digits)",
                )
            })?;
            Ok(DeviceKey::from_secret(secret))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use rand::RngCore;
            use std::io::Write;
            let mut secret = zeroize::Zeroizing::new([0u8; 32]);
            rand::rngs::OsRng.fill_bytes(secret.as_mut());
            let mut opts = std::fs::OpenOptions::new();
            // Never overwrite: a key file that appeared meanwhile is someone's key.
            opts.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                opts.mode(0o600);
            }
            let mut f = opts.open(path)?;
            f.write_all(zeroize::Zeroizing::new(hex::encode(secret.as_slice())).as_bytes())?;
            f.sync_all()?;
            Ok(DeviceKey::from_secret(*secret))
        }
        Err(e) => Err(e),
    }
}

impl<S: Storage> Registry<S> {
    /// The registry's bundle public key, if one was made (what devices are told).
    pub async fn bundle_public_key(&self) -> Result<Option<[u8; 32]>> {
        Ok(self.storage.bundle_key().await?)
    }

    /// Makes `key` the registry's bundle key if it has none, and refuses a key file whose public
    /// half is not the one the database holds.
    pub async fn adopt_bundle_key(&self, key: &DeviceKey) -> Result<()> {
        let held = self.storage.set_bundle_key(&key.public(), now_ms()).await?;
        if held != key.public() {
            return Err(RegistryError::Forbidden(
                "this bundle key file is not the registry's bundle key (the database holds another \
                 one); use the key file this registry was set up with"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The device `device_id` as a bundle's sender or recipient: its user and its registered key.
    /// A device unknown here, without a key, revoked, or whose user is disabled is refused.
    /// The device id `name` stands for: an id as it is, a short id (any case) the device it was
    /// granted to. An unknown short id is an unknown sender, named as given.
    async fn device_named(&self, name: &str) -> Result<String> {
        let name = name.trim();
        if Uuid::parse_str(name).is_ok() {
            return Ok(name.to_string());
        }
        self.storage
            .device_of_short_id(&name.to_ascii_uppercase())
            .await?
            .ok_or_else(|| {
                RegistryError::Bundle(BundleError::UnknownSender(
                    name.to_string(),
                    "no device of that id or short id is enrolled at this registry",
                ))
            })
    }

    async fn bundle_party(&self, device_id: &str) -> Result<(DeviceAuth, [u8; 32])> {
        let unknown = |why: &'static str| {
            RegistryError::Bundle(BundleError::UnknownSender(device_id.to_string(), why))
        };
        let signer = self
            .storage
            .device_signers(&[device_id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| unknown("no device of that id is enrolled at this registry"))?;
        let key = signer.key.ok_or_else(|| {
            unknown("the device has not registered its key yet (sync it once online)")
        })?;
        let row = self
            .storage
            .devices()
            .await?
            .into_iter()
            .find(|d| d.id == device_id)
            .ok_or_else(|| unknown("no device of that id is enrolled at this registry"))?;
        if row.revoked_at.is_some() || row.user_disabled_at.is_some() {
            return Err(RegistryError::Revoked(
                "this device was revoked, or its user disabled, at the registry: its bundles are \
                 refused (its households stay on the device)"
                    .into(),
            ));
        }
        let user = self
            .storage
            .user(&signer.user_id)
            .await?
            .ok_or_else(|| unknown("the device's user is not known"))?;
        Ok((
            DeviceAuth {
                device_id: device_id.to_string(),
                user,
            },
            key,
        ))
    }

    /// Imports a device's bundle: checked whole first (nothing is applied from a refused bundle),
    /// then applied exactly as that device's `/v1/actors` and `/v1/push` would be.
    pub async fn import_bundle(&self, key: &DeviceKey, bytes: &[u8]) -> Result<BundleImport> {
        self.adopt_bundle_key(key).await?;
        let sealed = bundle::parse(bytes)?;
        let header = sealed.header.clone();
        if header.direction != Direction::Up || header.recipient != REGISTRY {
            return Err(BundleError::Foreign(header.recipient.clone(), "registry").into());
        }
        if header.recipient_key != key.public() {
            return Err(BundleError::Foreign("another registry".into(), "registry").into());
        }
        let (auth, device_key) = self.bundle_party(&header.sender).await?;
        let contents = sealed.open(key, &device_key)?;
        // Only what a device sends belongs in a bundle to the registry.
        if contents
            .parts
            .iter()
            .any(|p| matches!(p, Part::Page(_) | Part::Heads(_)))
        {
            return Err(BundleError::Corrupted(
                "a bundle to the registry carries a registry's answer".into(),
            )
            .into());
        }
        let mut report = BundleImport {
            bundle: header.id,
            device_id: auth.device_id.clone(),
            households: contents.households(),
            accepted: 0,
            refused: Vec::new(),
            reports_stored: 0,
            reports_refused: Vec::new(),
        };
        for part in contents.parts {
            match part {
                Part::Actors(req) => {
                    let resp = self.actors(&auth, req).await?;
                    for r in resp.results.iter().filter_map(|(_, r)| r.as_ref()) {
                        tracing::warn!(device = %auth.device_id, code = %r.code, "a bundle's actor was refused");
                    }
                }
                Part::Push(req) => {
                    let answer = self.push(&auth, req).await?;
                    self.metrics.count_push(&answer);
                    for (id, outcome) in answer.results {
                        match outcome {
                            DocOutcome::Accepted => report.accepted += 1,
                            DocOutcome::Refused(r) => report.refused.push(RefusedHousehold {
                                id,
                                code: r.code.to_string(),
                                message: r.message,
                            }),
                        }
                    }
                    for o in answer.submissions {
                        match o.refused {
                            None => report.reports_stored += 1,
                            Some(why) => report.reports_refused.push((o.id, why)),
                        }
                    }
                }
                Part::Position(req) => {
                    self.storage
                        .set_bundle_position(
                            &auth.device_id,
                            &req.cursor.to_token(),
                            &header.id.to_string(),
                            now_ms(),
                        )
                        .await?;
                }
                Part::Page(_) | Part::Heads(_) => {}
            }
        }
        self.record_access(
            AccessAction::BundleImport,
            &auth.user.id,
            Some(&auth.device_id),
            Some(format!(
                "bundle={} households={} accepted={} refused={} reports={} reports_refused={}",
                header.id,
                report.households,
                report.accepted,
                report.refused.len(),
                report.reports_stored,
                report.reports_refused.len()
            )),
        )
        .await?;
        tracing::info!(device = %auth.device_id, bundle = %header.id, households = report.households, "imported a bundle");
        Ok(report)
    }

    /// Makes the bundle for device `device`: what a pull from where the device last said it was
    /// (from the start with `all`) would give it, then the registry's heads for its scope.
    /// `device` is its id or the short id the field app shows on its Settings screen.
    pub async fn export_bundle(
        &self,
        key: &DeviceKey,
        device: &str,
        all: bool,
    ) -> Result<BundleExport> {
        self.adopt_bundle_key(key).await?;
        let device_id = self.device_named(device).await?;
        let device_id = device_id.as_str();
        let (auth, device_key) = self.bundle_party(device_id).await?;
        let mut cursor = if all {
            Cursor::default()
        } else {
            self.storage
                .bundle_position(device_id)
                .await?
                .map(|t| Cursor::from_token(&t))
                .unwrap_or_default()
        };
        let mut parts = Vec::new();
        loop {
            let page = self
                .pull(
                    &auth,
                    PullRequest {
                        cursor: cursor.clone(),
                        max_bytes: u32::try_from(self.config.chunk_bytes).unwrap_or(u32::MAX),
                        digest: [0; 8],
                        assignments: true,
                        signatures: true,
                        bundle_key: true,
                        // Every version of the device's areas: what it holds is not known here,
                        // and a version it holds already is kept once.
                        forms: true,
                        held_forms: Vec::new(),
                        // Every decision on the device's reports (the latest per report, up to
                        // a pull's bound): what it holds is not known here, and a decision it
                        // holds already changes nothing.
                        reviews_after: Some(0),
                    },
                )
                .await?;
            cursor = page.cursor.clone();
            let more = page.more;
            parts.push(Part::Page(page));
            if !more {
                break;
            }
        }
        let scope = self.scope(&auth.user);
        let heads: Vec<_> = self
            .storage
            .all_heads()
            .await?
            .into_iter()
            .filter(|(_, area, _)| scope.contains(area))
            .map(|(id, _, h)| (id, heads_vec(&h)))
            .collect();
        parts.push(Part::Heads(heads));
        let contents = Contents { parts };
        let header = Header::new(
            Direction::Down,
            REGISTRY,
            key.public(),
            device_id,
            device_key,
            now_ms(),
        );
        let bytes = bundle::seal(&header, &contents, key)?;
        let households = contents.households();
        self.record_access(
            AccessAction::BundleExport,
            super::access_audit::actor_of(None),
            Some(device_id),
            Some(format!("bundle={} households={households}", header.id)),
        )
        .await?;
        Ok(BundleExport {
            bundle: header.id,
            households,
            bytes,
        })
    }
}
