import { call } from './core';
import type { SessionInfo } from './types';

export const sessionStatus = () => call<SessionInfo>('session_status');

export const enroll = (registryUrl: string, code: string, pin: string) =>
  call<SessionInfo>('enroll', { registryUrl, code, pin });

/** Rejects with code `wrong_pin` when the PIN does not open the store; nothing is lost. */
export const unlock = (pin: string) => call<SessionInfo>('unlock', { pin });

export const lock = () => call<void>('lock');
