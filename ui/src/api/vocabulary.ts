// The UI's words for values the field app core sends as plain strings or JSON (crates/app documents
// each one where it sends it). The generated types.ts uses these names and re-exports them.

export type Lang = 'en' | 'ur';

/** An interview's status (crates/app/src/dto.rs, `HouseholdSummary.status`): the workflow's. */
export type HouseholdStatus = 'draft' | 'complete' | 'submitted' | 'returned' | 'approved' | 'rejected';
export const STATUSES: HouseholdStatus[] = ['draft', 'complete', 'submitted', 'returned', 'approved', 'rejected'];

/** Whether the registry has a household's changes (`HouseholdSummary.sync`), apart from its status. */
export type SyncMark = 'waiting' | 'synced';
export const SYNC_MARKS: SyncMark[] = ['waiting', 'synced'];

/** What the sync worker is doing (crates/app/src/sync.rs, `SyncStatus.state`). */
export type SyncState = 'idle' | 'running' | 'offline' | 'error';

/** One answer: text, a number, a multiple choice's values, a GPS point, or nothing yet. */
export type AnswerValue = string | number | string[] | { lat: number; lon: number; accuracy?: number | null } | null;
