//! Questionnaires besides the household one, on SQLite and PostgreSQL: an administrator publishes a
//! service point's daily report to an area; a broken form is refused with its located errors; a
//! second version is kept beside the first; reports from the area's tablets are stored once, checked
//! against the version they were filled with, and counted per site per day with the missing ones;
//! another province's monitor sees none of it; a tablet's pull receives only the versions it does
//! not hold yet. A supervisor returns a report with a note, the tablet that sent it sees the note,
//! corrects it and sends it again as a report that replaces it, which is approved: the form's
//! figures and its export count one report.

use serde_json::json;
use shumari_registry::service::NewSubmission;
use shumari_registry::storage::console::ConsoleStorage;
use shumari_registry::storage::Storage;
use shumari_registry::RegistryError;
use shumari_scenarios::{meal_report, on_both, other_area, TestRegistry, AREA};
use uuid::Uuid;

const MEAL_CENTRE: &str = include_str!("../crates/forms/questionnaires/meal_centre_daily.toml");

/// Version 2 of the form: one more question.
fn version_2() -> String {
    MEAL_CENTRE.replace("version = \"1\"", "version = \"2\"").replace(
        "[[survey]]\ntype = \"text\"\nname = \"remarks\"",
        "[[survey]]\ntype = \"integer\"\nname = \"volunteers\"\n\"label::English (en)\" = \"Volunteers on duty\"\n\n[[survey]]\ntype = \"text\"\nname = \"remarks\"",
    )
}

fn block<S: Storage, T>(
    r: &TestRegistry<S>,
    f: impl std::future::Future<Output = Result<T, RegistryError>>,
) -> Result<T, RegistryError> {
    r.rt.block_on(f)
}

fn report(site: &str, day: &str, meals: i64, version: &str) -> NewSubmission {
    NewSubmission {
        id: Uuid::new_v4(),
        form_id: "meal_centre_daily".into(),
        version: version.into(),
        area: AREA.into(),
        answers: json!({
            "site": site, "date": day, "site_kind": "meal_centre", "meals_served": meals,
        }),
        filled_at: 1_780_000_000_000,
    }
}

