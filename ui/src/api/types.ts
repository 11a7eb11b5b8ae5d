// Generated from the field app core's DTOs (crates/app/src: dto.rs, questionnaire.rs, form_preview.rs,
// sync.rs, backups.rs, assignments.rs, reports.rs) by crates/app/tests/ui_types.rs. Do not edit: change the Rust types, then run
//   SHUMARI_WRITE_UI_TYPES=1 cargo test -p shumari-app --test ui_types
// Values the core sends as plain strings or JSON are named in ./vocabulary.ts.

import type { AnswerValue, HouseholdStatus, Lang, SyncMark, SyncState } from './vocabulary';
export type { AnswerValue, HouseholdStatus, Lang, SyncMark, SyncState } from './vocabulary';
export { STATUSES, SYNC_MARKS } from './vocabulary';

/**
 * A text in every UI language.
 */
export type Text = {
  /**
   * English.
   */
  en: string,
  /**
   * Urdu.
   */
  ur: string,
};

/**
 * The state of the session, asked at start-up.
 */
export type SessionInfo = {
  /**
   * The device has a store and an enrollment.
   */
  enrolled: boolean,
  /**
   * The store is open.
   */
  unlocked: boolean,
  /**
   * Short device id (part of every reference number), once unlocked.
   */
  deviceId: string | null,
  /**
   * Registry address given at enrollment.
   */
  registryUrl: string | null,
  /**
   * The user edits are attributed to, once unlocked.
   */
  surveyor: string | null,
  /**
   * Wrong PINs since the last unlock (read before unlocking; the first five cost no wait).
   */
  failedUnlocks: number,
  /**
   * Seconds before an unlock may be tried (0: now); the lock screen counts them down.
   */
  unlockWaitSecs: number,
};

/**
 * Household counts by interview status, and separately by sync state and conflicts (a household is
 * counted once among the statuses and once among `waiting`/`synced`).
 */
export type StatusCounts = {
  /**
   * Being filled in.
   */
  draft: number,
  /**
   * Marked complete, not yet acknowledged by the registry.
   */
  complete: number,
  /**
   * Received by the registry, waiting for review.
   */
  submitted: number,
  /**
   * Sent back by a reviewer to correct.
   */
  returned: number,
  /**
   * Approved by a reviewer.
   */
  approved: number,
  /**
   * Rejected by a reviewer.
   */
  rejected: number,
  /**
   * Holding changes the registry has not received yet.
   */
  waiting: number,
  /**
   * Everything on the device is at the registry.
   */
  synced: number,
  /**
   * With at least one conflicting field.
   */
  conflict: number,
};

/**
 * An assigned area with its counts.
 */
export type Area = {
  /**
   * P-code.
   */
  code: string,
  /**
   * English name.
   */
  name: string,
  /**
   * Households by status.
   */
  counts: StatusCounts,
};

/**
 * One row of the household list: the domain's `HouseholdSummary` as the UI shows it (UI status, dashed
 * CNIC, "" for what is not known yet), under the names the UI has always read.
 */
export type HouseholdSummary = {
  /**
   * Household id.
   */
  id: string,
  /**
   * Reference number.
   */
  reference: string,
  /**
   * Head's name ("" until known).
   */
  headName: string,
  /**
   * Head's CNIC, dashed ("" until known).
   */
  headCnic: string,
  /**
   * Area code.
   */
  areaCode: string,
  /**
   * The interview's status: `draft`, `complete`, `submitted`, `returned`, `approved`, `rejected`.
   */
  status: HouseholdStatus,
  /**
   * Whether the registry has everything: `waiting` (changes not yet received) or `synced`.
   */
  sync: SyncMark,
  /**
   * Fields holding concurrent values.
   */
  conflictCount: number,
  /**
   * Members on the roster.
   */
  memberCount: number,
  /**
   * Last change (RFC 3339).
   */
  updatedAt: string,
};

/**
 * A file the app wrote for the surveyor to hand over.
 */
export type ExportedFile = {
  /**
   * Where it is.
   */
  path: string,
  /**
   * How many households it holds.
   */
  count: number,
};

