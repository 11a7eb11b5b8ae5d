//! Store behaviour: encryption, PIN, migrations, the write path, listing and search, sync hooks.

mod common;
use common::{household, FORM, PIN};
use serde_json::json;
use shumari_domain::Status;
use shumari_store::{ListFilter, Store, StoreError, DB_FILE};

fn new_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(dir.path(), PIN).unwrap();
    (dir, store)
}

#[test]
fn database_and_wal_hold_no_plaintext() {
    let (dir, mut store) = new_store();
    let mut input = household(7);
    input.members[0].name = "Zulfiqar Plaintextcheck".into();
    store.add_household(&input, None, FORM.0, FORM.1).unwrap();
    // Keep the store open so the WAL still holds the write.
    let mut seen = 0;
    for f in [DB_FILE, "shumari.db-wal"] {
        let p = dir.path().join(f);
        if let Ok(bytes) = std::fs::read(&p) {
            seen += 1;
            assert!(!bytes.is_empty());
            let hay = String::from_utf8_lossy(&bytes);
            for needle in [
                "Plaintextcheck",
                "8210100000071",
                "82101-0000007-1",
                "نسرین",
                "SQLite format 3",
                "household",
            ] {
                assert!(
                    !hay.contains(needle),
                    "{f} contains {needle:?} in plaintext"
                );
            }
        }
    }
    assert_eq!(seen, 2, "both the database and its WAL were checked");
    drop(store);
}

#[test]
fn wrong_pin_is_refused_and_changes_nothing() {
    let (dir, mut store) = new_store();
    let created = store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    drop(store);
    let before: Vec<_> = ["shumari.db", "key.json"]
        .iter()
        .map(|f| std::fs::read(dir.path().join(f)).unwrap())
        .collect();
    for pin in ["000000", "4821931", "", "482193 ", "4821"] {
        assert!(
            matches!(Store::open(dir.path(), pin), Err(StoreError::WrongPin)),
            "pin {pin:?}"
        );
    }
    let after: Vec<_> = ["shumari.db", "key.json"]
        .iter()
        .map(|f| std::fs::read(dir.path().join(f)).unwrap())
        .collect();
    assert_eq!(before, after, "a wrong PIN must not modify any file");
    let store = Store::open(dir.path(), PIN).unwrap();
    assert_eq!(
        store.get(&created.id.to_string()).unwrap().household.id,
        created.id
    );
}

#[test]
fn init_rules() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        Store::open(dir.path(), PIN),
        Err(StoreError::NotInitialised(_))
    ));
    assert!(matches!(
        Store::create(dir.path(), "12"),
        Err(StoreError::WeakPin)
    ));
    Store::create(dir.path(), PIN).unwrap();
    assert!(matches!(
        Store::create(dir.path(), PIN),
        Err(StoreError::AlreadyInitialised(_))
    ));
}

#[test]
fn migrations_are_applied_on_open() {
    let (_dir, store) = new_store();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
}

#[test]
fn add_get_edit_and_reference_numbers() {
    let (dir, mut store) = new_store();
    let a = store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    let b = store
        .add_household(&household(2), None, FORM.0, FORM.1)
        .unwrap();
    let short = store.device().short_id.clone();
    assert_eq!(a.reference, format!("PK10101-{short}-1"));
    assert_eq!(b.reference, format!("PK10101-{short}-2"));
    // by id and by reference
    let v = store.get(&a.reference).unwrap();
    assert_eq!(v.household.id, a.id);
    assert_eq!(v.household.status, Status::Draft);
    assert_eq!(v.household.form_id, "nser-household");
    let wife = v.household.members[1].id;
    store
        .set_fields(
            &a.id.to_string(),
            &[
                ("answers.rooms".into(), json!(5)),
                (format!("members.{wife}.name"), json!("Nasreen Bibi")),
            ],
        )
        .unwrap();
    // an invalid set changes nothing at all
    let err = store
        .set_fields(
            &a.id.to_string(),
            &[
                ("answers.rooms".into(), json!(6)),
                (format!("members.{wife}.id_number"), json!("12")),
            ],
        )
        .unwrap_err();
    assert!(err.to_string().contains("13 digits"), "{err}");
    drop(store);
    let store = Store::open(dir.path(), PIN).unwrap();
    let v = store.get(&a.id.to_string()).unwrap();
    assert_eq!(v.household.answers["rooms"], json!(5));
    assert_eq!(v.household.members[1].name, "Nasreen Bibi");
    assert!(matches!(
        store.get("PK10101-XXXXX-99"),
        Err(StoreError::NotFound(_))
    ));
    // after reopening, the sequence continues
    let mut store = store;
    let c = store
        .add_household(&household(3), None, FORM.0, FORM.1)
        .unwrap();
    assert_eq!(c.reference, format!("PK10101-{short}-3"));
}

