import { call } from './core';
import type { Conflict } from './types';

export const listConflicts = () => call<Conflict[]>('list_conflicts');

/** Keeps `values[valueIndex]` for the field; the others are discarded on every device after sync. */
export const resolveConflict = (
  householdId: string,
  field: string,
  memberId: string | null,
  valueIndex: number,
) => call<Conflict[]>('resolve_conflict', { householdId, field, memberId, valueIndex });
