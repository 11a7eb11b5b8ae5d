//! Grievances end to end on a real registry: filed through each channel (portal, SMS, an officer at
//! the console, a community organisation) with tracking numbers that run in sequence per district,
//! routed to the district of the household's area; escalated to the province when the SLA passes,
//! with an injected clock (not at the due time, exactly once after); kept from a district officer of
//! another district; seen by the province once escalated; resolved, with the resolution in the
//! citizen's view; the citizen told by SMS at each step in one segment, Urdu or English as they
//! wrote; and the payments citizens reported short returned for the reconciliation report. Each
//! scenario runs on SQLite and on PostgreSQL (`pg_` + its name); two registries on one PostgreSQL
//! never give one tracking number twice.

use shumari_domain::money::Paisa;
use shumari_domain::{AreaLevel, AreaRegistry};
use shumari_registry::service::{
    Category, Channel, CitizenFiling, GrievanceFilter, GrievanceStatus, NewGrievance,
};
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::{Config, Registry, RegistryError, Storage};
use shumari_scenarios::{on_both, TestRegistry, AREA};
use shumari_sms::{segments, Encoding, FileGateway};
use std::sync::Arc;
use uuid::Uuid;

on_both!(
    grievances_are_routed_escalated_and_resolved_with_sms,
    pg_grievances_are_routed_escalated_and_resolved_with_sms,
    lifecycle
);

const DAY: i64 = 86_400_000;
const T0: i64 = 1_767_225_600_000; // 2026-01-01 00:00 UTC

/// A tehsil of another district of the same province as [`AREA`].
fn other_district_tehsil() -> String {
    let reg = AreaRegistry::builtin();
    let code = reg
        .all()
        .find(|a| {
            a.level == AreaLevel::Tehsil
                && a.code.starts_with("PK1")
                && !a.code.starts_with("PK101")
        })
        .expect("another district in PK1")
        .code
        .clone();
    code
}

fn citizen(
    household: Option<Uuid>,
    area: &str,
    category: Category,
    channel: Channel,
    text: &str,
    payment: Option<&str>,
    amount: Option<Paisa>,
) -> CitizenFiling {
    CitizenFiling {
        household,
        area: area.into(),
        category,
        text: text.into(),
        phone: "+923001234567".into(),
        channel,
        payment_reference: payment.map(str::to_string),
        reported_amount: amount,
    }
}

