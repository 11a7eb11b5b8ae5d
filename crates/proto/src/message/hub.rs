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
    }
}