#[test]
fn many_edits_compact_and_stay_readable() {
    let (dir, mut store) = new_store();
    let a = store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    for i in 0..80 {
        store
            .set_fields(&a.reference, &[("answers.rooms".into(), json!(i))])
            .unwrap();
    }
    drop(store);
    let store = Store::open(dir.path(), PIN).unwrap();
    assert_eq!(
        store.get(&a.reference).unwrap().household.answers["rooms"],
        json!(79)
    );
}

#[test]
fn batch_import_reports_bad_rows_and_keeps_good_ones() {
    let (_dir, mut store) = new_store();
    let mut bad = household(2);
    bad.members[1].id_number = Some(bad.members[0].id_number.clone().unwrap());
    let mut bad_area = household(3);
    bad_area.area = Some("PK99999".into());
    let res = store
        .add_households(
            &[household(1), bad, bad_area, household(4)],
            None,
            FORM.0,
            FORM.1,
        )
        .unwrap();
    assert!(res[0].is_ok() && res[3].is_ok());
    assert!(res[1]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("same ID number"));
    assert!(res[2]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("unknown area code `PK99999`"));
    assert_eq!(store.list(&ListFilter::default()).unwrap().len(), 2);
    // no gap in references for rejected rows
    let refs: Vec<_> = res
        .iter()
        .flatten()
        .map(|c| c.reference.rsplit('-').next().unwrap().to_string())
        .collect();
    assert_eq!(refs, ["1", "2"]);
}

