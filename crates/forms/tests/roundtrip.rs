//! Round trip of generated answers over the whole corpus: every form that loads is filled with
//! seeded answers ([`corpus_support::generate`]: relevant questions only, values the engine accepts
//! where the generator finds one, repeat rows as `repeat_count` asks), and a spoiled copy of each
//! ([`corpus_support::spoil`]: answers removed or of the wrong shape) is made; both are validated, written out as
//! the household JSON the app exports (and as its text), read back with
//! `Instance::from_household_json`, and validated again. Whatever the engine said before, it says
//! again: a household it accepted as complete stays complete, with identical findings, in every
//! language of the form.
//!
//! The roster travels as `members`, every other repeat's rows under `repeats`, so every form of the
//! corpus goes through.

mod corpus_support;

use corpus_support::{corpus, generate, household_json, spoil, today};
use shumari_forms::{Form, Instance};

const SEEDS: [u64; 3] = [1, 7, 2024];

/// How many forms round-tripped, and how many of those were complete.
#[derive(Default, Debug)]
struct Tally {
    forms: usize,
    through_json: usize,
    complete: usize,
    incomplete: usize,
    filled_incomplete: Vec<String>,
}

/// Round-trips one household; whether the engine found it complete.
fn round_trip(file: &str, form: &Form, inst: Instance, seed: u64, tally: &mut Tally) -> bool {
    let json = household_json(&inst);
    // Through the JSON text too: numbers and text survive serialisation.
    let text = serde_json::to_string(&json).expect("JSON");
    let parsed: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(parsed, json, "{file}: the JSON text reads back the same");
    let again = Instance::from_household_json(&parsed)
        .unwrap_or_else(|e| panic!("{file} (seed {seed}): {e}"));
    tally.through_json += 1;
    for lang in form.message_languages() {
        let before = form.validate(&inst, &lang, today());
        let after = form.validate(&again, &lang, today());
        assert_eq!(
            before, after,
            "{file} (seed {seed}, language `{lang}`): findings changed after the round trip"
        );
        if lang == form.message_languages()[0] {
            if before.is_complete() {
                tally.complete += 1;
            } else {
                tally.incomplete += 1;
            }
        }
    }
    let e1 = form.evaluate(&inst, "", today());
    let e2 = form.evaluate(&again, "", today());
    assert_eq!(e1, e2, "{file} (seed {seed}): evaluation changed");
    e1.is_complete()
}

#[test]
fn generated_answers_validate_the_same_after_export_and_import() {
    let mut tally = Tally::default();
    for f in corpus() {
        let Ok(loaded) = Form::load(&f.load_name, &f.bytes) else {
            continue;
        };
        tally.forms += 1;
        for seed in SEEDS {
            let filled = generate(&loaded.form, seed);
            let mut spoiled = filled.clone();
            spoil(&mut spoiled, seed);
            // Every filled household is complete, whether or not the contract can carry it.
            if !loaded.form.evaluate(&filled, "", today()).is_complete() {
                tally
                    .filled_incomplete
                    .push(format!("{} (seed {seed})", f.file));
            }
            round_trip(&f.file, &loaded.form, filled, seed, &mut tally);
            round_trip(&f.file, &loaded.form, spoiled, seed, &mut tally);
        }
    }
    println!("{tally:?}");
    assert!(tally.forms >= 20, "{tally:?}");
    // Filled households are complete (the generator fills what the engine asks for), spoiled
    // ones often not: both kinds of finding travel.
    assert_eq!(tally.filled_incomplete, Vec::<String>::new(), "{tally:?}");
    assert!(
        tally.incomplete * 4 > tally.through_json / 2,
        "too few incomplete households: {tally:?}"
    );
}

/// The generator is deterministic: the same seed fills a form the same way.
#[test]
fn the_generator_is_seeded() {
    let f = corpus_support::corpus_form("household_survey_long.md");
    let form = Form::load(&f.load_name, &f.bytes).expect("loads").form;
    assert_eq!(generate(&form, 5), generate(&form, 5));
    assert_ne!(generate(&form, 5), generate(&form, 6));
}

/// The largest form, filled by the generator, is complete: every relevant question of every
/// section, the roster included, gets a value the engine accepts, and that survives the round trip.
#[test]
fn the_long_household_survey_is_filled_completely_and_round_trips() {
    let f = corpus_support::corpus_form("household_survey_long.md");
    let form = Form::load(&f.load_name, &f.bytes).expect("loads").form;
    for seed in SEEDS {
        let inst = generate(&form, seed);
        let v = form.validate(&inst, "en", today());
        assert!(
            v.is_complete(),
            "seed {seed}: missing {:?}, invalid {:?}",
            v.missing,
            v.invalid
        );
        assert!(!inst.repeats["members"].is_empty());
        let again = Instance::from_household_json(&household_json(&inst)).expect("imports");
        assert_eq!(form.validate(&again, "en", today()), v);
    }
}

/// Rows of a repeat other than the roster travel under `repeats`; a malformed one is refused with
/// its path.
#[test]
fn other_repeats_travel_under_repeats() {
    let inst = Instance::from_household_json(&serde_json::json!({
        "answers": {},
        "repeats": {"plots": [{"id": "p1", "answers": {"size": 2}}, {"answers": {"size": 3}}]}
    }))
    .unwrap();
    let rows = &inst.repeats["plots"];
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0].key.as_str(), rows[1].key.as_str()), ("p1", "1"));
    assert_eq!(rows[1].answers["size"], 3);
    for (bad, path) in [
        (serde_json::json!({"repeats": []}), "repeats"),
        (
            serde_json::json!({"repeats": {"plots": {}}}),
            "repeats.plots",
        ),
        (
            serde_json::json!({"repeats": {"plots": [{"id": "p", "size": 1}]}}),
            "plots.p.size",
        ),
        (
            serde_json::json!({"repeats": {"members": []}}),
            "repeats.members",
        ),
    ] {
        match Instance::from_household_json(&bad) {
            Err(shumari_forms::FormError::Instance { path: p, .. }) => assert_eq!(p, path, "{bad}"),
            other => panic!("{bad}: {other:?}"),
        }
    }
}
