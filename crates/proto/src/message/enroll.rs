//! Enrollment (`/v1/enroll`) and actor registration (`/v1/actors`), which also registers the
//! device's public key ([`crate::signing`]) once: right after enrollment, or at the first sync of a
//! device enrolled before keys existed.

use super::{Message, Refusal, Role};
use crate::codec::{DecodeError, Reader, Writer};

/// `POST /v1/enroll`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollRequest {
    /// The one-time code an administrator printed.
    pub code: String,
    /// A label for the device (its short id).
    pub label: String,
    /// The short id the device has used so far (in the references of households made before
    /// enrollment); granted when no other device holds it.
    pub short_id: String,
    /// The device wants the registry's bundle key ([`crate::bundle`]) in the answer (a trailing
    /// byte, absent from older devices, which are answered without it).
    pub bundle_key: bool,
}

impl Message for EnrollRequest {
    const KIND: u8 = 1;
    fn write(&self, w: &mut Writer) {
        w.str(&self.code);
        w.str(&self.label);
        w.str(&self.short_id);
        if self.bundle_key {
            w.u8(1);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let code = r.str()?;
        let label = r.str()?;
        let short_id = r.str()?;
        let flags = if r.remaining() > 0 { r.u8()? } else { 0 };
        Ok(EnrollRequest {
            code,
            label,
            short_id,
            bundle_key: flags & 1 != 0,
        })
    }
}

/// What enrollment grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollResponse {
    /// Bearer token; shown once, the registry keeps only its hash.
    pub token: String,
    /// The device's id at the registry.
    pub device_id: String,
    /// The user's id (edits are attributed to it).
    pub user_id: String,
    /// The user's name.
    pub user_name: String,
    /// The user's role.
    pub role: Role,
    /// Areas the user may read and write.
    pub areas: Vec<String>,
    /// The short id granted to this device: no other device holds it, and every reference number
    /// the device makes from now on carries it.
    pub short_id: String,
    /// The registry's bundle key (the Ed25519 public key bundles to the registry are encrypted to
    /// and bundles from it are signed with), when the device asked and the registry has one
    /// (32 trailing bytes).
    pub bundle_key: Option<[u8; 32]>,
}

impl Message for EnrollResponse {
    const KIND: u8 = 2;
    fn write(&self, w: &mut Writer) {
        w.str(&self.token);
        w.str(&self.device_id);
        w.str(&self.user_id);
        w.str(&self.user_name);
        w.str(self.role.as_str());
        w.varint(self.areas.len() as u64);
        for a in &self.areas {
            w.str(a);
        }
        w.str(&self.short_id);
        if let Some(k) = &self.bundle_key {
            w.hash(k);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let token = r.str()?;
        let device_id = r.str()?;
        let user_id = r.str()?;
        let user_name = r.str()?;
        let role = r.str()?.parse().map_err(|_| DecodeError::Invalid("role"))?;
        let n = r.count(1)?;
        let areas = (0..n).map(|_| r.str()).collect::<Result<_, _>>()?;
        let short_id = r.str()?;
        let bundle_key = if r.remaining() > 0 {
            Some(r.hash()?)
        } else {
            None
        };
        Ok(EnrollResponse {
            token,
            device_id,
            user_id,
            user_name,
            role,
            areas,
            short_id,
            bundle_key,
        })
    }
}

/// `POST /v1/actors`: binds actor ids, and once the device's public key, to the authenticated
/// device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorsRequest {
    /// Actor ids (raw bytes).
    pub actors: Vec<Vec<u8>>,
    /// The device's Ed25519 public key, until the registry has acknowledged it (32 trailing bytes,
    /// absent from older devices).
    pub key: Option<[u8; 32]>,
}

/// What became of the public key an [`ActorsRequest`] carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// The registry holds this key for the device (now or before).
    Registered,
    /// Refused (`key_taken`: the device registered another key; a key is never replaced).
    Refused(Refusal),
}

impl Message for ActorsRequest {
    const KIND: u8 = 3;
    fn write(&self, w: &mut Writer) {
        w.varint(self.actors.len() as u64);
        for a in &self.actors {
            w.bytes(a);
        }
        if let Some(k) = &self.key {
            w.hash(k);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(1)?;
        let actors = (0..n)
            .map(|_| r.bytes().map(<[u8]>::to_vec))
            .collect::<Result<_, _>>()?;
        let key = if r.remaining() > 0 {
            Some(r.hash()?)
        } else {
            None
        };
        Ok(ActorsRequest { actors, key })
    }
}

/// Per actor: `None` when bound to this device (now or before), else why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorsResponse {
    /// In request order.
    pub results: Vec<(Vec<u8>, Option<Refusal>)>,
    /// The outcome for the key the request carried (`None`: it carried none).
    pub key: Option<KeyOutcome>,
}

impl Message for ActorsResponse {
    const KIND: u8 = 4;
    fn write(&self, w: &mut Writer) {
        w.varint(self.results.len() as u64);
        for (a, r) in &self.results {
            w.bytes(a);
            match r {
                None => w.u8(0),
                Some(r) => {
                    w.u8(1);
                    r.write(w);
                }
            }
        }
        match &self.key {
            None => {}
            Some(KeyOutcome::Registered) => w.u8(0),
            Some(KeyOutcome::Refused(r)) => {
                w.u8(1);
                r.write(w);
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(2)?;
        let mut results = Vec::with_capacity(n);
        for _ in 0..n {
            let a = r.bytes()?.to_vec();
            let refusal = match r.u8()? {
                0 => None,
                1 => Some(Refusal::read(r)?),
                _ => return Err(DecodeError::Invalid("actor result tag")),
            };
            results.push((a, refusal));
        }
        let key = if r.remaining() > 0 {
            Some(match r.u8()? {
                0 => KeyOutcome::Registered,
                1 => KeyOutcome::Refused(Refusal::read(r)?),
                _ => return Err(DecodeError::Invalid("key outcome tag")),
            })
        } else {
            None
        };
        Ok(ActorsResponse { results, key })
    }
}
