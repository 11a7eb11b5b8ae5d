//! Assignments reaching the tablet: a supervisor assigns an area (with a target) and one household
//! to a surveyor; the surveyor's tablet receives both with its next sync and counts their progress
//! from its own households; a household completed on the tablet moves the progress on the device at
//! once and at the registry after the sync; a withdrawn assignment is gone after the next sync, and
//! the tablet keeps its list while offline. Refusals: a surveyor assigns nothing, a supervisor
//! assigns only in their areas and only to a surveyor whose areas cover the work. Each scenario runs
//! on SQLite and on PostgreSQL (`pg_` + its name).

use serde_json::json;
use shumari_domain::assignment::{Progress, Work};
use shumari_registry::service::AssignWhat;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{RegistryError, Storage};
use shumari_scenarios::on_both;
use shumari_scenarios::{other_area, TestDevice, TestRegistry, AREA};

on_both!(
    assignments_reach_the_tablet_with_progress_and_leave_when_withdrawn,
    pg_assignments_reach_the_tablet_with_progress_and_leave_when_withdrawn,
    round_trip
);
on_both!(
    assignments_are_checked_by_role_area_and_surveyor,
    pg_assignments_are_checked_by_role_area_and_surveyor,
    refusals
);

fn assign<S: Storage>(
    reg: &TestRegistry<S>,
    by: &str,
    to: &str,
    what: AssignWhat,
) -> Result<shumari_domain::Assignment, RegistryError> {
    reg.rt.block_on(async {
        let u = reg.reg.acting_user(by).await?;
        reg.reg.assign(&u, to, what).await
    })
}

fn on_tablet(d: &TestDevice) -> Vec<(String, Progress)> {
    d.store
        .assignments()
        .expect("assignments")
        .into_iter()
        .map(|(a, p)| (a.work.kind().to_string(), p))
        .collect()
}

fn round_trip<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let surveyor = reg.user("surveyor", &[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let mut tablet = reg.device_for(&surveyor);
    // A colleague enumerates the area first: three households, one of them completed.
    let mut colleague = reg.device(&[AREA]);
    let revisit = colleague.add(1, AREA);
    let open = colleague.add(2, AREA);
    colleague.add(3, AREA);
    colleague.set(revisit, "status", json!("complete"));
    assert!(colleague.sync().refused.is_empty());

    let area = assign(
        reg,
        &supervisor,
        &surveyor,
        AssignWhat::Area {
            code: AREA.into(),
            target: Some(10),
        },
    )
    .expect("assign the area");
    let household = assign(
        reg,
        &supervisor,
        &surveyor,
        AssignWhat::Household(open.to_string()),
    )
    .expect("assign a household");
    assert!(matches!(household.work, Work::Household { id, .. } if id == open));

    // The tablet receives both with its normal sync, and counts progress from its own households.
    let r = tablet.sync();
    assert!(r.complete, "{r:?}");
    assert_eq!(
        on_tablet(&tablet),
        [
            ("area".to_string(), Progress { done: 1, total: 10 }),
            ("household".to_string(), Progress { done: 0, total: 1 }),
        ]
    );
    let listed = tablet.store.assignments().unwrap();
    assert_eq!(listed[0].0.id, area.id);
    assert_eq!(
        listed[0].0.assigned_by_name,
        reg_user_name(reg, &supervisor)
    );

    // Completing the household moves the progress on the device at once…
    tablet.set(open, "status", json!("complete"));
    assert_eq!(
        on_tablet(&tablet),
        [
            ("area".to_string(), Progress { done: 2, total: 10 }),
            ("household".to_string(), Progress { done: 1, total: 1 }),
        ]
    );
    // …and at the registry once synced.
    assert!(tablet.sync().refused.is_empty());
    let sup = reg.rt.block_on(reg.reg.acting_user(&supervisor)).unwrap();
    let overview = reg
        .rt
        .block_on(reg.reg.assignment_overview(&sup, None))
        .expect("overview");
    let progress: Vec<_> = overview
        .assignments
        .iter()
        .map(|a| (a.assignment.id.clone(), a.progress))
        .collect();
    assert_eq!(
        progress,
        [
            (area.id.clone(), Progress { done: 2, total: 10 }),
            (household.id.clone(), Progress { done: 1, total: 1 }),
        ]
    );
    assert_eq!(overview.coverage.len(), 1);
    assert_eq!(overview.coverage[0].surveyor, surveyor);
    assert_eq!(overview.coverage[0].assignments, 2);
    // The whole area is assigned: nothing is left unassigned.
    assert!(overview.unassigned.is_empty(), "{overview:?}");
    assert_eq!(overview.unassigned_households, 0);

    // Withdrawn: gone from the tablet after its next sync; offline, the tablet keeps its list.
    reg.rt
        .block_on(reg.reg.withdraw_assignment(&sup, &area.id))
        .expect("withdraw");
    assert_eq!(on_tablet(&tablet).len(), 2, "not synced yet");
    let r = tablet.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    let left = tablet.store.assignments().unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0.id, household.id);
    // Withdrawing again is "not found"; the area is now listed as unassigned with its households.
    let again = reg
        .rt
        .block_on(reg.reg.withdraw_assignment(&sup, &area.id))
        .unwrap_err();
    assert_eq!(again.code(), "not_found");
    let overview = reg
        .rt
        .block_on(reg.reg.assignment_overview(&sup, None))
        .unwrap();
    assert_eq!(overview.unassigned.len(), 1);
    assert_eq!(overview.unassigned[0].area, AREA);
    assert_eq!(
        (
            overview.unassigned[0].households,
            overview.unassigned[0].done
        ),
        (3, 2)
    );
    // Two of the three are covered by nothing; the re-visit is assigned on its own.
    assert_eq!(overview.unassigned_households, 2);
}

