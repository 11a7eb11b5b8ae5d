//! The dashboards' maintained aggregates (migration V19's triggers) on both backends: after any
//! sequence of ingests (new households, status changes, moves between areas, stale writes that are
//! skipped) and scores (first scores and re-scores), the maintained counts equal both a model kept
//! by the test and the counts recomputed from scratch (`rebuild_aggregates`) — a proptest, each case
//! on a fresh database. Then the service's reads: coverage rolled up by area-code prefix against
//! targets, the PMT histogram with the model's thresholds, and two users of different provinces
//! each seeing only their own numbers. And V25's: programme reach maintained through eligibility
//! decisions, enrolments and a household's move (equal to the recount), and the field counts (the
//! review backlog by age, conflicts) of an area, both backends.

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use shumari_domain::{HouseholdSummary, Projection, Status};
use shumari_registry::storage::aggregates::ProgrammeCount;
use shumari_registry::storage::aggregates::{pmt_bucket, BucketCount, StatusCount};
use shumari_registry::storage::casework::ScoreRow;
use shumari_registry::storage::postgres::PgStorage;
use shumari_registry::storage::programmes::{EligibilityRow, EnrolmentChange};
use shumari_registry::storage::IngestRow;
use shumari_registry::{RegistryError, SqliteStorage, Storage};
use shumari_scenarios::pg::PgCluster;
use shumari_scenarios::{on_both, runtime, TestRegistry};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Areas across two provinces and every level.
const AREAS: [&str; 6] = [
    "PK10101",
    "PK10101-UC1",
    "PK10101-UC1-V2",
    "PK10102",
    "PK60301-UC4",
    "PK603",
];

#[derive(Debug, Clone)]
enum Op {
    /// Write household `slot` (new or an update on its current heads) in `area` with `status`.
    Write {
        slot: usize,
        area: usize,
        status: usize,
    },
    /// An update on heads that are no longer current: skipped, nothing moves.
    Stale { slot: usize, area: usize },
    /// Score households (a first score or a re-score).
    Score(Vec<(usize, f64)>),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..8usize, 0..AREAS.len(), 0..Status::ALL.len())
            .prop_map(|(slot, area, status)| Op::Write { slot, area, status }),
        1 => (0..8usize, 0..AREAS.len()).prop_map(|(slot, area)| Op::Stale { slot, area }),
        2 => proptest::collection::vec((0..8usize, -5.0..110.0f64), 1..4).prop_map(Op::Score),
    ]
}

/// What the test believes each household is.
#[derive(Debug, Default)]
struct Model {
    households: BTreeMap<usize, (Uuid, String, Status, Vec<u8>)>,
    scores: BTreeMap<usize, f64>,
}

impl Model {
    fn counts(&self) -> Vec<StatusCount> {
        let mut m: BTreeMap<(String, Status), u64> = BTreeMap::new();
        for (_, area, status, _) in self.households.values() {
            *m.entry((area.clone(), *status)).or_default() += 1;
        }
        m.into_iter()
            .map(|((area, status), households)| StatusCount {
                area,
                status,
                households,
            })
            .collect()
    }

    fn buckets(&self) -> Vec<BucketCount> {
        let mut m: BTreeMap<(String, u8), u64> = BTreeMap::new();
        for (slot, score) in &self.scores {
            let area = &self.households[slot].1;
            *m.entry((area.clone(), pmt_bucket(*score))).or_default() += 1;
        }
        m.into_iter()
            .map(|((area, bucket), households)| BucketCount {
                area,
                bucket,
                households,
            })
            .collect()
    }
}

fn row(
    id: Uuid,
    area: &str,
    status: Status,
    expected: Option<Vec<u8>>,
    heads: Vec<u8>,
) -> IngestRow {
    IngestRow {
        id,
        expected_heads: expected,
        prev_area: None,
        doc: vec![1, 2, 3],
        heads,
        projection: Projection {
            summary: HouseholdSummary {
                id,
                reference: format!("{area}-T-{}", id.simple()),
                area: area.to_string(),
                head_name: None,
                head_id_number: None,
                member_count: 1,
                status,
                conflict_count: 0,
                updated_at: DateTime::<Utc>::from_timestamp_millis(0).unwrap_or_default(),
            },
            id_numbers: Vec::new(),
            id_issued: BTreeMap::new(),
            created_at: Default::default(),
            phone: None,
            roster: Vec::new(),
        },
        log_changes: vec![0],
        audit: Vec::new(),
        signatures: Vec::new(),
    }
}

fn sorted(mut v: Vec<StatusCount>) -> Vec<StatusCount> {
    v.sort();
    v
}

