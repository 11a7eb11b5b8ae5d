//! The access audit trail on both backends: reads of personal data, admin actions and failed
//! authentication are recorded without the token; concurrent writers (two connections to one SQLite
//! file, as when an admin command runs beside `serve`, and a pool of PostgreSQL connections; within
//! each, requests grouped into one commit) keep one unbroken chain; a row edited directly in the database is named by `verify_access_audit`.

#[path = "../../../tests/harness/pg.rs"]
mod pg;

use pg::PgCluster;
use shumari_registry::storage::AccessEntry;
use shumari_registry::{AnyStorage, Config, DbUrl, Registry, RegistryError, Role};
use std::sync::Arc;

const TOKEN: &str = "tok-NEVER-IN-THE-TRAIL-4821";

/// Audited actions of every kind; returns the new user's id.
async fn audited_actions(reg: &Registry<AnyStorage>) -> String {
    let user = reg
        .add_user("Sana Admin", Role::District, &["PK101".to_string()])
        .await
        .unwrap();
    reg.enroll_code(&user).await.unwrap();
    assert!(reg
        .household_list(None, Some("PK101"))
        .await
        .unwrap()
        .is_empty());
    assert!(matches!(
        reg.household_show(None, "PK101-0000-0001").await,
        Err(RegistryError::NotFound(_))
    ));
    assert!(matches!(
        reg.authenticate(Some(TOKEN)).await,
        Err(RegistryError::Unauthorized(_))
    ));
    assert!(matches!(
        reg.authenticate(None).await,
        Err(RegistryError::Unauthorized(_))
    ));
    user
}

fn actions(rows: &[AccessEntry]) -> Vec<&str> {
    rows.iter().map(|r| r.action.as_str()).collect()
}

/// Records, checks the rows, hammers the chain from `others` (registries over the same database)
/// concurrently, and verifies it intact.
async fn records_and_stays_one_chain(
    reg: Arc<Registry<AnyStorage>>,
    others: Vec<Arc<Registry<AnyStorage>>>,
) {
    let user = audited_actions(&reg).await;
    let rows = reg.access_audit(0, 100).await.unwrap();
    assert_eq!(
        actions(&rows),
        [
            "user.add",
            "enroll_code.issue",
            "household.list",
            "household.show",
            "auth.unknown_token",
            "auth.missing_token"
        ]
    );
    assert_eq!(rows[0].actor, "console");
    assert_eq!(rows[0].subject.as_deref(), Some(user.as_str()));
    assert_eq!(rows[1].subject.as_deref(), Some(user.as_str()));
    assert_eq!(rows[2].detail.as_deref(), Some("area=PK101 rows=0"));
    assert_eq!(rows[3].detail.as_deref(), Some("outcome=not_found"));
    assert_eq!(rows[4].actor, "anonymous");
    let text = format!("{rows:?}");
    assert!(!text.contains(TOKEN), "the token reached the trail");
    assert!(!text.contains("Sana"), "a name reached the trail");
    assert!(
        !text.contains("PK101-0000-0001"),
        "a reference number reached the trail"
    );

    let mut tasks = Vec::new();
    for (i, r) in std::iter::once(&reg)
        .chain(&others)
        .cycle()
        .take(200)
        .enumerate()
    {
        let r = r.clone();
        tasks.push(tokio::spawn(async move {
            let _ = r.authenticate(Some(&format!("guess-{i}"))).await;
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = reg.verify_access_audit().await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!(report.rows, 206);
    let rows = reg.access_audit(0, 300).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (1..=206).collect::<Vec<_>>()
    );
    assert_eq!(report.head, Some(hex(&rows[205].hash)));
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

async fn assert_broken_at_3(reg: &Registry<AnyStorage>) {
    let report = reg.verify_access_audit().await.unwrap();
    let broken = report.broken.expect("the edit is found");
    assert_eq!(broken.seq, 3, "{broken:?}");
    assert!(broken.problem.contains("changed"), "{}", broken.problem);
    assert_eq!(report.rows, 2, "rows before the broken link");
}

#[test]
fn sqlite_records_access_keeps_one_chain_and_names_an_edited_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    let db = DbUrl::Sqlite(path.clone());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let reg = Arc::new(Registry::open(&db, Config::default()).await.unwrap());
        // A second connection to the same file, as an admin command beside `serve` has.
        let other = Arc::new(Registry::open(&db, Config::default()).await.unwrap());
        records_and_stays_one_chain(reg.clone(), vec![other]).await;
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute(
            "UPDATE access_audit SET detail = 'area=PK1 rows=0' WHERE seq = 3",
            [],
        )
        .unwrap();
        assert_broken_at_3(&reg).await;
    });
}

#[test]
fn postgres_records_access_keeps_one_chain_and_names_an_edited_row() {
    let pg = PgCluster::shared();
    let url = pg.database();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let db = DbUrl::parse(&url);
        let reg = Arc::new(Registry::open(&db, Config::default()).await.unwrap());
        let other = Arc::new(Registry::open(&db, Config::default()).await.unwrap());
        records_and_stays_one_chain(reg.clone(), vec![other]).await;
        pg.psql(
            &url,
            "UPDATE access_audit SET detail = 'area=PK1 rows=0' WHERE seq = 3",
        );
        assert_broken_at_3(&reg).await;
    });
}