fn reg_user_name<S: Storage>(reg: &TestRegistry<S>, id: &str) -> String {
    reg.rt.block_on(reg.reg.acting_user(id)).expect("user").name
}

fn refusals<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let elsewhere = other_area();
    let surveyor = reg.user("surveyor", &[AREA]);
    let far_surveyor = reg.user("surveyor", &[&elsewhere]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let province = reg.user("province", &["PK1"]);
    let area = |code: &str| AssignWhat::Area {
        code: code.into(),
        target: None,
    };
    // A surveyor assigns nothing; a provincial monitor neither.
    for by in [&surveyor, &province] {
        let e = assign(reg, by, &surveyor, area(AREA)).unwrap_err();
        assert_eq!(e.code(), "forbidden", "{e}");
    }
    // Out of the supervisor's jurisdiction.
    let e = assign(reg, &supervisor, &far_surveyor, area(&elsewhere)).unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    // A surveyor whose areas do not cover the area would never receive its households.
    let e = assign(reg, &supervisor, &far_surveyor, area(AREA)).unwrap_err();
    assert_eq!(e.code(), "bad_request", "{e}");
    assert!(e.to_string().contains("do not cover"), "{e}");
    // To a monitor, who holds no tablet.
    let e = assign(reg, &supervisor, &province, area(AREA)).unwrap_err();
    assert_eq!(e.code(), "bad_request", "{e}");
    // Not an area, a zero target, an unknown household, an unknown surveyor.
    assert_eq!(
        assign(reg, &supervisor, &surveyor, area("PK1010X"))
            .unwrap_err()
            .code(),
        "bad_request"
    );
    let zero = AssignWhat::Area {
        code: AREA.into(),
        target: Some(0),
    };
    assert_eq!(
        assign(reg, &supervisor, &surveyor, zero)
            .unwrap_err()
            .code(),
        "bad_request"
    );
    let unknown = AssignWhat::Household(uuid::Uuid::now_v7().to_string());
    assert_eq!(
        assign(reg, &supervisor, &surveyor, unknown)
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        assign(reg, &supervisor, "nobody", area(AREA))
            .unwrap_err()
            .code(),
        "not_found"
    );
    // A household outside the supervisor's areas is not found, even by reference.
    let mut far = reg.device(&[&elsewhere]);
    let theirs = far.add(1, &elsewhere);
    assert!(far.sync().refused.is_empty());
    assert_eq!(
        assign(
            reg,
            &supervisor,
            &surveyor,
            AssignWhat::Household(theirs.to_string())
        )
        .unwrap_err()
        .code(),
        "not_found"
    );
    // The same work twice to one surveyor is refused; nothing was stored by any refusal.
    assign(reg, &supervisor, &surveyor, area(AREA)).expect("assign");
    assert_eq!(
        assign(reg, &supervisor, &surveyor, area(AREA))
            .unwrap_err()
            .code(),
        "bad_request"
    );
    let sup = reg.rt.block_on(reg.reg.acting_user(&supervisor)).unwrap();
    let overview = reg
        .rt
        .block_on(reg.reg.assignment_overview(&sup, None))
        .unwrap();
    assert_eq!(overview.assignments.len(), 1);
    // Only the supervisor's areas: the far household is not counted anywhere.
    assert_eq!(overview.unassigned_households, 0);
    // A colleague supervisor elsewhere cannot withdraw it.
    let far_sup = reg.user("supervisor", &[&elsewhere]);
    let far_sup = reg.rt.block_on(reg.reg.acting_user(&far_sup)).unwrap();
    let id = overview.assignments[0].assignment.id.clone();
    assert_eq!(
        reg.rt
            .block_on(reg.reg.withdraw_assignment(&far_sup, &id))
            .unwrap_err()
            .code(),
        "not_found"
    );
}
