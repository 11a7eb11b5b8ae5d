//! Programmes at the registry, from pushed households to the payments a cycle is made from:
//! households pushed, approved and scored (with a PMT model installed for the test, so each score is
//! known), the shipped programme files loaded, eligibility run (eligible, above the limit, excluded
//! with the reason, not approved yet), enrolment run (twice: the second enrols nobody), a
//! suspension with its history, and the planned payments of a district with exact paisa totals,
//! attendance records withholding a child's stipend; a user outside the district is refused. Each
//! scenario runs on SQLite and on PostgreSQL (`pg_` + its name).

use serde_json::{json, Value};
use shumari_domain::money::Paisa;
use shumari_domain::Decision;
use shumari_registry::service::{EnrolmentStatus, ReviewRequest};
use shumari_registry::{RegistryError, Storage};
use shumari_scenarios::{on_both, other_area, TestDevice, TestRegistry, AREA};
use uuid::Uuid;

on_both!(
    programmes_run_from_eligibility_to_planned_payments,
    pg_programmes_run_from_eligibility_to_planned_payments,
    from_eligibility_to_payments
);

const DISTRICT: &str = "PK101";

const KAFALAT: &str = include_str!("../crates/programmes/shipped/kafalat.toml");
const TALEEMI: &str = include_str!("../crates/programmes/shipped/taleemi-wazaif.toml");
const NASHONUMA: &str = include_str!("../crates/programmes/shipped/nashonuma.toml");

/// A PMT model whose score is ten points per room, so each household's score is known.
const ROOMS_MODEL: &str = r#"
model_version = "rooms-test"
constant = 0.0
programmes = []

[[variables]]
name = "rooms"
label_en = "Rooms"
label_ur = "کمرے"
kind = "number"
questions = ["rooms"]
bands = [{ min = 0.0, points = 0.0 }, { min = 1.0, points = 10.0 }, { min = 2.0, points = 20.0 }, { min = 5.0, points = 50.0 }]
"#;

fn member(relation: &str, sex: &str, age: u32, cnic: Option<&str>, answers: Value) -> Value {
    let mut m = json!({
        "name": format!("{relation} {age}"), "relation": relation, "sex": sex, "age": age,
        "answers": answers,
    });
    if let Some(c) = cnic {
        m["id_number"] = json!(c);
    }
    m
}

/// Adds a household with `rooms` rooms and these members; returns its id.
fn add(d: &mut TestDevice, rooms: u32, members: Vec<Value>) -> Uuid {
    let input = serde_json::from_value(json!({
        "area": AREA, "answers": {"rooms": rooms, "electricity_bill": 800}, "members": members,
    }))
    .expect("household");
    d.store
        .add_household(&input, None, "nser-household", "1")
        .expect("add")
        .id
}

fn approve<S: Storage>(reg: &TestRegistry<S>, supervisor: &str, id: Uuid) {
    reg.rt
        .block_on(async {
            let u = reg.reg.acting_user(supervisor).await?;
            let req = ReviewRequest {
                decision: Decision::Approved,
                comment: String::new(),
                questions: Vec::new(),
            };
            reg.reg.review(&u, &id.to_string(), req).await
        })
        .expect("approved");
}

fn user<S: Storage>(reg: &TestRegistry<S>, id: &str) -> shumari_registry::storage::User {
    reg.rt.block_on(reg.reg.acting_user(id)).expect("user")
}

fn member_id(reg: &TestRegistry<impl Storage>, household: Uuid, relation: &str, age: u64) -> Uuid {
    let shown = reg.show(household);
    let m = shown["members"]
        .as_array()
        .expect("members")
        .iter()
        .find(|m| m["relation"] == json!(relation) && m["age"] == json!(age))
        .expect("the member");
    m["id"].as_str().expect("id").parse().expect("uuid")
}

