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

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::ActorId;

    fn code<T: std::fmt::Debug>(r: Result<T, Refusal>) -> String {
        r.expect_err("refused").code.to_string()
    }

    /// A household-shaped document: `answers` answers and `members` members of one field each.
    fn household(answers: usize, members: usize) -> AutoCommit {
        let mut d = AutoCommit::new();
        let a = d.put_object(ROOT, keys::ANSWERS, ObjType::Map).unwrap();
        for i in 0..answers {
            d.put(&a, format!("q{i}"), "yes").unwrap();
        }
        let m = d.put_object(ROOT, keys::MEMBERS, ObjType::Map).unwrap();
        for i in 0..members {
            let one = d.put_object(&m, format!("m{i}"), ObjType::Map).unwrap();
            d.put(&one, keys::NAME, "Member").unwrap();
        }
        d.commit();
        d
    }

    #[test]
    fn a_real_household_passes_every_cap() {
        let mut d = household(60, 30);
        assert!(merged_shape(&d).is_ok());
        assert!(merged(0, &d.save()).is_ok());
        assert!(pushed(&d.save_after(&[])).is_ok());
    }

    #[test]
    fn members_over_the_cap_are_refused() {
        assert_eq!(
            code(merged_shape(&household(1, MAX_MEMBERS + 1))),
            "too_many_members"
        );
    }

    #[test]
    fn keys_over_the_cap_are_refused() {
        assert_eq!(
            code(merged_shape(&household(MAX_KEYS + 1, 0))),
            "too_many_keys"
        );
        // Nesting does not hide keys: maps inside answers count too.
        let mut d = household(0, 0);
        let mut obj = ROOT;
        for i in 0..(MAX_KEYS + 1) {
            obj = d.put_object(&obj, format!("k{i}"), ObjType::Map).unwrap();
        }
        d.commit();
        assert_eq!(code(merged_shape(&d)), "too_many_keys");
    }

    #[test]
    fn conflicts_over_the_cap_are_refused() {
        let mut d = household(1, 0);
        assert!(merged(MAX_CONFLICTS as u32, &d.save()).is_ok());
        assert_eq!(
            code(merged(MAX_CONFLICTS as u32 + 1, &d.save())),
            "too_many_conflicts"
        );
    }

    #[test]
    fn a_history_of_too_many_actors_is_refused() {
        let mut d = household(1, 0);
        for i in 0..=MAX_ACTORS {
            d.set_actor(ActorId::random());
            d.put(ROOT, "q", i as i64).unwrap();
            d.commit();
        }
        assert_eq!(code(merged(0, &d.save())), "too_many_actors");
        assert_eq!(code(pushed(&d.save_after(&[]))), "too_many_actors");
    }

    #[test]
    fn a_household_saved_larger_than_the_cap_is_refused() {
        let mut d = household(1, 0);
        // Incompressible text, so the saved size is the text's.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let noise: String = (0..2 * MAX_DOC_BYTES)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(b'!' + (x % 90) as u8)
            })
            .collect();
        d.put(ROOT, "notes", noise).unwrap();
        d.commit();
        assert!(pushed(&d.save_after(&[])).is_ok());
        assert_eq!(code(merged(0, &d.save())), "too_large");
    }

    #[test]
    fn too_many_operations_are_refused_before_loading() {
        let mut d = AutoCommit::new();
        let list = d.put_object(ROOT, "l", ObjType::List).unwrap();
        let values = (0..=MAX_OPS as i64).map(automerge::ScalarValue::Int);
        d.splice(&list, 0, 0, values).unwrap();
        d.commit();
        assert_eq!(code(pushed(&d.save_after(&[]))), "too_large");
        assert_eq!(code(merged(0, &d.save())), "too_large");
    }
}