fn lifecycle<S: Storage>(t: &mut TestRegistry<S>) {
    let sms = t.dir.path().join("sms.jsonl");
    assert!(t.reg.set_sms_gateway(Arc::new(FileGateway::new(&sms))));
    let district = t.user("district", &["PK101"]);
    let community = t.user("community", &[AREA]);
    let province = t.user("province", &["PK1"]);
    let other_tehsil = other_district_tehsil();
    let other_district = t.user("district", &[&other_tehsil[..5]]);
    let surveyor = t.user("surveyor", &[AREA]);
    let mut tablet = t.device_for(&surveyor);
    let h1 = tablet.add(1, AREA);
    let h2 = tablet.add(2, AREA);
    assert!(tablet.sync().refused.is_empty());
    let reg = t.reg.clone();
    let user = |id: &str| t.rt.block_on(reg.acting_user(id)).expect("user");
    let (district_u, community_u, province_u, other_u) = (
        user(&district),
        user(&community),
        user(&province),
        user(&other_district),
    );

    // Filed through each channel: numbers run 1, 2, 3, 4 in the household's district.
    let portal =
        t.rt.block_on(reg.file_citizen_grievance(
            citizen(
                Some(h1),
                "",
                Category::PaidLess,
                Channel::Portal,
                "مجھے 10500 میں سے صرف 9000 روپے ملے",
                Some("PAY-1"),
                Some(Paisa::rupees(9_000)),
            ),
            T0,
        ))
        .expect("portal");
    let by_sms =
        t.rt.block_on(reg.file_citizen_grievance(
            citizen(
                Some(h2),
                "",
                Category::NotPaid,
                Channel::Sms,
                "no payment this quarter",
                Some("PAY-2"),
                None,
            ),
            T0 + 1,
        ))
        .expect("sms");
    let at_console =
        t.rt.block_on(reg.file_grievance(
            &district_u,
            NewGrievance {
                household: Some(h1.to_string()),
                category: "wrong_data".into(),
                channel: "console".into(),
                text: "The head's name is misspelt".into(),
                phone: "0300 1234567".into(),
                ..NewGrievance::default()
            },
            T0 + 2,
        ))
        .expect("console");
    let by_community =
        t.rt.block_on(reg.file_grievance(
            &community_u,
            NewGrievance {
                area: Some(AREA.into()),
                category: "agent_misconduct".into(),
                channel: "community".into(),
                text: "The retailer asks for Rs 500 from everyone".into(),
                phone: "03007654321".into(),
                ..NewGrievance::default()
            },
            T0 + 3,
        ))
        .expect("community");
    assert_eq!(
        [
            portal.as_str(),
            by_sms.as_str(),
            &at_console.tracking,
            &by_community.tracking
        ],
        [
            "GRV-PK101-000001",
            "GRV-PK101-000002",
            "GRV-PK101-000003",
            "GRV-PK101-000004"
        ]
    );
    assert_eq!(
        (at_console.district.as_str(), at_console.province.as_str()),
        ("PK101", "PK1")
    );
    assert_eq!(at_console.household, Some(h1));
    // Another district's sequence starts at 1.
    let elsewhere =
        t.rt.block_on(reg.file_citizen_grievance(
            citizen(
                None,
                &other_tehsil,
                Category::Other,
                Channel::Portal,
                "help",
                None,
                None,
            ),
            T0,
        ))
        .expect("elsewhere");
    assert_eq!(elsewhere, format!("GRV-{}-000001", &other_tehsil[..5]));
    // A citizen channel is not an officer's, and an officer files only in their areas.
    let refused = t.rt.block_on(reg.file_grievance(
        &other_u,
        NewGrievance {
            household: Some(h1.to_string()),
            category: "other".into(),
            channel: "console".into(),
            text: "x".into(),
            phone: "03001234567".into(),
            ..NewGrievance::default()
        },
        T0,
    ));
    assert!(
        matches!(refused, Err(RegistryError::NotFound(_))),
        "{refused:?}"
    );
    let refused = t.rt.block_on(reg.file_citizen_grievance(
        citizen(
            None,
            AREA,
            Category::Other,
            Channel::Console,
            "x",
            None,
            None,
        ),
        T0,
    ));
    assert!(matches!(refused, Err(RegistryError::BadRequest(_))));

    // The district's queue holds its four; another district's officer sees none of them.
    let list =
        |u, f: GrievanceFilter, now| t.rt.block_on(reg.grievance_list(u, &f, now)).expect("list");
    let mine = list(&district_u, GrievanceFilter::default(), T0);
    assert_eq!(mine.grievances.len(), 4);
    assert!(mine.grievances.iter().all(|g| g.district == "PK101"));
    let theirs = list(&other_u, GrievanceFilter::default(), T0);
    assert_eq!(
        theirs
            .grievances
            .iter()
            .map(|g| g.tracking.as_str())
            .collect::<Vec<_>>(),
        [elsewhere.as_str()]
    );
    let peek = t.rt.block_on(reg.grievance_show(&other_u, &portal, T0));
    assert!(matches!(peek, Err(RegistryError::NotFound(_))));
    let meddle =
        t.rt.block_on(reg.grievance_resolve(&other_u, &portal, "closed", T0));
    assert!(matches!(meddle, Err(RegistryError::NotFound(_))));
    // The province's queue holds only escalated grievances: none yet.
    assert!(list(&province_u, GrievanceFilter::default(), T0)
        .grievances
        .is_empty());
    // A page at a time.
    let first = list(
        &district_u,
        GrievanceFilter {
            limit: 3,
            ..GrievanceFilter::default()
        },
        T0,
    );
    assert_eq!(first.grievances.len(), 3);
    let rest = list(
        &district_u,
        GrievanceFilter {
            limit: 3,
            after: first.next.clone(),
            ..GrievanceFilter::default()
        },
        T0,
    );
    assert_eq!(
        rest.grievances
            .iter()
            .map(|g| g.tracking.as_str())
            .collect::<Vec<_>>(),
        ["GRV-PK101-000004"]
    );
    assert!(rest.next.is_none());

    // A note moves an open grievance to in progress.
    let noted =
        t.rt.block_on(reg.grievance_note(
            &district_u,
            &at_console.tracking,
            "Asked the surveyor to revisit",
            T0 + DAY,
        ))
        .expect("note");
    assert_eq!(noted.grievance.status, GrievanceStatus::InProgress);
    assert_eq!(
        noted
            .history
            .iter()
            .map(|e| e.kind.as_str())
            .collect::<Vec<_>>(),
        ["filed", "note"]
    );

    // SLA: paid_less, not_paid and agent_misconduct have 7 days, wrong_data 15 (the defaults).
    let due = T0 + 7 * DAY;
    assert!(
        t.rt.block_on(reg.escalate_overdue(due - 1))
            .unwrap()
            .is_empty(),
        "not before the due time"
    );
    assert!(
        t.rt.block_on(reg.escalate_overdue(due)).unwrap().is_empty(),
        "not at the due time"
    );
    let overdue = list(
        &district_u,
        GrievanceFilter {
            overdue: true,
            ..GrievanceFilter::default()
        },
        due + 10,
    );
    assert_eq!(overdue.grievances.len(), 3);
    let escalated = t.rt.block_on(reg.escalate_overdue(due + 10)).unwrap();
    assert_eq!(
        escalated,
        [
            portal.clone(),
            by_sms.clone(),
            by_community.tracking.clone()
        ]
    );
    assert!(
        t.rt.block_on(reg.escalate_overdue(due + 20))
            .unwrap()
            .is_empty(),
        "exactly once"
    );
    let shown =
        t.rt.block_on(reg.grievance_show(&district_u, &portal, due + 20))
            .unwrap();
    assert_eq!(shown.grievance.status, GrievanceStatus::Escalated);
    assert_eq!(
        shown
            .history
            .last()
            .map(|e| (e.kind.as_str(), e.by.as_str())),
        Some(("escalated", "registry"))
    );
    // The province now sees the escalated ones (and not the one in progress).
    let prov = list(&province_u, GrievanceFilter::default(), due + 20);
    assert_eq!(
        prov.grievances
            .iter()
            .map(|g| g.tracking.as_str())
            .collect::<Vec<_>>(),
        [
            portal.as_str(),
            by_sms.as_str(),
            by_community.tracking.as_str()
        ]
    );
    assert!(matches!(
        t.rt.block_on(reg.grievance_show(&province_u, &at_console.tracking, due)),
        Err(RegistryError::NotFound(_))
    ));
    assert_eq!(
        t.rt.block_on(reg.open_grievance_count(&province_u))
            .unwrap(),
        3
    );
    assert_eq!(
        t.rt.block_on(reg.open_grievance_count(&district_u))
            .unwrap(),
        4
    );

    // The province resolves it; the citizen's view shows the resolution in plain words.
    let done =
        t.rt.block_on(reg.grievance_resolve(
            &province_u,
            &portal,
            "The retailer repaid Rs 1,500.",
            due + DAY,
        ))
        .expect("resolve");
    assert_eq!(done.grievance.status, GrievanceStatus::Resolved);
    let again =
        t.rt.block_on(reg.grievance_resolve(&province_u, &portal, "twice", due + DAY));
    assert!(matches!(again, Err(RegistryError::Transition(_))));
    let view = t.rt.block_on(reg.grievances_of_household(h1)).unwrap();
    assert_eq!(view.len(), 2);
    let resolved = view.iter().find(|g| g.tracking == portal).unwrap();
    assert_eq!(resolved.status, GrievanceStatus::Resolved);
    assert_eq!(
        resolved.resolution.as_deref(),
        Some("The retailer repaid Rs 1,500.")
    );
    assert_eq!(resolved.status_words.en, "Resolved. Read the answer below.");
    let json = serde_json::to_value(&view).unwrap().to_string();
    assert!(
        !json.contains("+92300") && !json.contains("revisit"),
        "no phone or notes: {json}"
    );

    // Shortfalls for the reconciliation report.
    let short =
        t.rt.block_on(reg.payment_shortfalls(&["PAY-1".into(), "PAY-2".into(), "PAY-9".into()]))
            .unwrap();
    assert_eq!(
        short,
        vec![
            ("PAY-1".to_string(), portal.clone(), Paisa::rupees(9_000)),
            ("PAY-2".to_string(), by_sms.clone(), Paisa::ZERO)
        ]
    );

    // SMS: filed (5), in progress (1), escalated (3), resolved (1), each one segment; the citizen
    // who wrote in Urdu is answered in Urdu.
    let lines = FileGateway::read(&sms).unwrap();
    assert_eq!(lines.len(), 10);
    assert!(lines
        .iter()
        .all(|l| l.segments == 1 && segments(&l.text).fits_one()));
    let about = |tracking: &str| {
        lines
            .iter()
            .filter(|l| l.text.contains(tracking))
            .map(|l| segments(&l.text).encoding)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        about(&portal),
        [Encoding::Ucs2; 3],
        "filed, escalated, resolved in Urdu"
    );
    assert_eq!(
        about(&by_sms),
        [Encoding::Gsm7; 2],
        "filed, escalated in English"
    );
    assert_eq!(
        about(&at_console.tracking),
        [Encoding::Gsm7; 2],
        "filed, in progress"
    );

    // Every write is on the access trail, without the citizen's words or phone.
    let trail = t.rt.block_on(reg.access_audit(0, 10_000)).unwrap();
    let count = |a: &str| trail.iter().filter(|e| e.action == a).count();
    assert_eq!(count("grievance.file"), 7, "five filed, two refused");
    assert_eq!(count("grievance.escalate"), 3);
    assert_eq!(count("grievance.note"), 1);
    assert_eq!(
        count("grievance.resolve"),
        3,
        "one done, one outside the officer's district, one twice"
    );
    let all = format!("{trail:?}");
    assert!(!all.contains("9000 روپے") && !all.contains("1234567"));
}

