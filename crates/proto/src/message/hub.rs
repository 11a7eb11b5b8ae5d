//! A district hub registering its tablets with the registry above it (`/v1/hub/devices`).
//!
//! A hub is enrolled with the centre like a device (role `hub`, scoped to its district) and runs a
//! registry of its own for its tablets, which enroll there with codes the hub issues. The changes
//! those tablets make reach the centre only through the hub, signed by the tablets, so the centre
//! must know each tablet's public key and actors to verify them: before every upstream push the hub
//! sends the tablets it serves, each with its user (who must exist at the centre, with the same
//! name, a role that holds a tablet and areas inside the hub's), its public key, its short id and
//! its actors. The centre keeps each as a device of that user, named by the hub's device id and the
//! hub's own id for the tablet, so a second registration of the same tablet changes nothing, and
//! answers per tablet: registered, or refused (outside the hub's scope, another key or actor
//! already held, the short id taken).
//!
//! The other way (`/v1/hub/directory`), the hub learns who works in its district at the centre:
//! the users (with the disabled mark) and their devices, with the hashes of their tokens, keys,
//! actors, short ids and the revoked mark. A device enrolled at the centre can then sync with the
//! hub as with the centre, and a device or user cut off at the centre is cut off at the hub after
//! its next round.
//!
//! The hub never signs for a tablet: a hub that altered a tablet's change could not make its
//! signature, and the centre refuses the change (`bad_signature`) as it refuses any relay's.

use super::{Message, Refusal};
use crate::codec::{DecodeError, Reader, Writer};

/// One tablet a hub serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubDevice {
    /// The tablet's device id at the hub (unique among the hub's devices).
    pub local_id: String,
    /// The tablet's user (an id the centre knows).
    pub user_id: String,
    /// That user's name, as the tablet writes it into its changes' author.
    pub user_name: String,
    /// The tablet's Ed25519 public key.
    pub key: [u8; 32],
    /// The short id the hub granted the tablet (the middle part of its reference numbers).
    pub short_id: String,
    /// The tablet's automerge actor ids (all of them, or those added since the last registration).
    pub actors: Vec<Vec<u8>>,
}

/// `POST /v1/hub/devices`, by a hub's token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HubDevicesRequest {
    /// The tablets to register (again).
    pub devices: Vec<HubDevice>,
}

