//! The console's export page over real HTTP, on SQLite and on PostgreSQL: a district officer
//! downloads households as CSV (the rows and the SHA-256 the answer names match the file) and as
//! Parquet, members as CSV, and a codebook in English and Urdu; a provincial monitor's page says
//! personal data is left out and its downloads hold no names or CNICs; an area outside the
//! officer's and a form without its CSRF token are refused; every download is on the access trail.

mod common;

use common::{console_user_with_password, csrf_of, serve, Browser, TestClock, CONSOLE_PASSWORD};
use sha2::Digest;
use shumari_domain::Household;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::{Role, Storage};
use shumari_scenarios::nser_gen::Generator;
use shumari_scenarios::{on_both, other_area, TestRegistry, AREA};

on_both!(
    exports_download_by_role,
    pg_exports_download_by_role,
    downloads
);

fn pushed<S: Storage>(reg: &TestRegistry<S>) -> Vec<Household> {
    let mut d = reg.device(&[AREA]);
    let mut g = Generator::new(7);
    let inputs: Vec<_> = (0..3).map(|_| g.household_in(AREA)).collect();
    let ids: Vec<_> = d
        .store
        .add_households(&inputs, None, "nser-household", "1")
        .expect("add")
        .into_iter()
        .map(|r| r.expect("valid").id)
        .collect();
    assert!(d.sync().refused.is_empty());
    ids.iter()
        .map(|id| d.store.get(&id.to_string()).unwrap().household)
        .collect()
}

fn signed_in(base: &str, user: &str) -> (Browser, String) {
    let mut web = Browser::new(base);
    assert_eq!(web.sign_in(user, CONSOLE_PASSWORD).status, 303);
    let page = web.get("/console/exports");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("data-testid=\"nav-exports\""));
    let csrf = csrf_of(&page.body);
    (web, csrf)
}

fn downloads<S: Storage + ConsoleStorage>(reg: &mut TestRegistry<S>) {
    let clock = TestClock::new();
    let base = serve(reg, &clock, false);
    let households = pushed(reg);
    let members: usize = households.iter().map(|h| h.members.len()).sum();
    let officer = console_user_with_password(reg, "Farah Naz", Role::District, &[AREA]);
    let monitor = console_user_with_password(reg, "Imran Ali", Role::Province, &["PK1"]);

    let (mut web, csrf) = signed_in(&base, &officer);
    let page = web.get("/console/exports");
    assert!(page.body.contains("data-personal=\"true\""));
    let post = |web: &mut Browser, what: &str, format: &str, area: &str| {
        web.post(
            "/console/exports",
            &[
                ("csrf", &csrf),
                ("what", what),
                ("format", format),
                ("area", area),
                ("since", ""),
            ],
        )
    };

    // Households as CSV: a download, its rows and hash named in the answer.
    let csv = post(&mut web, "households", "csv", AREA);
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(
        csv.headers["content-disposition"].to_str().unwrap(),
        "attachment; filename=\"households.csv\""
    );
    assert_eq!(csv.headers["x-shumari-rows"].to_str().unwrap(), "3");
    assert_eq!(csv.headers["x-shumari-personal"].to_str().unwrap(), "true");
    assert_eq!(
        csv.headers["x-shumari-sha256"].to_str().unwrap(),
        hex::encode(sha2::Sha256::digest(csv.body.as_bytes()))
    );
    assert_eq!(csv.body.lines().count(), 4);
    let header = csv.body.lines().next().unwrap();
    assert!(header.starts_with("id,reference,area,province,district,tehsil,status"));
    assert!(header.contains(",address,") && header.contains(",rooms,"));
    for h in &households {
        assert!(csv.body.contains(&h.reference));
    }

    // Parquet, members, the codebook.
    let pq = post(&mut web, "households", "parquet", "");
    assert_eq!(pq.status, 200);
    assert_eq!(
        pq.headers["content-type"].to_str().unwrap(),
        "application/vnd.apache.parquet"
    );
    assert!(pq.body.starts_with("PAR1"));
    let m = post(&mut web, "members", "csv", "");
    assert_eq!(
        m.headers["x-shumari-rows"].to_str().unwrap(),
        members.to_string()
    );
    assert!(m.body.contains(&households[0].members[0].name));
    let book = post(&mut web, "members", "codebook", "");
    assert_eq!(book.status, 200);
    assert!(book
        .body
        .starts_with("column,type,label_en,label_ur,choice,choice_label_en,choice_label_ur"));
    assert!(book.body.lines().any(|l| l.starts_with("name,text,")));
    assert!(
        book.body.contains("مرد") || book.body.contains("عورت"),
        "Urdu choice labels"
    );

    // Refusals: an area outside the officer's, a form without its token.
    let out = post(&mut web, "households", "csv", &other_area());
    assert_eq!(out.status, 403);
    let forged = web.post(
        "/console/exports",
        &[
            ("csrf", "forged"),
            ("what", "households"),
            ("format", "csv"),
        ],
    );
    assert_eq!(forged.status, 403);

    // A provincial monitor: told personal data is left out, and it is.
    let (mut mon, mcsrf) = signed_in(&base, &monitor);
    assert!(mon
        .get("/console/exports")
        .body
        .contains("data-personal=\"false\""));
    let m = mon.post(
        "/console/exports",
        &[("csrf", &mcsrf), ("what", "members"), ("format", "csv")],
    );
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(m.headers["x-shumari-personal"].to_str().unwrap(), "false");
    assert_eq!(
        m.headers["x-shumari-rows"].to_str().unwrap(),
        members.to_string()
    );
    let header: Vec<&str> = m.body.lines().next().unwrap().split(',').collect();
    assert!(
        !header.contains(&"name") && !header.contains(&"id_number"),
        "{header:?}"
    );
    for h in &households {
        for mem in &h.members {
            assert!(!m.body.contains(&mem.name));
            if let Some(n) = &mem.id_number {
                assert!(!m.body.contains(n.digits()));
            }
        }
    }
    let hh = mon.post(
        "/console/exports",
        &[("csrf", &mcsrf), ("what", "households"), ("format", "csv")],
    );
    let header = hh.body.lines().next().unwrap();
    assert!(!header.contains("address") && !header.contains("phone") && !header.contains("gps_"));
    let book = mon.post(
        "/console/exports",
        &[
            ("csrf", &mcsrf),
            ("what", "members"),
            ("format", "codebook"),
        ],
    );
    assert!(!book
        .body
        .lines()
        .any(|l| l.starts_with("name,") || l.starts_with("id_number,")));

    // Every data download on the trail (the codebooks hold no household data).
    let trail = reg.rt.block_on(reg.reg.access_audit(0, 10_000)).unwrap();
    let rows: Vec<_> = trail.iter().filter(|r| r.action == "data.export").collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows.iter().filter(|r| r.actor == monitor).count(), 2);
}