#[test]
fn list_and_search() {
    let (_dir, mut store) = new_store();
    for n in 1..=30 {
        let mut h = household(n);
        if n % 2 == 0 {
            h.area = Some("PK10102".into());
        }
        store.add_household(&h, None, FORM.0, FORM.1).unwrap();
    }
    let all = store
        .list(&ListFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.len(), 30);
    assert!(
        all.windows(2).all(|w| w[0].updated_at >= w[1].updated_at),
        "newest first"
    );
    let page = store
        .list(&ListFilter {
            limit: 10,
            offset: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.len(), 10);
    assert_eq!(page[0].id, all[10].id);
    // area includes sub-areas; district PK101 holds both tehsils
    assert_eq!(
        store
            .list(&ListFilter {
                area: Some("PK10102".into()),
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .len(),
        15
    );
    assert_eq!(
        store
            .list(&ListFilter {
                area: Some("PK101".into()),
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .len(),
        30
    );
    assert!(store
        .list(&ListFilter {
            area: Some("PKX".into()),
            ..Default::default()
        })
        .is_err());
    // English name, prefix, case-insensitive
    let r = store
        .list(&ListFilter {
            search: Some("ghulam rasool 17".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].head_name.as_deref(), Some("Ghulam Rasool 17"));
    assert_eq!(
        store
            .list(&ListFilter {
                search: Some("Ghul".into()),
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .len(),
        30
    );
    // Urdu name
    assert_eq!(
        store
            .list(&ListFilter {
                search: Some("نسرین".into()),
                limit: 100,
                ..Default::default()
            })
            .unwrap()
            .len(),
        30
    );
    // CNIC prefix, dashed or not, of any member
    let r = store
        .list(&ListFilter {
            search: Some("82101-000001".into()),
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.len(), 10, "members 10..19");
    let r = store
        .list(&ListFilter {
            search: Some("8210100000232".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.len(), 1, "the spouse's full CNIC finds the household");
    // reference
    let one = &all[3];
    let r = store
        .list(&ListFilter {
            search: Some(one.reference.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].id, one.id);
    // status
    store
        .set_fields(&one.reference, &[("status".into(), json!("complete"))])
        .unwrap();
    let r = store
        .list(&ListFilter {
            status: Some(Status::Complete),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(r.len(), 1);
    let counts = store.count_by_status(None).unwrap();
    assert_eq!(counts["draft"], 29);
    assert_eq!(counts["complete"], 1);
    // quotes and FTS syntax in a search are just text
    assert!(store
        .list(&ListFilter {
            search: Some("\"OR\" NEAR( *".into()),
            ..Default::default()
        })
        .unwrap()
        .is_empty());
}

#[test]
fn local_areas_persist() {
    let (dir, mut store) = new_store();
    store
        .add_area("PK10101-UC012", "UC Bagh 12", "PK10101")
        .unwrap();
    assert!(store.add_area("PK10101-UC013", "x", "PK999").is_err());
    drop(store);
    let mut store = Store::open(dir.path(), PIN).unwrap();
    assert_eq!(
        store.areas().get("PK10101-UC012").unwrap().name,
        "UC Bagh 12"
    );
    let mut h = household(1);
    h.area = Some("PK10101-UC012".into());
    let c = store.add_household(&h, None, FORM.0, FORM.1).unwrap();
    assert!(c.reference.starts_with("PK10101-UC012-"));
    // a sibling whose code extends this one's is not inside it
    store.add_area("PK10101-UC01", "UC 1", "PK10101").unwrap();
    let f = |a: &str| ListFilter {
        area: Some(a.into()),
        ..Default::default()
    };
    assert!(store.list(&f("PK10101-UC01")).unwrap().is_empty());
    assert_eq!(store.list(&f("PK10101-UC012")).unwrap().len(), 1);
    assert_eq!(store.list(&f("PK10101")).unwrap().len(), 1);
    assert!(store
        .count_by_status(Some("PK10101-UC01"))
        .unwrap()
        .is_empty());
    assert_eq!(store.count_by_status(Some("PK101")).unwrap()["draft"], 1);
}

#[test]
fn sync_hooks_unsynced_ack_and_idempotent_apply() {
    let (_d1, mut a) = new_store();
    let (_d2, mut b) = new_store();
    let h = a
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    let out = a.unsynced(100).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(a.unsynced_count().unwrap(), 1);
    // device b receives it twice: the second time changes nothing
    let batch = vec![(out[0].id, out[0].changes.clone(), out[0].heads.clone())];
    for _ in 0..2 {
        let res = b.apply_remote(&batch).unwrap();
        assert!(res[0].1.is_ok());
    }
    assert_eq!(b.list(&ListFilter::default()).unwrap().len(), 1);
    assert_eq!(
        b.unsynced_count().unwrap(),
        0,
        "what came from the registry is acknowledged"
    );
    a.mark_acked(&[(out[0].id, out[0].heads.clone())]).unwrap();
    assert_eq!(a.unsynced_count().unwrap(), 0);
    // an edit on b travels back to a as a small change
    b.set_fields(&h.reference, &[("answers.rooms".into(), json!(9))])
        .unwrap();
    let out_b = b.unsynced(100).unwrap();
    assert_eq!(out_b.len(), 1);
    assert!(
        out_b[0].changes.len() < 400,
        "an edit is small: {} bytes",
        out_b[0].changes.len()
    );
    let res = a
        .apply_remote(&[(
            out_b[0].id,
            out_b[0].changes.clone(),
            out_b[0].heads.clone(),
        )])
        .unwrap();
    assert!(res[0].1.is_ok());
    assert_eq!(
        a.get(&h.reference).unwrap().household.answers["rooms"],
        json!(9)
    );
    assert_eq!(a.all_heads().unwrap(), b.all_heads().unwrap());
    // garbage is reported for that document only
    let bad = uuid::Uuid::now_v7();
    let res = a
        .apply_remote(&[(bad, b"not automerge".to_vec(), vec![])])
        .unwrap();
    assert!(res[0].1.is_err());
    a.remove_local(&[h.id]).unwrap();
    assert!(a.list(&ListFilter::default()).unwrap().is_empty());
}

/// A first pull sends whole saved documents, which the store keeps as they came instead of saving
/// them again; the household must read, edit and sync like any other, after a reopen too.
#[test]
fn a_saved_document_from_the_registry_is_kept_and_stays_editable() {
    let (_d1, mut a) = new_store();
    let (d2, mut b) = new_store();
    let h = a
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    a.set_fields(&h.reference, &[("answers.rooms".into(), json!(3))])
        .unwrap();
    let saved = a.doc_bytes(h.id).unwrap();
    let heads = a.all_heads().unwrap()[0].1.clone();
    let res = b.apply_remote(&[(h.id, saved, heads.clone())]).unwrap();
    assert!(res[0].1.is_ok(), "{res:?}");
    drop(b);
    let mut b = Store::open(d2.path(), PIN).unwrap();
    assert_eq!(
        b.get(&h.reference).unwrap().household.answers["rooms"],
        json!(3)
    );
    assert_eq!(b.unsynced_count().unwrap(), 0, "acknowledged as it came");
    b.set_fields(&h.reference, &[("answers.rooms".into(), json!(4))])
        .unwrap();
    let out = b.unsynced(10).unwrap();
    assert_eq!(out.len(), 1);
    let res = a
        .apply_remote(&[(out[0].id, out[0].changes.clone(), out[0].heads.clone())])
        .unwrap();
    assert!(res[0].1.is_ok());
    assert_eq!(
        a.get(&h.reference).unwrap().household.answers["rooms"],
        json!(4)
    );
    assert_eq!(a.all_heads().unwrap(), b.all_heads().unwrap());
}

#[test]
fn every_open_uses_a_fresh_actor() {
    let (dir, mut store) = new_store();
    let first = store.device().actor.clone();
    store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    drop(store);
    let mut store = Store::open(dir.path(), PIN).unwrap();
    assert_ne!(store.device().actor, first);
    store
        .add_household(&household(2), None, FORM.0, FORM.1)
        .unwrap();
    let actors = store.actors().unwrap();
    assert_eq!(actors.len(), 2);
    assert!(actors.iter().all(|(_, registered)| !registered));
    store
        .mark_actors_registered(std::slice::from_ref(&first))
        .unwrap();
    assert!(store
        .actors()
        .unwrap()
        .iter()
        .any(|(a, r)| *a == first && *r));
}

#[test]
fn full_disk_says_so_and_keeps_what_was_saved() {
    let (dir, mut store) = new_store();
    let first = store
        .add_household(&household(1), None, FORM.0, FORM.1)
        .unwrap();
    let pages: u32 = 1; // below the current size: every further growth fails
    store.limit_size_for_tests(pages).unwrap();
    let mut failed = None;
    for n in 2..400 {
        match store.add_household(&household(n), None, FORM.0, FORM.1) {
            Ok(_) => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let err = failed.expect("the store filled up");
    assert!(matches!(err, StoreError::DiskFull), "{err:?}");
    assert!(
        err.to_string().contains("disk is full")
            && err.to_string().contains("everything saved before is kept")
    );
    drop(store);
    let store = Store::open(dir.path(), PIN).unwrap();
    assert_eq!(store.integrity_check().unwrap(), ["ok"]);
    assert_eq!(store.get(&first.reference).unwrap().household.id, first.id);
}