/**
 * Kinds of question the UI knows how to draw.
 */
export type QuestionKind = "text" | "integer" | "decimal" | "select_one" | "select_multiple" | "date" | "cnic" | "gps" | "note" | "acknowledge" | "calculate" | "group" | "time" | "date_time" | "range" | "rank" | "barcode" | "geotrace" | "geoshape" | "file" | "unsupported";

/**
 * A choice of a select question.
 */
export type Choice = {
  /**
   * Stored value.
   */
  value: string,
  /**
   * Label.
   */
  label: Text,
};

/**
 * A `range` question's scale.
 */
export type RangeDef = {
  /**
   * First value (the lowest, unless `end` is lower).
   */
  start: number,
  /**
   * Last value.
   */
  end: number,
  /**
   * Distance between allowed values (never zero).
   */
  step: number,
};

/**
 * One question (or a group of questions).
 */
export type Question = {
  /**
   * Name (answers are keyed by it).
   */
  name: string,
  /**
   * Kind.
   */
  kind: QuestionKind,
  /**
   * Label.
   */
  label: Text,
  /**
   * Help text.
   */
  hint?: Text | null,
  /**
   * The form marks it required (`yes`); conditional requirements are reported as issues.
   */
  required: boolean,
  /**
   * Shown but not editable.
   */
  readOnly?: boolean,
  /**
   * XLSForm appearance (`minimal`, `numbers`, `field-list`, ...).
   */
  appearance?: string,
  /**
   * Choices for select questions (all of them; see `filtered`).
   */
  choices?: Array<Choice>,
  /**
   * The choices depend on other answers: the interview lists the ones offered (`choices`).
   */
  filtered?: boolean,
  /**
   * The scale of a `range` question.
   */
  range?: RangeDef,
  /**
   * For a `file` question: `image`, `audio`, `video` or `file`.
   */
  media?: string,
  /**
   * The questions of a group.
   */
  questions?: Array<Question>,
};

/**
 * A section; the `repeat` section is asked once per member.
 */
export type Section = {
  /**
   * Id (the group's name, or the first question's for an untitled section).
   */
  id: string,
  /**
   * Heading (none for an untitled section).
   */
  label: Text | null,
  /**
   * Help text.
   */
  hint?: Text | null,
  /**
   * The member roster.
   */
  repeat: boolean,
  /**
   * Questions in order.
   */
  questions: Array<Question>,
};

/**
 * The whole questionnaire.
 */
export type FormDef = {
  /**
   * Form id (recorded on each household).
   */
  id: string,
  /**
   * Form version (recorded on each household).
   */
  version: string,
  /**
   * Title.
   */
  title?: Text | null,
  /**
   * Sections in order.
   */
  sections: Array<Section>,
};

/**
 * A member as the interview shows it: every answer by question name.
 */
export type Member = {
  /**
   * Member id.
   */
  id: string,
  /**
   * Answers by question name (core fields and member answers alike).
   */
  answers: Record<string, AnswerValue>,
};

/**
 * A problem to fix before the interview can be completed.
 */
export type Issue = {
  /**
   * Question name (or `members` for roster-wide rules).
   */
  field: string,
  /**
   * The member, for roster questions.
   */
  memberId: string | null,
  /**
   * `required`, `constraint`, `cnic`, `duplicate`, `invalid`, `no_members`, `no_head`, `cnic_warning`.
   */
  code: string,
  /**
   * What to do, in both languages.
   */
  message: Text,
};

/**
 * One variable's share of the PMT score.
 */
export type PmtContribution = {
  /**
   * The variable.
   */
  label: Text,
  /**
   * The household's value for it (`null` for the constant).
   */
  value: AnswerValue | boolean,
  /**
   * Points added (or removed).
   */
  points: number,
};

/**
 * Provisional proxy means test score (`shumari_forms::pmt_model()`).
 */