impl Message for HubDevicesRequest {
    const KIND: u8 = 13;
    fn write(&self, w: &mut Writer) {
        w.varint(self.devices.len() as u64);
        for d in &self.devices {
            w.str(&d.local_id);
            w.str(&d.user_id);
            w.str(&d.user_name);
            w.hash(&d.key);
            w.str(&d.short_id);
            w.varint(d.actors.len() as u64);
            for a in &d.actors {
                w.bytes(a);
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(37)?;
        let mut devices = Vec::with_capacity(n);
        for _ in 0..n {
            let local_id = r.str()?;
            let user_id = r.str()?;
            let user_name = r.str()?;
            let key = r.hash()?;
            let short_id = r.str()?;
            let m = r.count(1)?;
            let actors = (0..m)
                .map(|_| r.bytes().map(<[u8]>::to_vec))
                .collect::<Result<_, _>>()?;
            devices.push(HubDevice {
                local_id,
                user_id,
                user_name,
                key,
                short_id,
                actors,
            });
        }
        Ok(HubDevicesRequest { devices })
    }
}

/// Per tablet, in request order: its hub-local id and `None` when registered (now or before), or
/// why not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HubDevicesResponse {
    /// One per tablet.
    pub results: Vec<(String, Option<Refusal>)>,
}

impl Message for HubDevicesResponse {
    const KIND: u8 = 14;
    fn write(&self, w: &mut Writer) {
        w.varint(self.results.len() as u64);
        for (id, r) in &self.results {
            w.str(id);
            match r {
                None => w.u8(0),
                Some(r) => {
                    w.u8(1);
                    r.write(w);
                }
            }
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let n = r.count(2)?;
        let mut results = Vec::with_capacity(n);
        for _ in 0..n {
            let id = r.str()?;
            let refusal = match r.u8()? {
                0 => None,
                1 => Some(Refusal::read(r)?),
                _ => return Err(DecodeError::Invalid("hub device result tag")),
            };
            results.push((id, refusal));
        }
        Ok(HubDevicesResponse { results })
    }
}

/// `POST /v1/hub/directory`, by a hub's token: who works in the hub's district at the registry
/// above, so that the hub accepts the devices enrolled there (their tokens, keys, actors and short
/// ids) and refuses the revoked ones and those of disabled users after its next round.
///
/// A hub that asks (`assignments`, one trailing byte; absent from earlier hubs) also receives the
/// district users' active assignments, complete, to hand to their tablets as the registry above
/// would. A registry of an earlier build refuses the byte as malformed: upgrade the registry above
/// before its hubs, as for every trailing field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HubDirectoryRequest {
    /// The hub wants the district users' active assignments in the answer.
    pub assignments: bool,
}

impl Message for HubDirectoryRequest {
    const KIND: u8 = 15;
    fn write(&self, w: &mut Writer) {
        if self.assignments {
            w.u8(1);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let assignments = match r.remaining() {
            0 => false,
            _ => match r.u8()? {
                0 => false,
                1 => true,
                _ => return Err(DecodeError::Invalid("assignments flag")),
            },
        };
        Ok(HubDirectoryRequest { assignments })
    }
}

/// A user of the district, as the registry above holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    /// Id (the same at every registry).
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: super::Role,
    /// Areas (inside the hub's).
    pub areas: Vec<String>,
    /// Disabled at the registry above.
    pub disabled: bool,
}

/// A device of a district user enrolled at the registry above (or registered there by a hub).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryDevice {
    /// Device id there (kept as the device's id at the hub).
    pub id: String,
    /// Its user.
    pub user_id: String,
    /// SHA-256 of its current token and of the token its last rotation replaced, if still kept:
    /// the hub authenticates the device by them, never learning the token itself.
    pub token_hashes: Vec<[u8; 32]>,
    /// Its Ed25519 public key, once registered.
    pub key: Option<[u8; 32]>,
    /// Its automerge actors.
    pub actors: Vec<Vec<u8>>,
    /// Its short id (empty when none).
    pub short_id: String,
    /// Revoked at the registry above.
    pub revoked: bool,
}

/// The district's users and devices.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HubDirectoryResponse {
    /// Users whose areas lie inside the hub's.
    pub users: Vec<DirectoryUser>,
    /// Their devices.
    pub devices: Vec<DirectoryDevice>,
    /// When the hub asked: every active assignment of these users (not disabled), within their
    /// areas, complete (an assignment withdrawn above is absent). A trailing list.
    pub assignments: Option<Vec<shumari_domain::assignment::Assignment>>,
}

