//! Enrollment, unlock and lock. The enrollment record (registry address, assigned areas) and the UI
//! settings live in plain JSON next to the encrypted store: they hold no personal data, and the unlock
//! screen needs the language before the PIN is known.

use crate::dto::{SessionInfo, Settings};
use crate::error::{AppError, Result};
use crate::registry_link::{self, Grant};
use crate::App;
use serde::{Deserialize, Serialize};
use shumari_store::attempts::AttemptCounter;
use shumari_store::Store;
use shumari_sync::engine::KEY_TOKEN;
use shumari_sync::SharedStore;
use std::path::Path;

const ENROLLMENT_FILE: &str = "enrollment.json";
const SETTINGS_FILE: &str = "settings.json";

/// What enrollment recorded.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Enrollment {
    /// Registry base address.
    pub registry_url: String,
    /// Areas this device surveys.
    pub areas: Vec<String>,
    /// When (RFC 3339).
    pub enrolled_at: String,
}

/// What enrolling an open store gave it.
#[derive(Debug, Clone, Serialize)]
pub struct Enrolled {
    /// This device's id at the registry.
    pub device_id: String,
    /// The registry's user id edits are attributed to.
    pub user_id: String,
    /// The user's name.
    pub user_name: String,
    /// The user's role.
    pub role: shumari_sync::proto::Role,
    /// The areas granted.
    pub areas: Vec<String>,
    /// Whether an earlier enrollment was replaced.
    pub replaced: bool,
}

pub(crate) fn read_enrollment(dir: &Path) -> Option<Enrollment> {
    let bytes = std::fs::read(dir.join(ENROLLMENT_FILE)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes `value` as JSON atomically (temp file, fsync, rename).
fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&serde_json::to_vec_pretty(value)?)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The registry's address without a trailing slash, once it and the code pass the basic checks:
/// `https://`, or `http://` only to this computer ([`shumari_sync::check_registry_url`]).
fn registry_address<'a>(registry_url: &'a str, code: &str) -> Result<&'a str> {
    let url = registry_url.trim().trim_end_matches('/');
    shumari_sync::check_registry_url(url).map_err(|e| AppError::Invalid(e.to_string()))?;
    if code.trim().is_empty() {
        return Err(AppError::Invalid("the enrollment code is empty".into()));
    }
    Ok(url)
}

