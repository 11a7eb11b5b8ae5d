import { render, screen } from '@testing-library/svelte';
import SyncProgress from './SyncProgress.svelte';
import { setLanguage } from '../lib/i18n.svelte';
import type { SyncStatus } from '../api/types';
import en from '../i18n/en.json';
import ur from '../i18n/ur.json';

afterEach(() => setLanguage('en'));

const cutOff = (code: string): SyncStatus => ({
  state: 'error',
  lastSyncAt: null,
  pending: 3,
  bytesSent: 0,
  bytesReceived: 0,
  progress: 0,
  error: { code, message: 'this device was revoked at the registry' },
  nextAttemptAt: null,
});

it('SyncProgress tells the surveyor in plain words that the tablet was revoked, in English and Urdu', () => {
  render(SyncProgress, { status: cutOff('revoked') });
  const alert = screen.getByRole('alert').textContent ?? '';
  expect(alert).toContain(en['error.revoked']);
  expect(alert).toMatch(/safe on this tablet/);
  expect(alert).toMatch(/supervisor/);
  document.body.innerHTML = '';
  setLanguage('ur');
  render(SyncProgress, { status: cutOff('revoked') });
  expect(screen.getByRole('alert').textContent).toContain(ur['error.revoked']);
});

it('SyncProgress says an expired tablet needs a new enrollment code', () => {
  render(SyncProgress, { status: cutOff('expired') });
  expect(screen.getByRole('alert').textContent).toContain(en['error.expired']);
});