export type PmtResult = {
  /**
   * 0-100, lower is poorer.
   */
  score: number,
  /**
   * Eligibility cut-off of the model's first programme that applies to this household (the
   * disability cut-off when a member has a disability).
   */
  threshold: number,
  /**
   * `score <= threshold`.
   */
  eligible: boolean,
  /**
   * The model's version (the shipped model is illustrative).
   */
  modelVersion: string,
  /**
   * Why: the points of each variable; they sum to the score.
   */
  contributions: Array<PmtContribution>,
};

/**
 * A reviewer's decision as the interview shows it ("Returned by Sana: check the rooms").
 */
export type Review = {
  /**
   * `approved`, `returned` or `rejected`.
   */
  decision: string,
  /**
   * The reviewer's name.
   */
  byName: string,
  /**
   * The reviewer's user id.
   */
  by: string,
  /**
   * When (RFC 3339).
   */
  at: string,
  /**
   * Why ("" when none was given).
   */
  comment: string,
  /**
   * The questions (field names) to look at, in the reviewer's order.
   */
  questions: Array<string>,
};

/**
 * What the national ID authority said of a member's CNIC/B-form number.
 */
export type Verification = {
  /**
   * `verified`, `not_found` or `mismatch`.
   */
  state: 'unverified' | 'verified' | 'not_found' | 'mismatch',
  /**
   * For a mismatch, the fields the authority holds otherwise (`name`, `father_or_husband_name`,
   * `date_of_birth`).
   */
  fields: Array<string>,
  /**
   * When the registry applied the result (RFC 3339).
   */
  checkedAt: string,
};

/**
 * An interview as the UI renders it.
 */
export type Interview = {
  /**
   * Household id.
   */
  householdId: string,
  /**
   * Reference number (for the slip).
   */
  reference: string,
  /**
   * Head's name ("" until known).
   */
  headName: string,
  /**
   * Area code.
   */
  areaCode: string,
  /**
   * The interview's status (as in [`HouseholdSummary::status`]).
   */
  status: HouseholdStatus,
  /**
   * Fields holding concurrent values.
   */
  conflictCount: number,
  /**
   * The last review decision, if a reviewer has decided.
   */
  review: Review | null,
  /**
   * Household answers by question name.
   */
  answers: Record<string, AnswerValue>,
  /**
   * The roster.
   */
  members: Array<Member>,
  /**
   * Relevant questions and notes: `name`, or `member:<id>:<name>` for roster questions.
   */
  visible: Array<string>,
  /**
   * What blocks completion.
   */
  issues: Array<Issue>,
  /**
   * What looks odd but does not block completion (e.g. a CNIC's sex digit).
   */
  warnings: Array<Issue>,
  /**
   * Values the form calculates, by the same keys as `visible`.
   */
  calculated: Record<string, AnswerValue | boolean>,
  /**
   * For questions whose choices depend on other answers: the choices offered, by key.
   */
  choices: { [key in string]: Array<string> },
  /**
   * Provisional score, once there is enough to score.
   */
  pmt: PmtResult | null,
  /**
   * Last change (RFC 3339).
   */
  updatedAt: string,
  /**
   * Each member's identity verification with NADRA, by member id (members never checked
   * absent: they are unverified).
   */
  verifications: { [key in string]: Verification },
};

/**
 * One value of a conflicting field.
 */
export type ConflictValue = {
  /**
   * The value.
   */
  value: AnswerValue,
  /**
   * Who wrote it.
   */
  author: string,
  /**
   * When (RFC 3339), "" if unknown.
   */
  writtenAt: string,
};

/**
 * A conflicting field of a household.
 */
export type Conflict = {
  /**
   * Household id.
   */
  householdId: string,
  /**
   * Reference number.
   */
  reference: string,
  /**
   * Question name.
   */
  field: string,
  /**
   * The member, for roster questions.
   */
  memberId: string | null,
  /**
   * The question's label.
   */
  label: Text,
  /**
   * Every value, the current winner first.
   */
  values: Array<ConflictValue>,
};

/**
 * An error in plain words.
 */
export type SyncError = {
  /**
   * Machine code (translated by the UI).
   */
  code: string,
  /**
   * English detail.
   */
  message: string,
};

/**
 * What the sync screen shows.
 */
