//! What one household may cost the registry, checked in two places of its merge (`merge.rs`):
//!
//! - [`pushed`]: the pushed automerge bytes are measured by `shumari_proto::inspect` *before*
//!   automerge loads them, so a compressed chunk or column that inflates past the bound, or a
//!   run-length column describing millions of operations, is refused without being expanded.
//!   Each household also takes its share of the push's [`PushBudget`] (operations and
//!   dependencies of all its households together), so one request asks a bounded amount of work;
//!   [`push_actors`] bounds the distinct actors the push's new changes name (`ingest.rs` looks them
//!   up in one query).
//! - [`merged`]: the merged document is held to the per-household caps (keys, members, conflicts,
//!   saved size, actors and operations of its whole history) before it is stored. A household over a
//!   cap is refused on its own; it is never stored, so never forwarded to other devices.
//!
//! The numbers and their reasons are in `shumari_proto::limits`.

use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, Value, ValueRef, ROOT};
use shumari_domain::doc::keys;
use shumari_proto::inspect::{inspect, Bounds, BytesError, Shape};
use shumari_proto::limits::{
    MAX_ACTORS, MAX_CONFLICTS, MAX_DOC_BYTES, MAX_KEYS, MAX_MEMBERS, MAX_OPS, MAX_PUSH_ACTORS,
    MAX_PUSH_DEPS, MAX_PUSH_OPS,
};
use shumari_proto::{Refusal, RefusalCode};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};

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

/// What the households of one push may cost together, shared by the merges running in parallel.
#[derive(Debug, Default)]
pub(super) struct PushBudget {
    ops: AtomicU64,
    deps: AtomicU64,
}

impl PushBudget {
    /// Takes a household's share of the push's budget, or refuses it once the push has used it up
    /// (the device sends it again in its next push).
    fn take(&self, shape: &Shape) -> Result<(), Refusal> {
        let ops = self.ops.fetch_add(shape.ops, Ordering::Relaxed) + shape.ops;
        let deps = self.deps.fetch_add(shape.deps, Ordering::Relaxed) + shape.deps;
        if ops > MAX_PUSH_OPS || deps > MAX_PUSH_DEPS {
            return Err(Refusal::new(
                RefusalCode::TooLarge,
                format!(
                    "the push held more work than the registry takes at once ({MAX_PUSH_OPS} \
                     operations, {MAX_PUSH_DEPS} dependencies); the household goes with the next push"
                ),
            ));
        }
        Ok(())
    }
}

/// Checks pushed bytes before automerge sees them, and takes their share of the push's budget.
pub(super) fn pushed(changes: &[u8], budget: &PushBudget) -> Result<(), Refusal> {
    let shape = inspect(changes, Bounds::HOUSEHOLD).map_err(refusal)?;
    if shape.actors > MAX_ACTORS {
        return Err(too_many_actors());
    }
    budget.take(&shape)
}

fn too_many_actors() -> Refusal {
    Refusal::new(
        RefusalCode::TooManyActors,
        format!("the household's history names more than {MAX_ACTORS} automerge actors"),
    )
}

/// Which households fit in a push's bound on distinct actors ([`MAX_PUSH_ACTORS`]), in order (a
/// household that is not ready always fits), and the actors of those that do.
pub(super) fn push_actors<'a, V: 'a>(
    households: impl Iterator<Item = Option<&'a BTreeMap<Vec<u8>, V>>>,
) -> (Vec<bool>, BTreeSet<Vec<u8>>) {
    let mut all: BTreeSet<Vec<u8>> = BTreeSet::new();
    let fits = households
        .map(|h| {
            let Some(actors) = h else { return true };
            let new = actors.keys().filter(|a| !all.contains(*a)).count();
            if all.len() + new > MAX_PUSH_ACTORS {
                return false;
            }
            all.extend(actors.keys().cloned());
            true
        })
        .collect();
    (fits, all)
}

/// The refusal of a household past the push's bound on distinct actors.
pub(super) fn too_many_push_actors() -> Refusal {
    Refusal::new(
        RefusalCode::TooManyActors,
        format!(
            "the push names more than {MAX_PUSH_ACTORS} automerge actors; the household goes with \
             the next push"
        ),
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
        assert!(pushed(&d.save_after(&[]), &PushBudget::default()).is_ok());
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
        assert_eq!(
            code(pushed(&d.save_after(&[]), &PushBudget::default())),
            "too_many_actors"
        );
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
        assert!(pushed(&d.save_after(&[]), &PushBudget::default()).is_ok());
        assert_eq!(code(merged(0, &d.save())), "too_large");
    }

    #[test]
    fn too_many_operations_are_refused_before_loading() {
        let mut d = AutoCommit::new();
        let list = d.put_object(ROOT, "l", ObjType::List).unwrap();
        let values = (0..=MAX_OPS as i64).map(automerge::ScalarValue::Int);
        d.splice(&list, 0, 0, values).unwrap();
        d.commit();
        assert_eq!(
            code(pushed(&d.save_after(&[]), &PushBudget::default())),
            "too_large"
        );
        assert_eq!(code(merged(0, &d.save())), "too_large");
    }
}

#[cfg(test)]
mod budget_tests {
    use super::*;

    #[test]
    fn a_push_asking_more_work_than_its_budget_is_refused_past_the_budget() {
        let budget = PushBudget::default();
        let half = Shape {
            ops: MAX_PUSH_OPS / 2,
            ..Shape::default()
        };
        assert!(budget.take(&half).is_ok());
        assert!(budget.take(&half).is_ok());
        let r = budget.take(&Shape {
            ops: 1,
            ..Shape::default()
        });
        assert_eq!(r.unwrap_err().code, RefusalCode::TooLarge);
        let deps = PushBudget::default();
        assert!(deps
            .take(&Shape {
                deps: MAX_PUSH_DEPS + 1,
                ..Shape::default()
            })
            .is_err());
    }
}

#[cfg(test)]
mod push_actor_tests {
    use super::*;

    #[test]
    fn households_past_the_push_bound_on_actors_wait_for_the_next_push() {
        let actors = |from: usize, n: usize| -> BTreeMap<Vec<u8>, ()> {
            (from..from + n)
                .map(|i| ((i as u32).to_be_bytes().to_vec(), ()))
                .collect()
        };
        let half = MAX_PUSH_ACTORS / 2;
        let a = actors(0, half);
        let b = actors(half, half);
        let again = actors(0, 10); // already counted: fits
        let c = actors(MAX_PUSH_ACTORS, 1); // one too many
        let (fits, all) =
            push_actors([Some(&a), None, Some(&b), Some(&again), Some(&c)].into_iter());
        assert_eq!(fits, vec![true, true, true, true, false]);
        assert_eq!(all.len(), 2 * half);
    }
}
