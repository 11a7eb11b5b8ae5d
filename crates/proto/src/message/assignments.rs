//! A device's assignments, carried on the last page of its pull.
//!
//! A supervisor's assignments of areas and households to a surveyor are the registry's records,
//! not household documents, so they do not travel as automerge changes. They ride on the feed:
//! a device that asks ([`super::PullRequest::assignments`]) gets, on the page that ends the feed
//! (`more == false`), the complete list of its user's active assignments, and replaces what it
//! held with it. A withdrawn assignment is simply absent from the next list, so it disappears
//! from the tablet at its next sync, and a tablet offline keeps the last list it received. The
//! list is small (a surveyor's work for weeks: tens of entries, a few dozen bytes each), so
//! sending it whole each round costs less than tracking changes to it, and no extra request is
//! made: an up-to-date device still learns everything in one round trip.
//!
//! Both additions are trailing and optional, so a registry from before them answers a new device
//! with no list (the device keeps what it has) and a device from before them is answered without
//! one. A registry older than the request's flag refuses it as malformed: update the registry
//! before the tablets.

use crate::codec::{DecodeError, Reader, Writer};
use shumari_domain::assignment::{Assignment, Work};

/// Writes the list.
pub(super) fn write(w: &mut Writer, list: &[Assignment]) {
    w.varint(list.len() as u64);
    for a in list {
        w.str(&a.id);
        w.str(&a.surveyor);
        match &a.work {
            Work::Area { code, target } => {
                w.u8(0);
                w.str(code);
                w.varint(target.map_or(0, |t| u64::from(t) + 1));
            }
            Work::Household {
                id,
                reference,
                area,
            } => {
                w.u8(1);
                w.uuid(id);
                w.str(reference);
                w.str(area);
            }
        }
        w.str(&a.assigned_by);
        w.str(&a.assigned_by_name);
        w.varint(u64::try_from(a.assigned_at).unwrap_or(0));
    }
}

/// Reads the list; never panics on any input.
pub(super) fn read(r: &mut Reader<'_>) -> Result<Vec<Assignment>, DecodeError> {
    // id, surveyor, kind, area, target, by, name, at: at least 8 bytes each.
    let n = r.count(8)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let id = r.str()?;
        let surveyor = r.str()?;
        let work = match r.u8()? {
            0 => Work::Area {
                code: r.str()?,
                target: match r.varint()? {
                    0 => None,
                    t => Some(u32::try_from(t - 1).map_err(|_| DecodeError::Invalid("target"))?),
                },
            },
            1 => Work::Household {
                id: r.uuid()?,
                reference: r.str()?,
                area: r.str()?,
            },
            _ => return Err(DecodeError::Invalid("assignment kind")),
        };
        out.push(Assignment {
            id,
            surveyor,
            work,
            assigned_by: r.str()?,
            assigned_by_name: r.str()?,
            assigned_at: i64::try_from(r.varint()?)
                .map_err(|_| DecodeError::Invalid("assigned_at"))?,
        });
    }
    Ok(out)
}