export type SyncStatus = {
  /**
   * `idle`, `running`, `offline` or `error`.
   */
  state: SyncState,
  /**
   * Last successful sync (RFC 3339).
   */
  lastSyncAt: string | null,
  /**
   * Households with changes the registry has not acknowledged.
   */
  pending: number,
  /**
   * Bytes sent in the current or last round.
   */
  bytesSent: number,
  /**
   * Bytes received in the current or last round.
   */
  bytesReceived: number,
  /**
   * 0..1 while running.
   */
  progress: number,
  /**
   * Why the last round failed.
   */
  error: SyncError | null,
  /**
   * When the worker tries next on its own.
   */
  nextAttemptAt: string | null,
};

/**
 * The UI's settings, kept outside the encrypted store so the unlock screen can use them.
 */
export type Settings = {
  /**
   * `en` or `ur`.
   */
  language: Lang,
  /**
   * Text size factor (1, 1.2, 1.4).
   */
  textScale: number,
  /**
   * Minutes without a touch or a key before the app locks itself (1 to 60; 5 unless changed).
   */
  autoLockMinutes: number,
};

/**
 * A backup that was written.
 */
export type BackupInfo = {
  /**
   * The folder written.
   */
  path: string,
  /**
   * When, RFC 3339 in UTC.
   */
  at: string,
  /**
   * Size of the copied database in bytes.
   */
  bytes: number,
};

/**
 * What the Settings screen shows about the store.
 */
export type StoreInfo = {
  /**
   * Bytes the store takes on disk.
   */
  sizeBytes: number,
  /**
   * The last backup, if any.
   */
  lastBackup: BackupInfo | null,
};

/**
 * A bundle saved for the registry.
 */
export type BundleSaved = {
  /**
   * The file written.
   */
  path: string,
  /**
   * Households it carries.
   */
  households: number,
  /**
   * Its size in bytes.
   */
  bytes: number,
};

/**
 * What loading a bundle from the registry did.
 */
export type BundleLoaded = {
  /**
   * Households received and applied.
   */
  received: number,
  /**
   * Households removed because they left this device's area.
   */
  removed: number,
  /**
   * Households whose changes the registry now holds.
   */
  acknowledged: number,
  /**
   * Households that could not be applied.
   */
  refused: number,
};

/**
 * One error or warning of a form source, located for its author.
 */
export type FormProblem = {
  /**
   * `survey`, `choices`, `settings`, `file`, or another sheet's name.
   */
  sheet: string,
  /**
   * Spreadsheet row (1 = header); 0 when it is not about one row.
   */
  row: number,
  /**
   * Column name; empty when it is not about one column.
   */
  column: string,
  /**
   * What is wrong (in English, the engine's words).
   */
  message: string,
};

/**
 * How many survey rows have one type.
 */
export type TypeCount = {
  /**
   * The type (`select_one LIST` counts as `select_one`).
   */
  type: string,
  /**
   * How many.
   */
  count: number,
};

/**
 * What the engine says about a form file, loaded or not.
 */
export type FormCheck = {
  /**
   * The picked file's name.
   */
  fileName: string,
  /**
   * `.xlsx`, `.xls`, `.ods` or `.toml`: how the bytes were read.
   */
  format: string,
  /**
   * The form loaded (no errors).
   */
  loaded: boolean,
  /**
   * Form id (from the settings, else the file's name).
   */
  id: string | null,
  /**
   * Form version (from the settings, else derived from the content).
   */
  version: string | null,
  /**
   * Language keys of the form's texts (`default` for the plain columns).
   */
  languages: Array<string>,
  /**
   * Survey rows by type (`end_group`/`end_repeat` not counted).
   */
  questions: Array<TypeCount>,
  /**
   * Why the form does not load.
   */
  errors: Array<FormProblem>,
  /**
   * What was read past or derived; the form still loads.
   */
  warnings: Array<FormProblem>,
};

/**
 * The preview's answers as the engine judged them.
 */
