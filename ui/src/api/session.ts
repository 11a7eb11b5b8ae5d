import { call } from './core';
import type { SessionInfo } from './types';

export const sessionStatus = () => call<SessionInfo>('session_status');

/** `caPem`: the district office's certificate authority (PEM text), when it runs its own; the tablet
 * then trusts only that CA for the registry. */
export const enroll = (registryUrl: string, code: string, pin: string, caPem: string | null = null) =>
  call<SessionInfo>('enroll', { registryUrl, code, pin, caPem });

/** Rejects with code `wrong_pin` when the PIN does not open the store; nothing is lost. */
export const unlock = (pin: string) => call<SessionInfo>('unlock', { pin });

export const lock = () => call<void>('lock');