impl Message for HubDirectoryResponse {
    const KIND: u8 = 16;
    fn write(&self, w: &mut Writer) {
        w.varint(self.users.len() as u64);
        for u in &self.users {
            w.str(&u.id);
            w.str(&u.name);
            w.str(u.role.as_str());
            w.varint(u.areas.len() as u64);
            for a in &u.areas {
                w.str(a);
            }
            w.u8(u8::from(u.disabled));
        }
        w.varint(self.devices.len() as u64);
        for d in &self.devices {
            w.str(&d.id);
            w.str(&d.user_id);
            w.varint(d.token_hashes.len() as u64);
            for h in &d.token_hashes {
                w.hash(h);
            }
            match &d.key {
                None => w.u8(0),
                Some(k) => {
                    w.u8(1);
                    w.hash(k);
                }
            }
            w.varint(d.actors.len() as u64);
            for a in &d.actors {
                w.bytes(a);
            }
            w.str(&d.short_id);
            w.u8(u8::from(d.revoked));
        }
        if let Some(list) = &self.assignments {
            super::assignments::write(w, list);
        }
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let flag = |r: &mut Reader<'_>, what: &'static str| match r.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(DecodeError::Invalid(what)),
        };
        let n = r.count(6)?;
        let mut users = Vec::with_capacity(n);
        for _ in 0..n {
            let id = r.str()?;
            let name = r.str()?;
            let role = r.str()?.parse().map_err(|_| DecodeError::Invalid("role"))?;
            let m = r.count(1)?;
            let areas = (0..m).map(|_| r.str()).collect::<Result<_, _>>()?;
            let disabled = flag(r, "disabled flag")?;
            users.push(DirectoryUser {
                id,
                name,
                role,
                areas,
                disabled,
            });
        }
        let n = r.count(7)?;
        let mut devices = Vec::with_capacity(n);
        for _ in 0..n {
            let id = r.str()?;
            let user_id = r.str()?;
            let m = r.count(32)?;
            let token_hashes = (0..m).map(|_| r.hash()).collect::<Result<_, _>>()?;
            let key = if flag(r, "key flag")? {
                Some(r.hash()?)
            } else {
                None
            };
            let m = r.count(1)?;
            let actors = (0..m)
                .map(|_| r.bytes().map(<[u8]>::to_vec))
                .collect::<Result<_, _>>()?;
            let short_id = r.str()?;
            let revoked = flag(r, "revoked flag")?;
            devices.push(DirectoryDevice {
                id,
                user_id,
                token_hashes,
                key,
                actors,
                short_id,
                revoked,
            });
        }
        let assignments = if r.remaining() > 0 {
            Some(super::assignments::read(r)?)
        } else {
            None
        };
        Ok(HubDirectoryResponse {
            users,
            devices,
            assignments,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RefusalCode;

    #[test]
    fn registrations_round_trip() {
        let req = HubDevicesRequest {
            devices: vec![HubDevice {
                local_id: "0190-a".into(),
                user_id: "u1".into(),
                user_name: "Ayesha".into(),
                key: [7; 32],
                short_id: "K7QD2".into(),
                actors: vec![vec![1, 2, 3], vec![4]],
            }],
        };
        assert_eq!(HubDevicesRequest::decode(&req.encode()).unwrap(), req);
        let resp = HubDevicesResponse {
            results: vec![
                ("0190-a".into(), None),
                (
                    "0190-b".into(),
                    Some(Refusal::new(RefusalCode::OutOfScope, "outside")),
                ),
            ],
        };
        assert_eq!(HubDevicesResponse::decode(&resp.encode()).unwrap(), resp);
        // Never panics on garbage.
        assert!(HubDevicesRequest::decode(&[0xff; 40]).is_err());
        assert!(HubDirectoryResponse::decode(&[0xff; 40]).is_err());
    }

    #[test]
    fn directories_round_trip() {
        let dir = HubDirectoryResponse {
            users: vec![DirectoryUser {
                id: "u1".into(),
                name: "Ayesha".into(),
                role: crate::message::Role::Surveyor,
                areas: vec!["PK60301".into()],
                disabled: true,
            }],
            devices: vec![
                DirectoryDevice {
                    id: "0190-a".into(),
                    user_id: "u1".into(),
                    token_hashes: vec![[1; 32], [2; 32]],
                    key: Some([7; 32]),
                    actors: vec![vec![1, 2, 3]],
                    short_id: "K7QD2".into(),
                    revoked: false,
                },
                DirectoryDevice {
                    id: "0190-b".into(),
                    user_id: "u1".into(),
                    token_hashes: vec![[3; 32]],
                    key: None,
                    actors: vec![],
                    short_id: String::new(),
                    revoked: true,
                },
            ],
            assignments: None,
        };
        assert_eq!(HubDirectoryResponse::decode(&dir.encode()).unwrap(), dir);
        // The district's assignments trail the devices when the hub asked; an empty list is told
        // apart from none.
        use shumari_domain::assignment::{Assignment, Work};
        for list in [
            Vec::new(),
            vec![Assignment {
                id: "a1".into(),
                surveyor: "u1".into(),
                work: Work::Area {
                    code: "PK60301".into(),
                    target: Some(120),
                },
                assigned_by: "s1".into(),
                assigned_by_name: "Sana".into(),
                assigned_at: 1_780_000_000_000,
            }],
        ] {
            let with = HubDirectoryResponse {
                assignments: Some(list),
                ..dir.clone()
            };
            assert_eq!(HubDirectoryResponse::decode(&with.encode()).unwrap(), with);
        }
        // An earlier hub's request is empty and asks for none; the flag is one byte.
        let plain = HubDirectoryRequest::default();
        assert_eq!(HubDirectoryRequest::decode(&plain.encode()).unwrap(), plain);
        let asking = HubDirectoryRequest { assignments: true };
        assert_eq!(
            HubDirectoryRequest::decode(&asking.encode()).unwrap(),
            asking
        );
        assert_eq!(asking.encode().len(), plain.encode().len() + 1);
    }
}
