// The UI's words for values the field app core sends as plain strings or JSON (crates/app documents
// each one where it sends it). The generated types.ts uses these names and re-exports them.

export type Lang = 'en' | 'ur';

/** A household's status as the UI shows it (crates/app/src/dto.rs, `HouseholdSummary.status`). */
export type HouseholdStatus = 'draft' | 'complete' | 'synced' | 'conflict';
export const STATUSES: HouseholdStatus[] = ['draft', 'complete', 'synced', 'conflict'];

/** What the sync worker is doing (crates/app/src/sync.rs, `SyncStatus.state`). */
export type SyncState = 'idle' | 'running' | 'offline' | 'error';

/** One answer: text, a number, a multiple choice's values, a GPS point, or nothing yet. */
export type AnswerValue = string | number | string[] | { lat: number; lon: number; accuracy?: number | null } | null;
