//! The UI's TypeScript types (`ui/src/api/types.ts`) are generated from the DTOs the app core sends
//! (`#[derive(ts_rs::TS)]` in `dto.rs`, `questionnaire.rs`, `form_preview.rs` and `sync.rs`). This test renders them and
//! fails when the checked-in file differs, leaving the fresh rendering in the temp directory.
//!
//! After changing a DTO, regenerate the file with:
//!
//! ```sh
//! SHUMARI_WRITE_UI_TYPES=1 cargo test -p shumari-app --test ui_types
//! ```

use shumari_app::assignments::AssignmentView;
use shumari_app::backups::{BackupInfo, StoreInfo};
use shumari_app::bundles::{BundleLoaded, BundleSaved};
use shumari_app::form_preview::{FormCheck, FormProblem, PreviewOpened, PreviewState, TypeCount};
use shumari_app::questionnaire::{Choice, FormDef, Kind, Question, RangeDef, Section};
use shumari_app::reports::{DeviceForm, ReportOpened, ReportView};
use shumari_app::sync::{SyncError, SyncStatus};
use shumari_app::{
    AreaInfo, ConflictValueView, ConflictView, ExportedFile, HouseholdSummary, Interview, Issue,
    MemberView, PmtContribution, PmtResult, ReviewView, SessionInfo, Settings, StatusCounts, Text,
    VerificationView,
};
use std::collections::BTreeSet;
use std::path::Path;
use ts_rs::{Config, TS};

const HEADER: &str = "\
// Generated from the field app core's DTOs (crates/app/src: dto.rs, questionnaire.rs, form_preview.rs,
// sync.rs, backups.rs, assignments.rs, reports.rs) by crates/app/tests/ui_types.rs. Do not edit: change the Rust types, then run
//   SHUMARI_WRITE_UI_TYPES=1 cargo test -p shumari-app --test ui_types
// Values the core sends as plain strings or JSON are named in ./vocabulary.ts.

import type { AnswerValue, HouseholdStatus, Lang, SyncMark, SyncState } from './vocabulary';
export type { AnswerValue, HouseholdStatus, Lang, SyncMark, SyncState } from './vocabulary';
export { STATUSES, SYNC_MARKS } from './vocabulary';
";

/// Names the header brings in from `vocabulary.ts`.
const VOCABULARY: [&str; 4] = ["AnswerValue", "HouseholdStatus", "Lang", "SyncState"];

/// Collects each type's declaration and the names it refers to.
struct Rendered {
    cfg: Config,
    out: String,
    declared: BTreeSet<String>,
    referenced: BTreeSet<String>,
}

impl Rendered {
    fn add<T: TS + 'static>(&mut self) -> &mut Self {
        let decl = format!(
            "{}export {}",
            T::docs().unwrap_or_default(),
            T::decl(&self.cfg)
        );
        self.out.push('\n');
        self.out.push_str(&tidy(&decl));
        self.declared.insert(T::ident(&self.cfg));
        for dep in T::dependencies(&self.cfg) {
            self.referenced.insert(dep.ts_name);
        }
        self
    }
}

/// One field per line, indented, without trailing blanks (ts-rs writes an object's fields flush left).
fn tidy(decl: &str) -> String {
    let mut out = String::new();
    let mut in_object = false;
    for line in decl.lines().map(str::trim_end) {
        if let Some(last) = line.strip_suffix(" };").filter(|_| in_object) {
            out.push_str(&format!("  {last}\n}};\n"));
            in_object = false;
        } else if in_object {
            out.push_str(&format!("  {line}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
            in_object = line.ends_with("= {");
        }
    }
    out
}

/// The whole file, in the order a reader meets the types.
fn render() -> Rendered {
    // u64 counts and byte totals arrive as JSON numbers.
    let mut r = Rendered {
        cfg: Config::new().with_large_int("number"),
        out: HEADER.to_string(),
        declared: BTreeSet::new(),
        referenced: BTreeSet::new(),
    };
    r.add::<Text>()
        .add::<SessionInfo>()
        .add::<StatusCounts>()
        .add::<AreaInfo>()
        .add::<HouseholdSummary>()
        .add::<ExportedFile>()
        .add::<Kind>()
        .add::<Choice>()
        .add::<RangeDef>()
        .add::<Question>()
        .add::<Section>()
        .add::<FormDef>()
        .add::<MemberView>()
        .add::<Issue>()
        .add::<PmtContribution>()
        .add::<PmtResult>()
        .add::<ReviewView>()
        .add::<VerificationView>()
        .add::<Interview>()
        .add::<ConflictValueView>()
        .add::<ConflictView>()
        .add::<SyncError>()
        .add::<SyncStatus>()
        .add::<Settings>()
        .add::<BackupInfo>()
        .add::<StoreInfo>()
        .add::<BundleSaved>()
        .add::<BundleLoaded>()
        .add::<FormProblem>()
        .add::<TypeCount>()
        .add::<FormCheck>()
        .add::<PreviewState>()
        .add::<PreviewOpened>()
        .add::<AssignmentView>()
        .add::<DeviceForm>()
        .add::<ReportView>()
        .add::<ReportOpened>();
    r
}

#[test]
fn every_type_the_ui_gets_is_declared() {
    let r = render();
    let missing: Vec<_> = r.referenced.difference(&r.declared).collect();
    assert!(missing.is_empty(), "add these to render(): {missing:?}");
    for word in VOCABULARY {
        assert!(r.out[HEADER.len()..].contains(word), "{word} is used");
    }
}

#[test]
fn ui_types_are_up_to_date() {
    let fresh = render().out;
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/api/types.ts");
    if std::env::var_os("SHUMARI_WRITE_UI_TYPES").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != fresh {
        let tmp = std::env::temp_dir().join("shumari-ui-types.ts");
        std::fs::write(&tmp, &fresh).unwrap();
        panic!(
            "ui/src/api/types.ts is stale: the DTOs render to {} (compare with diff). Regenerate with\n  \
             SHUMARI_WRITE_UI_TYPES=1 cargo test -p shumari-app --test ui_types",
            tmp.display()
        );
    }
}
