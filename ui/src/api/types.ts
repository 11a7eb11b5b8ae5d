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
  | 'cnic'
  | 'phone'
  | 'date'
  | 'gps'
  | 'note';

export interface Choice {
  value: string;
  label: Text;
}

export interface Question {
  name: string;
  kind: QuestionKind;
  label: Text;
  hint?: Text | null;
  required: boolean;
  choices?: Choice[];
}

export interface Section {
  id: string;
  label: Text;
  /** A repeat section is the member roster: its questions are asked once per member. */
  repeat: boolean;
  questions: Question[];
}

export interface FormDef {
  id: string;
  version: string;
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
  points: number;
}

export interface PmtResult {
  score: number;
  threshold: number;
  eligible: boolean;
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
