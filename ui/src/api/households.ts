import { call } from './core';
import type { Area, ExportedFile, HouseholdStatus, HouseholdSummary, StatusCounts, SyncMark } from './types';

/** What the list filters by: an interview status, a sync state, or open conflicts. */
export type ListFilter = HouseholdStatus | SyncMark | 'conflict';

export const listAreas = () => call<Area[]>('list_areas');

export const householdCounts = () => call<StatusCounts>('household_counts');

export interface HouseholdQuery {
  query?: string;
  status?: ListFilter | null;
  areaCode?: string | null;
}

/** Search by head's name, CNIC (with or without dashes) or reference number. */
export const listHouseholds = (q: HouseholdQuery = {}) =>
  call<HouseholdSummary[]>('list_households', {
    query: q.query ?? '',
    status: q.status ?? null,
    areaCode: q.areaCode ?? null,
  });

export const createHousehold = (areaCode: string) =>
  call<HouseholdSummary>('create_household', { areaCode });

/** Households that left this tablet's area with changes the registry has not received. */
export const leftAreaHouseholds = () => call<HouseholdSummary[]>('left_area_households');

/** Writes them to a JSON Lines file on the tablet; resolves with its path and size. */
export const exportLeftArea = () => call<ExportedFile>('export_left_area');

/** Writes every household the registry has not received to a file in the data directory. */
export const exportUnsent = () => call<ExportedFile>('export_unsent');