fn from_eligibility_to_payments<S: Storage>(reg: &mut TestRegistry<S>) {
    let surveyor = reg.user("surveyor", &[AREA]);
    let supervisor = reg.user("supervisor", &[AREA]);
    let officer_id = reg.user("programme", &[DISTRICT]);
    let officer = user(reg, &officer_id);
    reg.rt
        .block_on(reg.reg.install_pmt_model(ROOMS_MODEL))
        .expect("model");

    let mut d = reg.device_for(&surveyor);
    let head = |n: u32, occupation: &str| {
        member(
            "head",
            "male",
            45,
            Some(&format!("352021234567{n}")),
            json!({"occupation": occupation}),
        )
    };
    let wife = |n: u32| {
        member(
            "spouse",
            "female",
            38,
            Some(&format!("352029876543{n}")),
            json!({"occupation": "housework"}),
        )
    };
    let pupil = |relation: &str, sex: &str, age: u32, education: &str| {
        member(
            relation,
            sex,
            age,
            None,
            json!({"in_school": "yes", "education": education, "literate": "yes"}),
        )
    };
    // Score 20, two children in school: Kafalat and Taleemi Wazaif.
    let poor = add(
        &mut d,
        2,
        vec![
            head(1, "labour"),
            wife(1),
            pupil("daughter", "female", 8, "none"),
            pupil("son", "male", 13, "primary"),
        ],
    );
    // Score 10, no woman with a CNIC, no child in school: Kafalat, paid to the head.
    let poorer = add(
        &mut d,
        1,
        vec![
            head(2, "farm_labour"),
            member("spouse", "female", 35, None, json!({})),
        ],
    );
    // Score 50: above the limit.
    let richer = add(&mut d, 5, vec![head(3, "shop"), wife(3)]);
    // Score 20 but a government employee.
    let clerk = add(&mut d, 2, vec![head(4, "govt"), wife(4)]);
    // Submitted, never approved.
    let waiting = add(&mut d, 2, vec![head(5, "labour"), wife(5)]);
    for id in [poor, poorer, richer, clerk, waiting] {
        d.set(id, "status", json!("complete"));
    }
    let r = d.sync();
    assert!(r.refused.is_empty(), "{r:?}");
    for id in [poor, poorer, richer, clerk] {
        approve(reg, &supervisor, id);
    }
    reg.rt.block_on(reg.reg.rescore(|_| {})).expect("scored");

    // Loading is the programme officer's, checked, and idempotent per (id, version).
    for src in [KAFALAT, TALEEMI, NASHONUMA] {
        let out = reg
            .rt
            .block_on(reg.reg.load_programme(&officer, src))
            .expect("load");
        assert!(out.loaded);
    }
    let again = reg
        .rt
        .block_on(reg.reg.load_programme(&officer, KAFALAT))
        .expect("again");
    assert!(!again.loaded, "the same file twice changes nothing");
    let changed = KAFALAT.replace("per_household = \"10,500\"", "per_household = \"12,000\"");
    let refused = reg.rt.block_on(reg.reg.load_programme(&officer, &changed));
    assert!(matches!(refused, Err(RegistryError::BadRequest(m)) if m.contains("new version")));
    let listed = reg.rt.block_on(reg.reg.programmes(&officer)).expect("list");
    let ids: Vec<&str> = listed.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["kafalat", "nashonuma", "taleemi-wazaif"]);
    let surveyor_user = user(reg, &surveyor);
    assert!(matches!(
        reg.rt
            .block_on(reg.reg.load_programme(&surveyor_user, KAFALAT)),
        Err(RegistryError::Forbidden(_))
    ));

    // Eligibility for every household and programme, as a job with progress.
    let mut seen = Vec::new();
    let job = reg
        .rt
        .block_on(reg.reg.run_eligibility(&officer, |j| seen.push(j.clone())))
        .expect("eligibility run");
    assert_eq!(job.state, "done");
    assert_eq!((job.done, job.total), (5, 5));
    assert_eq!(job.counted, 3, "poor: kafalat + taleemi; poorer: kafalat");
    assert_eq!(seen.first().map(|j| j.state), Some("running"));
    let of = |id: Uuid, programme: &str| {
        reg.rt
            .block_on(reg.reg.eligibility_of(id))
            .expect("eligibility")
            .into_iter()
            .find(|e| e.programme == programme)
            .expect("decided")
    };
    let e = of(poor, "kafalat");
    assert!(e.eligible);
    assert_eq!(e.score, Some(20.0));
    assert_eq!(e.reasons[0].en, "PMT 20 ≤ 32");
    assert_eq!(e.reasons[1].en, "no exclusion applies");
    assert!(of(poor, "taleemi-wazaif").eligible);
    assert!(!of(poor, "nashonuma").eligible, "no child under two");
    let e = of(richer, "kafalat");
    assert!(!e.eligible);
    assert_eq!(e.reasons[0].en, "PMT 50 is above the limit of 32");
    let e = of(clerk, "kafalat");
    assert!(!e.eligible);
    assert_eq!(
        e.reasons[1].en,
        "excluded: a member is a government employee"
    );
    assert!(e.reasons[1].ur.contains("سرکاری ملازم"));
    let e = of(waiting, "kafalat");
    assert!(!e.eligible);
    assert_eq!(e.reasons[0].en, "not approved yet (status: submitted)");

    // Enrolment of the eligible, as a job; a second run enrols nobody.
    let k = reg
        .rt
        .block_on(reg.reg.run_enrolment(&officer, "kafalat", |_| {}))
        .expect("enrol");
    assert_eq!((k.state, k.counted, k.total), ("done", 2, 2));
    let t = reg
        .rt
        .block_on(reg.reg.run_enrolment(&officer, "taleemi-wazaif", |_| {}))
        .expect("enrol");
    assert_eq!(t.counted, 1);
    let k2 = reg
        .rt
        .block_on(reg.reg.run_enrolment(&officer, "kafalat", |_| {}))
        .expect("again");
    assert_eq!(k2.counted, 0);

    // A suspension, kept in the history with its reason.
    let s = reg
        .rt
        .block_on(reg.reg.set_enrolment(
            &officer,
            &poorer.to_string(),
            "kafalat",
            EnrolmentStatus::Suspended,
            "CNIC of the payee expired",
        ))
        .expect("suspend");
    assert_eq!(s.status, EnrolmentStatus::Suspended);
    let history: Vec<(Option<&str>, &str)> = s
        .history
        .iter()
        .map(|h| (h.from.as_deref(), h.to.as_str()))
        .collect();
    assert_eq!(
        history,
        [(None, "enrolled"), (Some("enrolled"), "suspended")]
    );
    assert_eq!(s.history[1].reason, "CNIC of the payee expired");
    assert_eq!(s.history[1].by, officer.id);
    let enrolments = reg
        .rt
        .block_on(reg.reg.enrolments_of(poorer))
        .expect("enrolments");
    assert_eq!(enrolments.len(), 1);
    assert_eq!(enrolments[0].status, EnrolmentStatus::Suspended);

    // Planned payments for the district: one line per enrolled household, exact in paisa.
    let plan = |programme: &str| {
        reg.rt
            .block_on(
                reg.reg
                    .planned_payments(&officer, programme, "2026-Q4", DISTRICT),
            )
            .expect("planned")
    };
    let k = plan("kafalat");
    assert_eq!(k.len(), 1, "the suspended household is not paid");
    assert_eq!(k[0].household_id, poor);
    assert_eq!(k[0].amount, Paisa(1_050_000));
    assert_eq!(
        k[0].payee_cnic, "3520298765431",
        "the eldest woman with a CNIC"
    );
    reg.rt
        .block_on(reg.reg.set_enrolment(
            &officer,
            &poorer.to_string(),
            "kafalat",
            EnrolmentStatus::Enrolled,
            "new CNIC seen",
        ))
        .expect("reinstate");
    let k = plan("kafalat");
    assert_eq!(k.len(), 2);
    assert_eq!(k.iter().map(|p| p.amount).sum::<Paisa>(), Paisa(2_100_000));
    let paid_to_head = k.iter().find(|p| p.household_id == poorer).expect("poorer");
    assert_eq!(paid_to_head.payee_cnic, "3520212345672");

    let t = plan("taleemi-wazaif");
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].amount, Paisa::rupees(3000 + 3500), "{}", t[0].basis);
    // The daughter's school reports 60% attendance: her stipend is withheld this quarter.
    let daughter = member_id(reg, poor, "daughter", 8);
    reg.rt
        .block_on(reg.reg.record_compliance(
            &officer,
            "taleemi-wazaif",
            "2026-Q4",
            &[(poor, Some(daughter), "attendance_percent".into(), 60.0)],
        ))
        .expect("recorded");
    let t = plan("taleemi-wazaif");
    assert_eq!(t[0].amount, Paisa::rupees(3500));
    assert!(
        t[0].basis.contains("school attendance below 70%"),
        "{}",
        t[0].basis
    );
    // Another quarter has no record: paid in full.
    let q1 = reg
        .rt
        .block_on(
            reg.reg
                .planned_payments(&officer, "taleemi-wazaif", "2027-Q1", DISTRICT),
        )
        .expect("planned");
    assert_eq!(q1[0].amount, Paisa::rupees(6500));
    assert!(matches!(
        reg.rt.block_on(reg.reg.planned_payments(&officer, "kafalat", "2026-11", DISTRICT)),
        Err(RegistryError::BadRequest(m)) if m.contains("2026-Q4")
    ));

    // Outside the officer's district, or without the role: refused.
    let elsewhere = user(reg, &reg.user("programme", &[&other_area()]));
    assert!(matches!(
        reg.rt.block_on(
            reg.reg
                .planned_payments(&elsewhere, "kafalat", "2026-Q4", DISTRICT)
        ),
        Err(RegistryError::Forbidden(_))
    ));
    let supervisor_user = user(reg, &supervisor);
    assert!(matches!(
        reg.rt.block_on(
            reg.reg
                .planned_payments(&supervisor_user, "kafalat", "2026-Q4", AREA)
        ),
        Err(RegistryError::Forbidden(_))
    ));
    assert!(matches!(
        reg.rt
            .block_on(reg.reg.enrolment_show(&elsewhere, &poor.to_string())),
        Err(RegistryError::NotFound(_))
    ));

    // Every write and read is on the access trail.
    let trail = reg
        .rt
        .block_on(reg.reg.access_audit(0, 10_000))
        .expect("trail");
    for action in [
        "programme.load",
        "eligibility.run",
        "enrolment.run",
        "enrolment.set",
        "compliance.record",
        "payments.planned",
        "enrolment.show",
    ] {
        assert!(trail.iter().any(|r| r.action == action), "{action}");
    }
}