/// Runs `ops` against `s`, then checks maintained == model == rebuilt.
async fn run_ops<S: Storage>(s: &S, ops: &[Op]) {
    let mut m = Model::default();
    let mut n = 0u8;
    let mut fresh_heads = || {
        n = n.wrapping_add(1);
        vec![n; 32]
    };
    for op in ops {
        match op {
            Op::Write { slot, area, status } => {
                let (area, status) = (AREAS[*area].to_string(), Status::ALL[*status]);
                let heads = fresh_heads();
                let (id, expected) = match m.households.get(slot) {
                    Some((id, _, _, h)) => (*id, Some(h.clone())),
                    None => (Uuid::new_v4(), None),
                };
                let stale = s
                    .commit_ingest(
                        "dev",
                        "u",
                        vec![row(id, &area, status, expected, heads.clone())],
                        0,
                    )
                    .await
                    .unwrap();
                assert!(stale.is_empty());
                m.households.insert(*slot, (id, area, status, heads));
            }
            Op::Stale { slot, area } => {
                if let Some((id, ..)) = m.households.get(slot) {
                    let stale = s
                        .commit_ingest(
                            "dev",
                            "u",
                            vec![row(
                                *id,
                                AREAS[*area],
                                Status::Approved,
                                Some(vec![0; 32]),
                                vec![9; 32],
                            )],
                            0,
                        )
                        .await
                        .unwrap();
                    assert_eq!(stale, [*id]);
                }
            }
            Op::Score(list) => {
                let mut rows = BTreeMap::new();
                for (slot, score) in list {
                    if let Some((id, ..)) = m.households.get(slot) {
                        rows.insert(*slot, (*id, *score));
                    }
                }
                for (slot, (_, score)) in &rows {
                    m.scores.insert(*slot, *score);
                }
                s.put_scores(
                    rows.values()
                        .map(|(id, score)| ScoreRow {
                            household_id: *id,
                            model_version: "t".into(),
                            score: *score,
                            band: "b".into(),
                            contributions: "[]".into(),
                            programmes: "[]".into(),
                            scored_at: 0,
                        })
                        .collect(),
                )
                .await
                .unwrap();
            }
        }
    }
    let counts = sorted(s.status_counts_under("PK").await.unwrap());
    let buckets = s.pmt_buckets_under("PK").await.unwrap();
    assert_eq!(counts, m.counts(), "maintained counts against the model");
    assert_eq!(buckets, m.buckets(), "maintained buckets against the model");
    s.rebuild_aggregates().await.unwrap();
    assert_eq!(
        sorted(s.status_counts_under("PK").await.unwrap()),
        counts,
        "rebuilt counts"
    );
    assert_eq!(
        s.pmt_buckets_under("PK").await.unwrap(),
        buckets,
        "rebuilt buckets"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_maintained_aggregates_equal_recomputed(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open(&dir.path().join("r.db")).unwrap();
        runtime().block_on(run_ops(&s, &ops));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn pg_maintained_aggregates_equal_recomputed(ops in proptest::collection::vec(op(), 1..40)) {
        let pg = PgCluster::shared();
        let rt = runtime();
        let s = rt.block_on(PgStorage::connect(&pg.database())).unwrap();
        rt.block_on(run_ops(&s, &ops));
    }
}

/// The reads of a province's areas: only the province's rows, by key.
fn reads_stay_inside_an_area<S: Storage>(t: &mut TestRegistry<S>) {
    t.rt.block_on(async {
        let s = &t.reg.storage;
        let mk = |area: &str, status| row(Uuid::new_v4(), area, status, None, vec![1; 32]);
        s.commit_ingest(
            "dev",
            "u",
            vec![
                mk("PK10101", Status::Draft),
                mk("PK10101-UC1", Status::Approved),
                mk("PK60301", Status::Approved),
                // A code that shares the text prefix `PK1` but is not under `PK1` does not exist
                // (fixed widths), so `PK1` reads exactly its own.
                mk("PK2", Status::Approved),
            ],
            0,
        )
        .await
        .unwrap();
        let areas = |v: Vec<StatusCount>| v.into_iter().map(|c| c.area).collect::<Vec<_>>();
        assert_eq!(
            areas(s.status_counts_under("PK1").await.unwrap()),
            ["PK10101", "PK10101-UC1"]
        );
        assert_eq!(
            areas(s.status_counts_under("PK10101-UC1").await.unwrap()),
            ["PK10101-UC1"]
        );
        assert_eq!(
            areas(s.status_counts_under("PK6").await.unwrap()),
            ["PK60301"]
        );
    });
}

on_both!(
    sqlite_aggregate_reads_stay_inside_an_area,
    pg_aggregate_reads_stay_inside_an_area,
    reads_stay_inside_an_area
);

const DAY: i64 = 86_400_000;

fn decided(household_id: Uuid, eligible: bool) -> EligibilityRow {
    EligibilityRow {
        household_id,
        programme_id: "k".into(),
        programme_version: "1".into(),
        eligible,
        reasons: "[]".into(),
        score: None,
        model_version: None,
        computed_at: 0,
    }
}

fn reach(eligible: u64, enrolled: u64) -> Vec<ProgrammeCount> {
    vec![ProgrammeCount {
        programme_id: "k".into(),
        eligible,
        enrolled,
    }]
}

/// Programme reach follows decisions, enrolments and moves; the field counts read an area's
/// backlog by age and its conflicts.
fn reach_and_field_counts_follow_their_rows<S: Storage>(t: &mut TestRegistry<S>) {
    t.rt.block_on(async {
        let s = &t.reg.storage;
        let now = 100 * DAY;
        let at = |ms: i64| DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let mut ra = row(a, "PK10101", Status::Submitted, None, vec![1; 32]);
        ra.projection.summary.updated_at = at(now - 4 * DAY);
        let mut rb = row(b, "PK10102-UC1", Status::Submitted, None, vec![2; 32]);
        rb.projection.summary.updated_at = at(now - 3_600_000);
        rb.projection.summary.conflict_count = 2;
        let rc = row(c, "PK60301", Status::Submitted, None, vec![3; 32]);
        s.commit_ingest("dev", "u", vec![ra, rb, rc], 0)
            .await
            .unwrap();

        let f = s.field_counts_under("PK101", now).await.unwrap();
        assert_eq!(f.waiting, 2);
        assert_eq!(f.by_age, [1, 0, 1, 0]);
        assert_eq!(f.oldest_at, Some(now - 4 * DAY));
        assert_eq!(f.conflicts, 1);
        assert_eq!(f.open_duplicates, 0);
        let tehsil = s.field_counts_under("PK10101", now).await.unwrap();
        assert_eq!((tehsil.waiting, tehsil.conflicts), (1, 0));
        assert_eq!(s.field_counts_under("PK6", now).await.unwrap().waiting, 1);

        // Two households of province 1 eligible, one enrolled; the other province's not eligible.
        s.put_eligibility(vec![decided(a, true), decided(b, true), decided(c, false)])
            .await
            .unwrap();
        assert_eq!(s.enrol("k", &[a], "u", 0, "test").await.unwrap(), 1);
        assert_eq!(s.programme_counts_under("PK1").await.unwrap(), reach(2, 1));
        assert_eq!(
            s.programme_counts_under("PK10102").await.unwrap(),
            reach(1, 0)
        );
        assert!(s.programme_counts_under("PK6").await.unwrap().is_empty());
        // A decision reversed, an enrolment suspended.
        s.put_eligibility(vec![decided(b, false)]).await.unwrap();
        let suspended = EnrolmentChange {
            household_id: a,
            programme_id: "k".into(),
            from: Some("enrolled".into()),
            to: "suspended".into(),
            by: "u".into(),
            at: 1,
            reason: "test".into(),
        };
        assert!(s.set_enrolment(&suspended).await.unwrap());
        assert_eq!(s.programme_counts_under("PK1").await.unwrap(), reach(1, 0));
        // Re-enrolled, then the household moves to the other province: its counts go along.
        let back = EnrolmentChange {
            from: Some("suspended".into()),
            to: "enrolled".into(),
            at: 2,
            ..suspended
        };
        assert!(s.set_enrolment(&back).await.unwrap());
        let moved = row(
            a,
            "PK60301",
            Status::Submitted,
            Some(vec![1; 32]),
            vec![4; 32],
        );
        assert!(s
            .commit_ingest("dev", "u", vec![moved], 0)
            .await
            .unwrap()
            .is_empty());
        assert!(s.programme_counts_under("PK1").await.unwrap().is_empty());
        assert_eq!(s.programme_counts_under("PK6").await.unwrap(), reach(1, 1));

        // The maintained counts are the recount.
        let before = (
            s.programme_counts_under("PK").await.unwrap(),
            s.programme_counts_under("PK603").await.unwrap(),
        );
        s.rebuild_aggregates().await.unwrap();
        assert_eq!(
            (
                s.programme_counts_under("PK").await.unwrap(),
                s.programme_counts_under("PK603").await.unwrap(),
            ),
            before
        );
        assert_eq!(before.0, reach(1, 1));
    });
}

on_both!(
    sqlite_reach_and_field_counts_follow_their_rows,
    pg_reach_and_field_counts_follow_their_rows,
    reach_and_field_counts_follow_their_rows
);

/// Households pushed by tablets in two provinces, scored by the registry; targets set by an
/// administrator; coverage and the PMT histogram as each province's monitor sees them.
fn coverage_and_histogram_per_jurisdiction<S: Storage>(t: &mut TestRegistry<S>) {
    let other = shumari_scenarios::other_area();
    assert!(!other.starts_with("PK1"), "{other}");
    let uc = "PK10101-UC001";
    let s1 = t.user("surveyor", &["PK10101", "PK10102"]);
    let s2 = t.user("surveyor", &[&other]);
    let mut tab1 = t.device_for(&s1);
    let mut tab2 = t.device_for(&s2);
    tab1.add(1, "PK10101");
    tab1.add(2, "PK10102");
    tab1.add(3, "PK10102");
    tab2.add(4, &other);
    tab1.sync();
    tab2.sync();
    t.rt.block_on(t.reg.settle_queue());
    let user = |id: &str| t.rt.block_on(t.reg.storage.user(id)).unwrap().unwrap();
    let admin = user(&t.user("administrator", &["PK1"]));
    let p1 = user(&t.user("province", &["PK1"]));
    let p2 = user(&t.user("province", &[&other[..3]]));
    let reg = &t.reg;
    t.rt.block_on(async {
        // Targets: the administrator's own province only, and only known areas.
        assert!(matches!(
            reg.set_targets(Some(&admin), &[(other.clone(), 5)]).await,
            Err(RegistryError::BadRequest(_))
        ));
        assert!(matches!(
            reg.set_targets(Some(&p1), &[("PK10101".into(), 5)]).await,
            Err(RegistryError::Forbidden(_))
        ));
        reg.set_targets(Some(&admin), &[("PK10101".into(), 6), (uc.into(), 4)])
            .await
            .unwrap();
        reg.set_targets(None, &[(other.clone(), 2)]).await.unwrap();

        // Province 1: its districts, then down to the tehsil's union councils.
        let c = reg.coverage(&p1, None).await.unwrap();
        assert_eq!(c.area.as_deref(), Some("PK1"));
        assert_eq!(c.total.households(), 3);
        assert_eq!(c.total.target, Some(6));
        let bagh = c.rows.iter().find(|r| r.code == "PK101").unwrap();
        assert_eq!((bagh.households(), bagh.target), (3, Some(6)));
        assert!(c.rows.iter().all(|r| r.code.starts_with("PK1")));
        let tehsil = reg.coverage(&p1, Some("PK10101")).await.unwrap();
        let ucs: Vec<(&str, u64, Option<u64>)> = tehsil
            .rows
            .iter()
            .map(|r| (r.code.as_str(), r.households(), r.target))
            .collect();
        // The households recorded at the tehsil itself, and a union council with a target and
        // none yet.
        assert_eq!(ucs, [("PK10101", 1, None), (uc, 0, Some(4))]);
        assert_eq!(
            tehsil
                .path
                .iter()
                .map(|(a, _)| a.as_str())
                .collect::<Vec<_>>(),
            ["PK1", "PK101"]
        );
        // The other province is not found for province 1's monitor, and its numbers never appear.
        assert!(matches!(
            reg.coverage(&p1, Some(&other)).await,
            Err(RegistryError::NotFound(_))
        ));
        let h1 = reg.pmt_histogram(&p1, None).await.unwrap();
        assert_eq!(h1.scored(), 3);
        assert!(
            h1.thresholds.iter().any(|t| t.score == 32.0),
            "{:?}",
            h1.thresholds
        );
        let c2 = reg.coverage(&p2, None).await.unwrap();
        assert_eq!((c2.total.households(), c2.total.target), (1, Some(2)));
        assert_eq!(reg.pmt_histogram(&p2, None).await.unwrap().scored(), 1);
        assert!(matches!(
            reg.pmt_histogram(&p2, Some("PK10101")).await,
            Err(RegistryError::NotFound(_))
        ));
        // A role that reads no households reads no dashboards.
        assert!(matches!(
            reg.coverage(&admin, None).await,
            Err(RegistryError::Forbidden(_))
        ));
    });
}

on_both!(
    sqlite_coverage_and_histogram_per_jurisdiction,
    pg_coverage_and_histogram_per_jurisdiction,
    coverage_and_histogram_per_jurisdiction
);
