//! Identity verification with NADRA end to end, on SQLite and on PostgreSQL: a district officer
//! exports an area's ID numbers (CSV and manifest), the authority's result file (verified, not
//! found, mismatch) is imported, each member's verification is at the registry and reaches a
//! syncing tablet, the not-found and mismatched numbers are cases in the duplicates queue, the same
//! file imported again changes nothing, and a malformed file changes nothing.

use shumari_domain::automerge::AutoCommit;
use shumari_domain::{HouseholdDoc, Verification, VerificationState};
use shumari_registry::service::{CaseKind, CaseState, DuplicateCase, IdentityExport, ImportReport};
use shumari_registry::{RegistryError, Storage};
use shumari_scenarios::{on_both, TestDevice, TestRegistry, AREA};
use std::collections::BTreeMap;
use uuid::Uuid;

on_both!(
    results_reach_the_members_the_tablets_and_the_duplicates_queue,
    pg_results_reach_the_members_the_tablets_and_the_duplicates_queue,
    round_trip
);

fn export<S: Storage>(reg: &TestRegistry<S>, user: &str) -> Result<IdentityExport, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.identity_export(&u, AREA).await
    })
}

fn import<S: Storage>(
    reg: &TestRegistry<S>,
    user: &str,
    file: &str,
) -> Result<ImportReport, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(user).await?;
        reg.reg.identity_import(&u, file.as_bytes(), None).await
    })
}

/// Each member's verification on the device, by member id.
fn on_device(d: &TestDevice, id: Uuid) -> BTreeMap<Uuid, Verification> {
    let bytes = d.store.doc_bytes(id).expect("on the device");
    HouseholdDoc::from_automerge(AutoCommit::load(&bytes).expect("document"))
        .expect("household")
        .verifications()
        .expect("read")
}

fn head(d: &TestDevice, id: Uuid) -> (Uuid, String) {
    let h = d.store.get(&id.to_string()).expect("household").household;
    let m = &h.members[0];
    (
        m.id,
        m.id_number.as_ref().expect("CNIC").digits().to_string(),
    )
}

fn open_cases<S: Storage>(reg: &TestRegistry<S>) -> Vec<DuplicateCase> {
    reg.rt
        .block_on(reg.reg.duplicates_list(None, None, Some(CaseState::Open)))
        .expect("queue")
}

