import { call } from './core';
import type { SyncStatus } from './types';

export const syncStatus = () => call<SyncStatus>('sync_status');

/** Starts a sync in the background and returns at once; poll `syncStatus` for progress. */
export const syncNow = () => call<SyncStatus>('sync_now');