#[test]
fn two_registries_on_one_postgres_never_give_the_same_tracking_number() {
    let pg = shumari_scenarios::pg::PgCluster::shared();
    let url = pg.database();
    let rt = shumari_scenarios::runtime();
    let (a, b) = rt.block_on(async {
        let a = Arc::new(Registry::new(
            PgStorage::connect(&url).await.unwrap(),
            Config::default(),
        ));
        let b = Arc::new(Registry::new(
            PgStorage::connect(&url).await.unwrap(),
            Config::default(),
        ));
        (a, b)
    });
    let file = |reg: Arc<Registry<PgStorage>>| async move {
        let mut got = Vec::new();
        for i in 0..15 {
            got.push(
                reg.file_citizen_grievance(
                    citizen(
                        None,
                        AREA,
                        Category::Other,
                        Channel::Sms,
                        &format!("complaint {i}"),
                        None,
                        None,
                    ),
                    T0 + i,
                )
                .await
                .unwrap(),
            );
        }
        got
    };
    let (x, y) = rt.block_on(async { tokio::join!(tokio::spawn(file(a)), tokio::spawn(file(b))) });
    let mut all: Vec<String> = x.unwrap().into_iter().chain(y.unwrap()).collect();
    all.sort();
    let expected: Vec<String> = (1..=30).map(|n| format!("GRV-PK101-{n:06}")).collect();
    assert_eq!(all, expected);
}
