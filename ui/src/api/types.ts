// Shapes returned by the field app core (crates/app, serialised with camelCase field names).

export type Lang = 'en' | 'ur';
/** A text in every UI language, as the questionnaire carries it. */
export type Text = { en: string; ur: string };

export type HouseholdStatus = 'draft' | 'complete' | 'synced' | 'conflict';
export const STATUSES: HouseholdStatus[] = ['draft', 'complete', 'synced', 'conflict'];

export type StatusCounts = Record<HouseholdStatus, number>;

export interface SessionInfo {
  enrolled: boolean;
  unlocked: boolean;
  deviceId: string | null;
  registryUrl: string | null;
  surveyor: string | null;
}

export interface Area {
  code: string;
  name: string;
  counts: StatusCounts;
}

export interface HouseholdSummary {
  id: string;
  reference: string;
  headName: string;
  headCnic: string;
  areaCode: string;
  status: HouseholdStatus;
  memberCount: number;
  updatedAt: string;
}

export type QuestionKind =
  | 'text'
  | 'integer'
  | 'decimal'
  | 'select_one'
  | 'select_multiple'
  | 'date'
  | 'cnic'
  | 'gps'
  | 'note'
  | 'acknowledge'
  | 'calculate'
  | 'group';

export interface Choice {
  value: string;
  label: Text;
}

/** A question of the questionnaire (crates/app/src/questionnaire.rs), or a group of questions. */
export interface Question {
  name: string;
  kind: QuestionKind;
  label: Text;
  hint?: Text | null;
  /** The form says `required = yes`; conditional requirements come as issues. */
  required: boolean;
  readOnly?: boolean;
  /** XLSForm appearance (`minimal`, `numbers`, ...). */
  appearance?: string;
  choices?: Choice[];
  /** The choices offered depend on other answers: see `Interview.choices`. */
  filtered?: boolean;
  /** The questions of a group. */
  questions?: Question[];
}

export interface Section {
  id: string;
  /** Null for an untitled run of questions between groups. */
  label: Text | null;
  hint?: Text | null;
  /** A repeat section is the member roster: its questions are asked once per member. */
  repeat: boolean;
  questions: Question[];
}

export interface FormDef {
  id: string;
  version: string;
  title?: Text | null;
  sections: Section[];
}

export type AnswerValue = string | number | string[] | { lat: number; lon: number; accuracy?: number | null } | null;

export interface Member {
  id: string;
  answers: Record<string, AnswerValue>;
}

export interface Issue {
  field: string;
  memberId: string | null;
  code: string;
  message: Text;
}

export interface PmtContribution {
  label: Text;
  /** The household's value for the variable (null for the constant). */
  value: AnswerValue | boolean;
  points: number;
}

export interface PmtResult {
  score: number;
  threshold: number;
  eligible: boolean;
  modelVersion: string;
  contributions: PmtContribution[];
}

export interface Interview {
  householdId: string;
  reference: string;
  headName: string;
  areaCode: string;
  status: HouseholdStatus;
  answers: Record<string, AnswerValue>;
  members: Member[];
  /** Names of the questions whose relevance (skip logic) currently holds; `member:<id>:<name>` for roster questions. */
  visible: string[];
  issues: Issue[];
  /** Odd but allowed (e.g. a CNIC's last digit and the sex); never blocks completion. */
  warnings: Issue[];
  /** Values the form calculates, keyed like `visible`. */
  calculated: Record<string, AnswerValue | boolean>;
  /** Choices offered, keyed like `visible`, for questions whose choices depend on other answers. */
  choices: Record<string, string[]>;
  pmt: PmtResult | null;
  updatedAt: string;
}

export interface ConflictValue {
  value: AnswerValue;
  author: string;
  writtenAt: string;
}

export interface Conflict {
  householdId: string;
  reference: string;
  field: string;
  memberId: string | null;
  label: Text;
  values: ConflictValue[];
}

export type SyncState = 'idle' | 'running' | 'offline' | 'error';

export interface SyncStatus {
  state: SyncState;
  lastSyncAt: string | null;
  pending: number;
  bytesSent: number;
  bytesReceived: number;
  /** 0..1 while running. */
  progress: number;
  error: { code: string; message: string } | null;
  nextAttemptAt: string | null;
}

export interface Settings {
  language: Lang;
  textScale: number;
}
