import { call } from './core';
import type { Settings } from './types';

export const getSettings = () => call<Settings>('get_settings');

export const setSettings = (settings: Settings) => call<Settings>('set_settings', { settings });
