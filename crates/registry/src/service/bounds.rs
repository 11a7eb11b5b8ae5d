//! What one household may cost the registry, checked in two places of its merge (`merge.rs`):
//!
//! - [`pushed`]: the pushed automerge bytes are measured by `shumari_proto::inspect` *before*
//!   automerge loads them, so a compressed chunk or column that inflates past the bound, or a
//!   run-length column describing millions of operations, is refused without being expanded.
//! - [`merged`]: the merged document is held to the per-household caps (keys, members, conflicts,
//!   saved size, actors and operations of its whole history) before it is stored. A household over a
//!   cap is refused on its own; it is never stored, so never forwarded to other devices.
//!
//! The numbers and their reasons are in `shumari_proto::limits`.

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, Value, ValueRef, ROOT};
use shumari_domain::doc::keys;
use shumari_proto::inspect::{inspect, Bounds, BytesError};
use shumari_proto::limits::{
    MAX_ACTORS, MAX_CONFLICTS, MAX_DOC_BYTES, MAX_KEYS, MAX_MEMBERS, MAX_OPS,
};
use shumari_proto::{Refusal, RefusalCode};

/// The refusal for automerge bytes that failed [`inspect`].
fn refusal(e: BytesError) -> Refusal {
    let code = match e {
        BytesError::Malformed(_) | BytesError::Bundle => RefusalCode::BadDocument,
        BytesError::Inflates { .. }
        | BytesError::TooManyOps { .. }
        | BytesError::TooManyDeps { .. } => RefusalCode::TooLarge,
    };
    Refusal::new(code, format!("the household's changes were refused: {e}"))
}

/// Checks pushed bytes before automerge sees them.
pub(super) fn pushed(changes: &[u8]) -> Result<(), Refusal> {
    let shape = inspect(changes, Bounds::HOUSEHOLD).map_err(refusal)?;
    if shape.actors > MAX_ACTORS {
        return Err(too_many_actors());
    }
    Ok(())
}

fn too_many_actors() -> Refusal {
    Refusal::new(
        RefusalCode::TooManyActors,
        format!("the household's history names more than {MAX_ACTORS} automerge actors"),
    )
}

/// Keys in every map of the document (answers, members and their fields), and the roster's size.
/// Walks at most [`MAX_KEYS`] keys, so a document built to be wide or deep costs no more than that.
fn keys_and_members(am: &AutoCommit) -> (usize, usize) {
    let members = match am.get(ROOT, keys::MEMBERS) {
        Ok(Some((Value::Object(ObjType::Map), id))) => am.length(&id),
        _ => 0,
    };
    let mut count = 0usize;
    let mut stack: Vec<ObjId> = vec![ROOT];
    while let Some(obj) = stack.pop() {
        for item in am.map_range(&obj, ..) {
            count += 1;
            if count > MAX_KEYS {
                return (count, members);
            }
            if let ValueRef::Object(_) = item.value {
                stack.push(item.id());
            }
        }
        // Lists and text count their elements and are not entered (the layout has none).
        if !matches!(am.object_type(&obj), Ok(ObjType::Map) | Ok(ObjType::Table)) {
            count += am.length(&obj);
        }
    }
    (count, members)
}

/// Checks the merged document's shape before its conflicts are scanned (the scan costs in
/// proportion to its keys).
pub(super) fn merged_shape(am: &AutoCommit) -> Result<(), Refusal> {
    let (keys, members) = keys_and_members(am);
    if members > MAX_MEMBERS {
        return Err(Refusal::new(
            RefusalCode::TooManyMembers,
            format!("the household has more than {MAX_MEMBERS} members"),
        ));
    }
    if keys > MAX_KEYS {
        return Err(Refusal::new(
            RefusalCode::TooManyKeys,
            format!("the household has more than {MAX_KEYS} answers and fields"),
        ));
    }
    Ok(())
}

/// Checks the merged document's conflicts and its saved form (size, and actors and operations of
/// its whole history) before it is stored.
pub(super) fn merged(conflicts: u32, saved: &[u8]) -> Result<(), Refusal> {
    if conflicts as usize > MAX_CONFLICTS {
        return Err(Refusal::new(
            RefusalCode::TooManyConflicts,
            format!("the household has more than {MAX_CONFLICTS} conflicting fields"),
        ));
    }
    let too_large = || {
        Refusal::new(
            RefusalCode::TooLarge,
            format!(
                "the household would be larger than the registry keeps ({MAX_DOC_BYTES} bytes \
                 saved, {MAX_OPS} operations)"
            ),
        )
    };
    if saved.len() > MAX_DOC_BYTES {
        return Err(too_large());
    }
    let shape = inspect(saved, Bounds::HOUSEHOLD).map_err(|_| too_large())?;
    if shape.actors > MAX_ACTORS {
        return Err(too_many_actors());
    }
    Ok(())
}