export type PreviewState = {
  /**
   * Answers outside repeats, by question name.
   */
  answers: Record<string, AnswerValue>,
  /**
   * The rows of each repeat (not inside another repeat), by the repeat's name.
   */
  rows: { [key in string]: Array<Member> },
  /**
   * Relevant questions and notes: `name`, or `member:<row>:<name>`.
   */
  visible: Array<string>,
  /**
   * Required answers missing and answers the form refuses (constraints, types, choices).
   */
  issues: Array<Issue>,
  /**
   * Values the form calculates, by the same keys as `visible`.
   */
  calculated: Record<string, AnswerValue | boolean>,
  /**
   * For questions whose choices depend on other answers: the choices offered, by key.
   */
  choices: { [key in string]: Array<string> },
  /**
   * Nothing missing, nothing refused.
   */
  complete: boolean,
};

/**
 * A form file opened for preview: its check, and when it loaded, the form and its first evaluation.
 */
export type PreviewOpened = {
  /**
   * What the engine says about the file.
   */
  check: FormCheck,
  /**
   * The form as the UI renders it (none when it did not load).
   */
  form: FormDef | null,
  /**
   * The empty form evaluated (none when it did not load).
   */
  state: PreviewState | null,
};

/**
 * One assignment as the field app and `household assignments` show it.
 */
export type AssignmentView = {
  /**
   * The registry's id.
   */
  id: string,
  /**
   * `area` or `household`.
   */
  kind: string,
  /**
   * The area's code (for a household, the area it is in).
   */
  area: string,
  /**
   * The area's name when the device knows it.
   */
  areaName: string | null,
  /**
   * The household's id (household assignments).
   */
  householdId: string | null,
  /**
   * The household's reference number (household assignments).
   */
  reference: string | null,
  /**
   * Households expected (area assignments with a target).
   */
  target: number | null,
  /**
   * Who assigned it.
   */
  assignedBy: string,
  /**
   * When (RFC 3339, UTC).
   */
  assignedAt: string,
  /**
   * Households done.
   */
  done: number,
  /**
   * Households expected.
   */
  total: number,
};

/**
 * A form this tablet holds, with its reports counted.
 */
export type DeviceForm = {
  /**
   * The form's id.
   */
  formId: string,
  /**
   * The newest version's title.
   */
  title: string,
  /**
   * The version new reports are started with (the newest held).
   */
  version: string,
  /**
   * Every version held, oldest first.
   */
  versions: Array<string>,
  /**
   * Reports being filled (drafts, and those the registry refused).
   */
  drafts: number,
  /**
   * Reports waiting for a sync.
   */
  queued: number,
  /**
   * Reports the registry stored (approved ones included).
   */
  sent: number,
  /**
   * Reports a reviewer returned that are not corrected yet.
   */
  returned: number,
};

/**
 * A report as listed.
 */
export type ReportView = {
  /**
   * Its id.
   */
  id: string,
  /**
   * The form.
   */
  formId: string,
  /**
   * The version it was started with.
   */
  version: string,
  /**
   * The area it reports from.
   */
  area: string,
  /**
   * `draft`, `queued`, `sent` or `refused`, or a reviewer's `approved`, `returned`,
   * `rejected`.
   */
  state: string,
  /**
   * Why the registry refused it.
   */
  refusal: string | null,
  /**
   * The reviewer's note (`approved`, `returned`, `rejected`).
   */
  reviewNote: string | null,
  /**
   * The reviewer's name.
   */
  reviewedBy: string | null,
  /**
   * The returned report this one corrects.
   */
  replaces: string | null,
  /**
   * The report correcting this returned one.
   */
  replacedBy: string | null,
  /**
   * The site it reports on, as answered ("" until answered).
   */
  site: string,
  /**
   * The day it reports on, as answered ("" until answered).
   */
  day: string,
  /**
   * Last saved (ms since epoch).
   */
  updatedAt: number,
};

/**
 * A report opened: the report, its form as the UI renders it, and the form evaluated.
 */
export type ReportOpened = {
  /**
   * The report.
   */
  report: ReportView,
  /**
   * Its form, in the version it was started with.
   */
  form: FormDef,
  /**
   * Its answers as the engine judged them.
   */
  state: PreviewState,
  /**
   * Whether it may still be changed.
   */
  editable: boolean,
};