impl App {
    /// Whether the device is enrolled and unlocked.
    pub fn session_status(&self) -> SessionInfo {
        let enrollment = read_enrollment(&self.dir);
        let enrolled = Store::exists(&self.dir);
        let guard = self.lock_store();
        let (device_id, surveyor) = match guard.as_ref() {
            Some(s) => (
                Some(s.device().short_id.clone()),
                Some(s.device().user.clone()),
            ),
            None => (None, None),
        };
        // A counter that cannot be read shows no wait; unlocking reads it again and refuses if it must.
        let attempts = AttemptCounter::new(&self.dir).read().unwrap_or_default();
        let wait = attempts.remaining(self.clock.now());
        SessionInfo {
            enrolled,
            unlocked: guard.is_some(),
            device_id,
            registry_url: enrollment.map(|e| e.registry_url),
            surveyor,
            failed_unlocks: attempts.failures,
            unlock_wait_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
    }

    /// Enrolls this device with the registry and creates its encrypted store protected by `pin`.
    pub fn enroll(&self, registry_url: &str, code: &str, pin: &str) -> Result<SessionInfo> {
        self.enroll_with_ca(registry_url, code, pin, None)
    }

    /// [`App::enroll`], trusting only the certificate authority `ca_pem` (PEM) for the registry when
    /// given (a district office's own CA): enrollment pins it in the encrypted store and every later
    /// sync trusts that CA alone. A CA that is not PEM is [`AppError::Invalid`] and makes nothing.
    pub fn enroll_with_ca(
        &self,
        registry_url: &str,
        code: &str,
        pin: &str,
        ca_pem: Option<&str>,
    ) -> Result<SessionInfo> {
        if read_enrollment(&self.dir).is_some() && Store::exists(&self.dir) {
            return Err(AppError::AlreadyEnrolled);
        }
        let url = registry_address(registry_url, code)?;
        shumari_store::key::check_pin(pin)?;
        let ca_pem = ca_pem.map(str::trim).filter(|p| !p.is_empty());
        check_ca(ca_pem)?;
        let mut store = Store::create(&self.dir, pin)?;
        let grant = match registry_link::enroll(&mut store, url, code.trim(), ca_pem) {
            Ok(g) => g,
            Err(e) => {
                // A refused or unreachable enrollment leaves no half-made device behind.
                drop(store);
                for f in [
                    shumari_store::DB_FILE.to_string(),
                    format!("{}-wal", shumari_store::DB_FILE),
                    format!("{}-shm", shumari_store::DB_FILE),
                    shumari_store::KEY_FILE.to_string(),
                ] {
                    let _ = std::fs::remove_file(self.dir.join(f));
                }
                return Err(e);
            }
        };
        self.record_enrollment(&store, url, &grant)?;
        *self.lock_store() = Some(store);
        self.sync.start(self.clone());
        Ok(self.session_status())
    }

    /// Enrolls the open store (one made by `shumari init`, or an enrolled one moving to another
    /// registry or user) with the registry at `registry_url`; a later enrollment replaces an earlier
    /// one. The store is not held while the request is on the wire. The registry is trusted through
    /// the public certificate authorities.
    pub fn enroll_store(&self, registry_url: &str, code: &str) -> Result<Enrolled> {
        self.enroll_store_with_ca(registry_url, code, None)
    }

    /// The same, trusting only the certificate authority `ca_pem` (PEM) when given: enrollment pins
    /// it in the encrypted store and every later sync trusts that CA alone, so a registry presenting
    /// any other certificate is refused. An address that is not `https://` (except on this computer)
    /// or a CA that is not PEM is [`AppError::Invalid`].
    pub fn enroll_store_with_ca(
        &self,
        registry_url: &str,
        code: &str,
        ca_pem: Option<&str>,
    ) -> Result<Enrolled> {
        let url = registry_address(registry_url, code)?;
        check_ca(ca_pem)?;
        let replaced = self.with_store(|s| Ok(s.kv_get(KEY_TOKEN)?.is_some()))?;
        let grant =
            registry_link::enroll(&mut SharedStore::new(&self.store), url, code.trim(), ca_pem)?;
        self.with_store(|s| self.record_enrollment(s, url, &grant))?;
        Ok(Enrolled {
            device_id: grant.device_id,
            user_id: grant.user,
            user_name: grant.user_name,
            role: grant.role,
            areas: grant.areas,
            replaced,
        })
    }

    /// Writes the enrollment record next to the store. The registry's answer decides the areas;
    /// unknown codes are kept only if none is known, so the device never ends up with no area at all.
    fn record_enrollment(&self, store: &Store, url: &str, grant: &Grant) -> Result<()> {
        let known: Vec<String> = grant
            .areas
            .iter()
            .filter(|a| store.areas().exists(a))
            .cloned()
            .collect();
        let areas = if known.is_empty() {
            grant.areas.clone()
        } else {
            known
        };
        write_json(
            &self.dir.join(ENROLLMENT_FILE),
            &Enrollment {
                registry_url: url.to_string(),
                areas,
                enrolled_at: chrono::Utc::now().to_rfc3339(),
            },
        )
    }

    /// Opens the store and starts background sync. A wrong PIN is [`AppError::WrongPin`] and is
    /// counted; past five, each doubles a wait during which unlocking is refused
    /// ([`AppError::code`] `too_many_attempts`; [`App::session_status`] gives the seconds left).
    pub fn unlock(&self, pin: &str) -> Result<SessionInfo> {
        if !Store::exists(&self.dir) {
            return Err(AppError::NotEnrolled);
        }
        let store = Store::open_at(&self.dir, pin, self.clock.now())?;
        if read_enrollment(&self.dir).is_none() {
            // A store enrolled by the CLI (`shumari init` + `shumari enroll`) carries its registry and
            // areas in its own settings: adopt them, so the app opens a device prepared by the CLI.
            let url = store
                .kv_get(shumari_sync::engine::KEY_URL)?
                .ok_or(AppError::NotEnrolled)?;
            let areas: Vec<String> = store
                .kv_get(shumari_sync::engine::KEY_AREAS)?
                .and_then(|a| serde_json::from_str(&a).ok())
                .unwrap_or_default();
            write_json(
                &self.dir.join(ENROLLMENT_FILE),
                &Enrollment {
                    registry_url: url,
                    areas,
                    enrolled_at: chrono::Utc::now().to_rfc3339(),
                },
            )?;
        }
        *self.lock_store() = Some(store);
        self.sync.start(self.clone());
        Ok(self.session_status())
    }

    /// Opens an existing store (enrolled or not) without starting the background sync worker: the
    /// command line runs one use case per process and syncs only when asked. A wrong PIN is
    /// [`AppError::WrongPin`].
    pub fn unlock_foreground(&self, pin: &str) -> Result<SessionInfo> {
        let store = Store::open_at(&self.dir, pin, self.clock.now())?;
        *self.lock_store() = Some(store);
        Ok(self.session_status())
    }

    /// Closes the store (the key leaves memory) and stops background sync.
    pub fn lock(&self) {
        self.sync.stop();
        *self.lock_store() = None;
    }

    /// The UI settings (defaults when none were saved).
    pub fn settings(&self) -> Settings {
        std::fs::read(self.dir.join(SETTINGS_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Saves the UI settings.
    pub fn set_settings(&self, s: Settings) -> Result<Settings> {
        if s.language != "en" && s.language != "ur" {
            return Err(AppError::Invalid("language must be en or ur".into()));
        }
        if !(0.8..=2.0).contains(&s.text_scale) {
            return Err(AppError::Invalid("text size out of range".into()));
        }
        if !(1..=60).contains(&s.auto_lock_minutes) {
            return Err(AppError::Invalid(
                "the app must lock itself after 1 to 60 idle minutes".into(),
            ));
        }
        std::fs::create_dir_all(&self.dir)?;
        write_json(&self.dir.join(SETTINGS_FILE), &s)?;
        Ok(s)
    }
}

/// A CA given for enrollment must be PEM; otherwise [`AppError::Invalid`], before anything is made.
fn check_ca(ca_pem: Option<&str>) -> Result<()> {
    if let Some(pem) = ca_pem {
        shumari_sync::http::parse_ca(pem).map_err(|e| AppError::Invalid(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolling_over_plain_http_to_another_computer_is_invalid_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::new(dir.path().to_path_buf());
        for url in ["http://192.0.2.10:7800", "http://registry.example.pk/"] {
            let err = app.enroll(url, "ABCD-EFGH", "482193").unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(m) if m.contains("without encryption")),
                "{err}"
            );
        }
        assert!(!Store::exists(dir.path()));
    }

    #[test]
    fn enrolling_with_a_short_pin_is_weak_pin_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::new(dir.path().to_path_buf());
        // The PIN is judged before the registry is contacted (nothing listens on this address).
        let err = app
            .enroll("http://127.0.0.1:9", "ABCD-EFGH", "4821")
            .unwrap_err();
        assert_eq!(err.code(), "weak_pin", "{err}");
        assert!(!Store::exists(dir.path()));
    }

    #[test]
    fn auto_lock_defaults_to_five_minutes_and_stays_between_1_and_60() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::new(dir.path().to_path_buf());
        assert_eq!(app.settings().auto_lock_minutes, 5);
        // Settings saved before the setting existed read as the default.
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            br#"{"language":"ur","textScale":1.2}"#,
        )
        .unwrap();
        assert_eq!(app.settings().auto_lock_minutes, 5);
        assert_eq!(app.settings().language, "ur");
        for bad in [0, 61] {
            let s = Settings {
                auto_lock_minutes: bad,
                ..Settings::default()
            };
            assert_eq!(app.set_settings(s).unwrap_err().code(), "invalid", "{bad}");
        }
        let s = Settings {
            auto_lock_minutes: 15,
            ..Settings::default()
        };
        app.set_settings(s).unwrap();
        assert_eq!(app.settings().auto_lock_minutes, 15);
    }
}