fn publish_fill_and_count<S: Storage>(r: &mut TestRegistry<S>) {
    let admin_id = r.user("administrator", &["PK1"]);
    let admin = block(r, r.reg.acting_user(&admin_id)).expect("admin");

    // A broken form is refused with the forms crate's located errors.
    let broken = MEAL_CENTRE.replace(
        "type = \"integer\"\nname = \"meals_served\"",
        "type = \"integr\"\nname = \"meals_served\"",
    );
    let e = block(
        r,
        r.reg.publish_form(
            Some(&admin),
            "broken.toml",
            broken.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect_err("refused");
    let msg = e.to_string();
    assert!(matches!(e, RegistryError::BadRequest(_)), "{e:?}");
    assert!(msg.contains("sheet survey, row"), "{msg}");
    assert!(msg.contains("integr"), "{msg}");

    // Only an administrator publishes; the household questionnaire's id is refused.
    let surveyor_id = r.user("surveyor", &[AREA]);
    let surveyor = block(r, r.reg.acting_user(&surveyor_id)).expect("surveyor");
    let e = block(
        r,
        r.reg.publish_form(
            Some(&surveyor),
            "m.toml",
            MEAL_CENTRE.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect_err("a surveyor may not publish");
    assert!(matches!(e, RegistryError::Forbidden(_)), "{e:?}");
    let household = shumari_forms::HOUSEHOLD_FORM_TOML;
    assert!(block(
        r,
        r.reg
            .publish_form(Some(&admin), "h.toml", household.as_bytes(), &[AREA.into()])
    )
    .is_err());

    // Version 1 to the tehsil.
    let p = block(
        r,
        r.reg.publish_form(
            Some(&admin),
            "meal_centre_daily.toml",
            MEAL_CENTRE.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("publish");
    assert!(p.new_version);
    assert_eq!(
        (p.form_id.as_str(), p.version.as_str()),
        ("meal_centre_daily", "1")
    );
    // Again: nothing new. Another source under version 1: refused.
    let again = block(
        r,
        r.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            MEAL_CENTRE.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("again");
    assert!(!again.new_version);
    let altered = MEAL_CENTRE.replace("Meals served today", "Meals given today");
    assert!(block(
        r,
        r.reg
            .publish_form(None, "m.toml", altered.as_bytes(), &[AREA.into()])
    )
    .is_err());

    // A tablet of a union council inside the tehsil receives it; one elsewhere does not.
    let uc = format!("{AREA}-UC001");
    let reach = block(r, r.reg.forms_for_areas(std::slice::from_ref(&uc))).expect("reach");
    assert_eq!(reach.len(), 1);
    assert_eq!(reach[0].source, MEAL_CENTRE.as_bytes());
    assert!(block(r, r.reg.forms_for_areas(&[other_area()]))
        .expect("reach")
        .is_empty());

    // Version 2: both versions kept and sent, in version order.
    let v2 = version_2();
    let p2 = block(
        r,
        r.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            v2.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("publish v2");
    assert_eq!(p2.version, "2");
    let forms = block(r, r.reg.forms(None)).expect("list");
    assert_eq!(forms.len(), 1);
    let versions: Vec<&str> = forms[0]
        .versions
        .iter()
        .map(|v| v.version.as_str())
        .collect();
    assert_eq!(versions, ["1", "2"]);
    assert_eq!(
        block(r, r.reg.forms_for_areas(&[AREA.into()]))
            .expect("reach")
            .len(),
        2
    );

    // Reports: a version 1 report still stores after version 2 is out; one sent twice is stored
    // once; an incomplete one and one from outside the surveyor's areas are refused by name.
    let a = report("Langar Mall Road", "2026-11-29", 400, "1");
    let b = report("Langar Mall Road", "2026-11-30", 380, "2");
    let c = report("Panahgah Data Darbar", "2026-11-29", 120, "2");
    let mut incomplete = report("Langar Mall Road", "2026-11-30", 1, "2");
    incomplete
        .answers
        .as_object_mut()
        .expect("object")
        .remove("meals_served");
    let mut elsewhere = report("Far away", "2026-11-30", 1, "1");
    elsewhere.area = other_area();
    let got = block(
        r,
        r.reg.ingest_submissions(
            &surveyor,
            "device-1",
            &[
                a.clone(),
                b.clone(),
                c.clone(),
                incomplete.clone(),
                elsewhere.clone(),
            ],
        ),
    )
    .expect("ingest");
    assert_eq!((got.stored, got.already), (3, 0));
    let refused: Vec<Uuid> = got.refused.iter().map(|x| x.id).collect();
    assert_eq!(refused, [incomplete.id, elsewhere.id]);
    assert!(
        got.refused[0].reason.contains("meals_served"),
        "{:?}",
        got.refused
    );
    let twice = block(
        r,
        r.reg
            .ingest_submissions(&surveyor, "device-1", std::slice::from_ref(&a)),
    )
    .expect("again");
    assert_eq!((twice.stored, twice.already), (0, 1));

    // The form's page: per site per day, and what is missing.
    let monitor_id = r.user("province", &["PK1"]);
    let monitor = block(r, r.reg.acting_user(&monitor_id)).expect("monitor");
    let page = block(
        r,
        r.reg
            .form_report(&monitor, "meal_centre_daily", "2026-11-29", "2026-11-30"),
    )
    .expect("page");
    assert_eq!(page.days, ["2026-11-29", "2026-11-30"]);
    assert_eq!(page.total, 3);
    let sites: Vec<(&str, &[u64])> = page
        .sites
        .iter()
        .map(|s| (s.site.as_str(), s.per_day.as_slice()))
        .collect();
    assert_eq!(
        sites,
        [
            ("Langar Mall Road", &[1u64, 1][..]),
            ("Panahgah Data Darbar", &[1u64, 0][..])
        ]
    );
    assert_eq!(page.missing.len(), 1);
    assert_eq!(
        (page.missing[0].day.as_str(), page.missing[0].site.as_str()),
        ("2026-11-30", "Panahgah Data Darbar")
    );
    let rows = block(
        r,
        r.reg.submissions_in(
            Some(&monitor),
            "meal_centre_daily",
            "PK1",
            "",
            "",
            (String::new(), String::new()),
            100,
        ),
    )
    .expect("rows");
    assert_eq!(rows.len(), 3);
    // In (day, id) order; the answers come back as sent.
    let days: Vec<&str> = rows.iter().map(|s| s.day.as_str()).collect();
    assert_eq!(days, ["2026-11-29", "2026-11-29", "2026-11-30"]);
    let first = rows.iter().find(|s| s.id == a.id.to_string()).expect("a");
    assert_eq!(first.answers["meals_served"], json!(400));

    // Another province's monitor sees nothing.
    let province = &other_area()[..3];
    let other_id = r.user("province", &[province]);
    let other = block(r, r.reg.acting_user(&other_id)).expect("other");
    let theirs = block(
        r,
        r.reg
            .form_report(&other, "meal_centre_daily", "2026-11-29", "2026-11-30"),
    )
    .expect("their page");
    assert_eq!(theirs.total, 0);
    assert!(theirs.sites.is_empty() && theirs.missing.is_empty());
    assert!(block(r, r.reg.forms(Some(&other)))
        .expect("list")
        .is_empty());
    assert!(block(
        r,
        r.reg.submissions_in(
            Some(&other),
            "meal_centre_daily",
            "PK1",
            "",
            "",
            (String::new(), String::new()),
            100,
        )
    )
    .is_err());
}

on_both!(
    publish_fill_and_count_on_sqlite,
    publish_fill_and_count_on_postgres,
    publish_fill_and_count
);

/// A tablet receives the forms of its areas with sync, keeps every version, keeps a draft on the
/// version it was started with after a new version is published, and sends its reports with the
/// next sync, each stored once.
fn a_tablet_fills_and_sends<S: Storage + ConsoleStorage>(r: &mut TestRegistry<S>) {
    let mut d = r.device(&[AREA]);
    // Nothing published: nothing received.
    d.sync();
    assert!(d.store.forms().expect("forms").is_empty());
    block(
        r,
        r.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            MEAL_CENTRE.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("publish");
    d.sync();
    let held = d.store.forms().expect("forms");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].source, MEAL_CENTRE.as_bytes());

    // A draft on version 1; version 2 is published; the tablet holds both and the draft stays on 1.
    let draft = d
        .store
        .start_report("meal_centre_daily", "1", AREA, 1_780_000_000_000)
        .expect("start");
    d.store
        .save_report(
            draft.id,
            &json!({"site": "Langar Mall Road", "date": "2026-11-30", "site_kind": "meal_centre"})
                .to_string(),
            1_780_000_000_001,
        )
        .expect("save");
    block(
        r,
        r.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            version_2().as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("publish v2");
    let report = d.sync();
    assert_eq!(report.reports_sent, 0, "a draft is not sent");
    let versions: Vec<String> = d
        .store
        .forms()
        .expect("forms")
        .into_iter()
        .map(|f| f.version)
        .collect();
    assert_eq!(versions, ["1", "2"]);
    let kept = d.store.report(draft.id).expect("read").expect("kept");
    assert_eq!((kept.version.as_str(), kept.state.as_str()), ("1", "draft"));

    // Submitted incomplete, it comes back refused with the reason and stays editable.
    d.store
        .submit_report(draft.id, 1_780_000_000_002)
        .expect("submit");
    let report = d.sync();
    assert_eq!((report.reports_sent, report.reports_refused), (0, 1));
    let back = d.store.report(draft.id).expect("read").expect("kept");
    assert_eq!(back.state, "refused");
    assert!(
        back.refusal
            .as_deref()
            .unwrap_or("")
            .contains("meals_served"),
        "{back:?}"
    );

    // Completed and submitted again: stored with version 1, once.
    d.store
        .save_report(
            draft.id,
            &json!({"site": "Langar Mall Road", "date": "2026-11-30", "site_kind": "meal_centre",
                    "meals_served": 355})
            .to_string(),
            1_780_000_000_003,
        )
        .expect("save");
    d.store
        .submit_report(draft.id, 1_780_000_000_004)
        .expect("submit");
    let report = d.sync();
    assert_eq!((report.reports_sent, report.reports_refused), (1, 0));
    assert_eq!(
        d.store.report(draft.id).expect("read").expect("kept").state,
        "sent"
    );
    assert!(
        d.store
            .save_report(draft.id, "{}", 1_780_000_000_005)
            .is_err(),
        "sent is final"
    );
    assert_eq!(d.sync().reports_sent, 0, "nothing left to send");

    let rows = block(
        r,
        r.reg.submissions_in(
            None,
            "meal_centre_daily",
            AREA,
            "",
            "",
            (String::new(), String::new()),
            100,
        ),
    )
    .expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].version.as_str(), rows[0].site.as_str()),
        ("1", "Langar Mall Road")
    );
    assert_eq!(rows[0].answers["meals_served"], json!(355));

    // The export: one row, columns named after the form's questions (both versions'), no name.
    let (exported, csv, book) = meal_reports_csv(r);
    assert_eq!(exported, 1);
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    for c in [
        "submission_id",
        "form_version",
        "site",
        "day",
        "meals_served",
        "volunteers",
    ] {
        assert!(header.contains(&c), "{c} in {header:?}");
    }
    let row: Vec<&str> = lines.next().expect("row").split(',').collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).expect(name)];
    assert_eq!(col("site"), "Langar Mall Road");
    assert_eq!(col("meals_served"), "355");
    assert_eq!(col("day"), "2026-11-30");
    assert_eq!(col("form_version"), "1");
    assert!(lines.next().is_none());
    assert!(
        book.contains("meal_centre"),
        "the choices are in the codebook: {book}"
    );
}

on_both!(
    a_tablet_fills_and_sends_on_sqlite,
    a_tablet_fills_and_sends_on_postgres,
    a_tablet_fills_and_sends
);

/// What a tablet's pulls asked for and received, seen on its link.
#[derive(Default)]
struct Seen {
    /// The versions each pull named as held.
    held: Vec<Vec<(String, String)>>,
    /// The versions received (form, version, source bytes), over every page.
    received: Vec<(String, String, usize)>,
}

/// A tablet's link that records its pulls' forms.
struct Watch {
    inner: Box<dyn shumari_sync::Transport>,
    seen: std::sync::Arc<std::sync::Mutex<Seen>>,
}

impl shumari_sync::Transport for Watch {
    fn call(
        &mut self,
        endpoint: shumari_sync::Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, shumari_sync::TransportError> {
        use shumari_sync::proto::{Message as _, PullRequest, PullResponse};
        let asked = (endpoint == shumari_sync::Endpoint::Pull)
            .then(|| PullRequest::decode(&body).expect("a pull"));
        let out = self.inner.call(endpoint, token, body)?;
        if let Some(req) = asked {
            let resp = PullResponse::decode(&out).expect("a page");
            let mut seen = self.seen.lock().expect("seen");
            seen.held.push(
                req.held_forms
                    .into_iter()
                    .map(|h| (h.form_id, h.version))
                    .collect(),
            );
            for f in resp.forms.unwrap_or_default() {
                seen.received.push((f.form_id, f.version, f.source.len()));
            }
        }
        Ok(out)
    }
}

/// A tablet's pull names the versions it holds and receives only the others: the first pull
/// brings the form, a quiet pull no form bytes, a new version exactly that version.
fn forms_travel_only_when_new<S: Storage>(r: &mut TestRegistry<S>) {
    let mut d = r.device(&[AREA]);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Seen::default()));
    let inner = std::mem::replace(&mut d.transport, r.transport());
    d.transport = Box::new(Watch {
        inner,
        seen: seen.clone(),
    });
    let take = || std::mem::take(&mut *seen.lock().expect("seen"));
    block(
        r,
        r.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            MEAL_CENTRE.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("publish");

    // First pull: holding nothing, it names nothing and receives version 1.
    d.sync();
    let first = take();
    assert!(first.held.iter().all(Vec::is_empty), "{:?}", first.held);
    let got: Vec<(&str, &str, usize)> = first
        .received
        .iter()
        .map(|(f, v, n)| (f.as_str(), v.as_str(), *n))
        .collect();
    assert_eq!(
        got,
        [("meal_centre_daily", "1", MEAL_CENTRE.len())],
        "once, with its source"
    );

    // A quiet round: every pull names version 1, and no form travels.
    d.sync();
    let quiet = take();
    assert!(!quiet.held.is_empty());
    for held in &quiet.held {
        assert_eq!(held, &[("meal_centre_daily".to_string(), "1".to_string())]);
    }
    assert!(quiet.received.is_empty(), "{:?}", quiet.received);

    // Version 2 published: exactly that version travels, and the tablet holds both.
    let v2 = version_2();
    block(
        r,
        r.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            v2.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("publish v2");
    d.sync();
    let next = take();
    let got: Vec<(&str, &str, usize)> = next
        .received
        .iter()
        .map(|(f, v, n)| (f.as_str(), v.as_str(), *n))
        .collect();
    assert_eq!(got, [("meal_centre_daily", "2", v2.len())]);
    let versions: Vec<String> = d
        .store
        .forms()
        .expect("forms")
        .into_iter()
        .map(|f| f.version)
        .collect();
    assert_eq!(versions, ["1", "2"]);
    d.sync();
    assert!(take().received.is_empty(), "quiet again");

    // A device that names nothing (an earlier build) still receives every version.
    let all = block(r, r.reg.forms_for_areas_lacking(&[AREA.into()], &[])).expect("all");
    assert_eq!(all.len(), 2);
    let held_v1 = [shumari_sync::proto::HeldForm {
        form_id: "meal_centre_daily".into(),
        version: "1".into(),
    }];
    let lacking =
        block(r, r.reg.forms_for_areas_lacking(&[AREA.into()], &held_v1)).expect("lacking");
    assert_eq!(
        lacking
            .iter()
            .map(|f| f.version.as_str())
            .collect::<Vec<_>>(),
        ["2"]
    );
}

on_both!(
    forms_travel_only_when_new_on_sqlite,
    forms_travel_only_when_new_on_postgres,
    forms_travel_only_when_new
);

/// A tablet's link that loses the first page carrying reviewers' decisions after the registry
/// sent it.
struct LoseReviews {
    inner: Box<dyn shumari_sync::Transport>,
    lost: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl shumari_sync::Transport for LoseReviews {
    fn call(
        &mut self,
        endpoint: shumari_sync::Endpoint,
        token: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, shumari_sync::TransportError> {
        use shumari_sync::proto::{Message as _, PullResponse};
        let pull = endpoint == shumari_sync::Endpoint::Pull;
        let out = self.inner.call(endpoint, token, body)?;
        let carries = pull
            && PullResponse::decode(&out).is_ok_and(|p| p.reviews.is_some_and(|v| !v.is_empty()));
        if carries && !self.lost.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return Err(shumari_sync::TransportError::Unreachable(
                "the test lost the page".into(),
            ));
        }
        Ok(out)
    }

    fn registry(&self) -> Option<&str> {
        self.inner.registry()
    }
}

/// Review of a report: submitted from the tablet, returned with a note (a surveyor may not decide,
/// a supervisor of another district does not find it, a return needs a note), seen on the tablet
/// once, corrected and sent again as a report that replaces it, approved; the form's figures and its
/// export count the correction alone, and the chain keeps both reports with their decisions.
fn a_report_is_returned_corrected_and_approved<S: Storage + ConsoleStorage>(
    r: &mut TestRegistry<S>,
) {
    use shumari_domain::review::Decision;

    block(
        r,
        r.reg.publish_form(
            None,
            "meal_centre_daily.toml",
            MEAL_CENTRE.as_bytes(),
            &[AREA.into()],
        ),
    )
    .expect("publish");
    let mut d = r.device(&[AREA]);
    d.sync();
    let first = d.file_report(
        "meal_centre_daily",
        "1",
        AREA,
        &meal_report(9000),
        1_780_000_000_000,
    );
    assert_eq!(d.sync().reports_sent, 1);
    let id = first.id.to_string();

    // Who may decide, and where.
    let supervisor_id = r.user("supervisor", &[AREA]);
    let supervisor = block(r, r.reg.acting_user(&supervisor_id)).expect("supervisor");
    let surveyor_id = r.user("surveyor", &[AREA]);
    let surveyor = block(r, r.reg.acting_user(&surveyor_id)).expect("surveyor");
    let e = block(
        r,
        r.reg.review_report(&surveyor, &id, Decision::Approved, ""),
    )
    .expect_err("a surveyor does not review");
    assert!(matches!(e, RegistryError::Forbidden(_)), "{e:?}");
    let other = other_area();
    let elsewhere_id = r.user("supervisor", &[other.as_str()]);
    let elsewhere = block(r, r.reg.acting_user(&elsewhere_id)).expect("elsewhere");
    let e = block(
        r,
        r.reg
            .review_report(&elsewhere, &id, Decision::Returned, "no"),
    )
    .expect_err("another district's supervisor");
    assert!(matches!(e, RegistryError::NotFound(_)), "{e:?}");
    let e = block(
        r,
        r.reg
            .review_report(&supervisor, &id, Decision::Returned, "  "),
    )
    .expect_err("a return says why");
    assert!(matches!(e, RegistryError::BadRequest(_)), "{e:?}");

    // Returned with a note: the tablet sees it on its next sync, and only once.
    let chain = block(
        r,
        r.reg.review_report(
            &supervisor,
            &id,
            Decision::Returned,
            "9000 meals in a day? Count again",
        ),
    )
    .expect("return");
    assert_eq!(chain.chain.len(), 1);
    assert_eq!(chain.chain[0].report.status, "returned");
    let e = block(
        r,
        r.reg
            .review_report(&supervisor, &id, Decision::Approved, ""),
    )
    .expect_err("a returned report is not approved");
    assert!(matches!(e, RegistryError::Transition(_)), "{e:?}");
    let device_id = block(r, async {
        Ok(r.reg
            .storage
            .submission(&id)
            .await?
            .expect("stored")
            .device_id)
    })
    .expect("device");
    let pending = block(r, async {
        Ok(r.reg.storage.decisions_after(&device_id, 0, 10).await?)
    })
    .expect("decisions");
    assert_eq!(pending.len(), 1);
    // The page carrying the decision is lost on the way (the registry built and sent it, the
    // tablet never read it): the tablet's pull, tried again, still brings it.
    let lost = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let inner = std::mem::replace(&mut d.transport, r.transport());
    d.transport = Box::new(LoseReviews {
        inner,
        lost: lost.clone(),
    });
    d.sync();
    assert!(
        lost.load(std::sync::atomic::Ordering::SeqCst),
        "a page with the decision was lost"
    );
    let back = d.store.report(first.id).expect("read").expect("kept");
    assert_eq!(back.state, "returned");
    assert_eq!(
        back.review_note.as_deref(),
        Some("9000 meals in a day? Count again")
    );
    assert!(
        !back.editable(),
        "a returned report is corrected as a new one"
    );
    // The tablet now names that decision as the last it holds: the next pull brings none.
    let registry = d
        .store
        .kv_get("sync.registry_url")
        .expect("kv")
        .unwrap_or_default();
    assert_eq!(
        d.store
            .reviews_after(registry.trim_end_matches('/'))
            .expect("position"),
        u64::try_from(pending[0].seq).expect("seq")
    );
    let quiet = d.sync();
    assert_eq!(quiet.reports_sent, 0);
    assert_eq!(
        d.store.report(first.id).expect("read").expect("kept").state,
        "returned"
    );

    // Corrected and sent again, naming the report it replaces.
    let fix = d.file_correction(first.id, &meal_report(900), 1_780_000_000_010);
    assert_eq!(fix.replaces, Some(first.id));
    assert_eq!(
        d.store
            .correct_report(first.id, 1_780_000_000_014)
            .expect("again")
            .id,
        fix.id,
        "one correction per returned report"
    );
    let sent = d.sync();
    assert_eq!((sent.reports_sent, sent.reports_refused), (1, 0));
    let old = block(r, async { Ok(r.reg.storage.submission(&id).await?) })
        .expect("read")
        .expect("kept");
    assert_eq!(old.status, "replaced");

    // A second correction of the same returned report is refused by name.
    let mut twice = report("Langar Mall Road", "2026-11-30", 901, "1");
    twice
        .answers
        .as_object_mut()
        .expect("object")
        .insert("@replaces".into(), json!(id));
    let surveyor_of_device = block(r, async {
        let row = r.reg.storage.submission(&id).await?.expect("stored");
        r.reg.acting_user(&row.user_id).await
    })
    .expect("the device's user");
    let got = block(
        r,
        r.reg
            .ingest_submissions(&surveyor_of_device, &device_id, &[twice]),
    )
    .expect("ingest");
    assert_eq!(got.stored, 0);
    assert!(
        got.refused[0].reason.contains("replaced"),
        "{:?}",
        got.refused
    );

    // Approved; the tablet sees it.
    let chain = block(
        r,
        r.reg
            .review_report(&supervisor, &fix.id.to_string(), Decision::Approved, ""),
    )
    .expect("approve");
    let statuses: Vec<&str> = chain
        .chain
        .iter()
        .map(|x| x.report.status.as_str())
        .collect();
    assert_eq!(statuses, ["replaced", "approved"]);
    assert_eq!(chain.chain[1].report.replaces.as_deref(), Some(id.as_str()));
    let returned = &chain.chain[0].decisions;
    assert_eq!(returned.len(), 1);
    assert_eq!(
        (returned[0].decision.as_str(), returned[0].by.as_str()),
        ("returned", supervisor_id.as_str())
    );
    assert_eq!(returned[0].note, "9000 meals in a day? Count again");
    d.sync();
    assert_eq!(
        d.store.report(fix.id).expect("read").expect("kept").state,
        "approved"
    );
    assert_eq!(
        d.store.report(first.id).expect("read").expect("kept").state,
        "returned"
    );

    // The figures and the export count the correction alone.
    let monitor_id = r.user("province", &["PK1"]);
    let monitor = block(r, r.reg.acting_user(&monitor_id)).expect("monitor");
    let page = block(
        r,
        r.reg
            .form_report(&monitor, "meal_centre_daily", "2026-11-30", "2026-11-30"),
    )
    .expect("page");
    assert_eq!(page.total, 1);
    let (exported, csv, _) = meal_reports_csv(r);
    assert_eq!(exported, 1);
    assert!(csv.contains(&fix.id.to_string()), "{csv}");
    assert!(!csv.contains(&id), "{csv}");
    assert!(!csv.contains("9000"), "{csv}");
}

on_both!(
    a_report_is_returned_corrected_and_approved_on_sqlite,
    a_report_is_returned_corrected_and_approved_on_postgres,
    a_report_is_returned_corrected_and_approved
);

/// The meal centre reports exported as CSV by a district officer of `AREA`: rows, the file and
/// its codebook.
fn meal_reports_csv<S: Storage + ConsoleStorage>(r: &TestRegistry<S>) -> (u64, String, String) {
    let district = r.user("district", &[AREA]);
    let user = block(r, r.reg.acting_user(&district)).expect("district");
    let out = tempfile::tempdir().expect("dir");
    let req = shumari_exports::ExportRequest {
        what: shumari_exports::What::Submissions,
        format: shumari_exports::Format::Csv,
        area: None,
        since: None,
        form: Some("meal_centre_daily".into()),
    };
    let manifest =
        r.rt.block_on(shumari_exports::export(&r.reg, &user, &req, out.path()))
            .expect("export");
    let csv = std::fs::read_to_string(out.path().join("submissions.csv")).expect("csv");
    let book = std::fs::read_to_string(out.path().join("submissions.codebook.csv")).expect("book");
    (manifest.rows, csv, book)
}
