import { call } from './core';
import type { Area, HouseholdStatus, HouseholdSummary, StatusCounts } from './types';

export const listAreas = () => call<Area[]>('list_areas');

export const householdCounts = () => call<StatusCounts>('household_counts');

export interface HouseholdQuery {
  query?: string;
  status?: HouseholdStatus | null;
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
