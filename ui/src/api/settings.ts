import { call } from './core';
import type { BackupInfo, Settings, StoreInfo } from './types';

export const getSettings = () => call<Settings>('get_settings');

export const setSettings = (settings: Settings) => call<Settings>('set_settings', { settings });

/** The store's size on disk and its last backup. */
export const storeInfo = () => call<StoreInfo>('store_info');

/** Writes an encrypted copy of the store to the backups folder now; keeps the last five. */
export const backUpNow = () => call<BackupInfo>('back_up_now');