fn round_trip<S: Storage>(reg: &mut TestRegistry<S>) {
    let mut a = reg.device(&[AREA]);
    let mut tablet = reg.device(&[AREA]);
    let district = reg.user("district", &[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let ids = [a.add(1, AREA), a.add(2, AREA), a.add(3, AREA)];
    assert!(a.sync().refused.is_empty());
    tablet.sync();

    // Only a district officer exchanges numbers with NADRA.
    let e = export(reg, &supervisor).expect_err("a supervisor does not export");
    assert_eq!(e.code(), "forbidden");

    let out = export(reg, &district).expect("export");
    let text = String::from_utf8(out.csv.clone()).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "batch_id,cnic,name,father_or_husband_name,date_of_birth"
    );
    assert_eq!(out.manifest.rows, 6, "head and spouse of three households");
    assert_eq!(lines.len(), 7);
    out.manifest
        .check(&out.csv)
        .expect("the manifest describes the file");
    let batch = out.manifest.batch_id.clone();
    let heads: Vec<(Uuid, String)> = ids.iter().map(|id| head(&a, *id)).collect();
    // The spouse's husband is the head.
    let spouse_line = lines
        .iter()
        .find(|l| l.contains("Member 1 of household 1"))
        .expect("the spouse is exported");
    assert!(
        spouse_line.contains(",Member 0 of household 1,"),
        "{spouse_line}"
    );

    // NADRA answers: verified, not found, mismatch on the name and date of birth.
    let result = format!(
        "batch_id,cnic,result,fields\n{batch},{},verified,\n{batch},{},not_found,\n{batch},{},mismatch,name;date_of_birth\n",
        heads[0].1, heads[1].1, heads[2].1
    );
    let report = import(reg, &district, &result).expect("import");
    assert!(!report.already_imported);
    assert_eq!(
        (
            report.rows,
            report.verified,
            report.not_found,
            report.mismatch
        ),
        (3, 1, 1, 1)
    );
    assert_eq!(report.members_updated, 3);
    assert_eq!(report.cases, 2);

    // At the registry: its own table and the household detail.
    let numbers: Vec<String> = heads.iter().map(|h| h.1.clone()).collect();
    let stored = reg
        .rt
        .block_on(reg.reg.identity_results(&numbers))
        .expect("results");
    assert_eq!(stored[&heads[0].1].state, VerificationState::Verified);
    assert_eq!(stored[&heads[1].1].state, VerificationState::NotFound);
    assert_eq!(stored[&heads[2].1].fields, vec!["date_of_birth", "name"]);
    let detail = reg
        .rt
        .block_on(reg.reg.household_show(None, &ids[2].to_string()))
        .expect("detail");
    assert_eq!(
        detail.verifications[&heads[2].0].state,
        VerificationState::Mismatch
    );

    // On a syncing tablet.
    tablet.sync();
    let want = [
        VerificationState::Verified,
        VerificationState::NotFound,
        VerificationState::Mismatch,
    ];
    for (i, id) in ids.iter().enumerate() {
        let v = on_device(&tablet, *id);
        assert_eq!(v.len(), 1, "only the head's number was in the result");
        assert_eq!(v[&heads[i].0].state, want[i]);
    }
    assert_eq!(
        on_device(&tablet, ids[2])[&heads[2].0].fields,
        vec!["date_of_birth", "name"]
    );

    // The not-found and mismatched numbers are cases in the duplicates queue.
    let cases = open_cases(reg);
    assert_eq!(cases.len(), 2, "{cases:?}");
    let not_found = cases
        .iter()
        .find(|c| c.kind == CaseKind::NotFound)
        .expect("not found");
    assert_eq!(not_found.id_number, heads[1].1);
    assert_eq!(not_found.households.len(), 1);
    assert_eq!(not_found.households[0].id, ids[1]);
    let mismatch = cases
        .iter()
        .find(|c| c.kind == CaseKind::Mismatch)
        .expect("mismatch");
    assert_eq!(mismatch.detail.as_deref(), Some("date_of_birth;name"));

    // The same file again changes nothing; so does the same result in another file.
    let audit_len = |reg: &TestRegistry<S>, id: Uuid| {
        reg.rt
            .block_on(reg.reg.household_show(None, &id.to_string()))
            .expect("detail")
            .audit
            .len()
    };
    let before: Vec<usize> = ids.iter().map(|id| audit_len(reg, *id)).collect();
    let again = import(reg, &district, &result).expect("import again");
    assert!(again.already_imported);
    assert_eq!((again.members_updated, again.cases), (0, 0));
    let reordered = format!(
        "cnic,result,fields\n{},mismatch,date_of_birth;name\n{},verified,\n",
        heads[2].1, heads[0].1
    );
    let same = import(reg, &district, &reordered).expect("same results");
    assert!(!same.already_imported);
    assert_eq!((same.members_updated, same.cases), (0, 0));
    let after: Vec<usize> = ids.iter().map(|id| audit_len(reg, *id)).collect();
    assert_eq!(before, after, "no household changed");
    assert_eq!(open_cases(reg).len(), 2);

    // A malformed file is refused whole, naming its line; nothing changes.
    let malformed = format!(
        "batch_id,cnic,result,fields\n{batch},{},not_found,\n{batch},123,verified,\n",
        heads[0].1
    );
    let e = import(reg, &district, &malformed).expect_err("refused");
    assert_eq!(e.code(), "bad_request");
    assert!(e.to_string().contains("line 3"), "{e}");
    let unknown_batch = format!(
        "batch_id,cnic,result,fields\nB-nope,{},verified,\n",
        heads[1].1
    );
    let e = import(reg, &district, &unknown_batch).expect_err("unknown batch");
    assert!(e.to_string().contains("line 2"), "{e}");
    tablet.sync();
    assert_eq!(
        on_device(&tablet, ids[0])[&heads[0].0].state,
        VerificationState::Verified
    );
    assert_eq!(
        on_device(&tablet, ids[1])[&heads[1].0].state,
        VerificationState::NotFound
    );
    let after_bad: Vec<usize> = ids.iter().map(|id| audit_len(reg, *id)).collect();
    assert_eq!(before, after_bad);
    assert_eq!(open_cases(reg).len(), 2);

    // A mismatch case closes as a data error.
    let closed = reg
        .rt
        .block_on(async {
            let u = reg.reg.acting_user(&supervisor).await?;
            reg.reg
                .resolve_duplicate(
                    &u,
                    &mismatch.id,
                    shumari_registry::service::Resolution::DataError {
                        note: "date of birth corrected".into(),
                    },
                )
                .await
        })
        .expect("closed");
    assert_eq!(closed.state, CaseState::DataError);
}
