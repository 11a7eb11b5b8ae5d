import { fireEvent, render, screen } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import StoreBackup from './StoreBackup.svelte';
import { setLanguage } from '../lib/i18n.svelte';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => {
  mocked.mockReset();
});
afterEach(() => setLanguage('en'));

const written = { path: '/data/backups/store-20261130T101500Z', at: '2026-11-30T10:15:00Z', bytes: 40960 };

it('shows the store size and no backup, then backs up now and shows where it went', async () => {
  let last: typeof written | null = null;
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'store_info') return { sizeBytes: 3 * 1024 * 1024, lastBackup: last };
    if (cmd === 'back_up_now') {
      last = written;
      return written;
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(StoreBackup);
  expect((await screen.findByTestId('store-size')).textContent).toBe('3.0 MB');
  expect(screen.getByTestId('last-backup').textContent).toBe('Never');

  await fireEvent.click(screen.getByRole('button', { name: 'Back up now' }));
  expect((await screen.findByTestId('backup-written')).textContent).toContain(written.path);
  expect(mocked).toHaveBeenCalledWith('back_up_now', undefined);
  expect(screen.getByTestId('last-backup').textContent).not.toBe('Never');
});

it('says in Urdu why a backup failed', async () => {
  setLanguage('ur');
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'store_info') return { sizeBytes: 100, lastBackup: null };
    throw { code: 'io', message: 'disk full' };
  });
  render(StoreBackup);
  await fireEvent.click(await screen.findByRole('button', { name: 'ابھی بیک اپ کریں' }));
  expect((await screen.findByRole('alert')).textContent).not.toBe('');
});

it('shows nothing while the store is locked', async () => {
  mocked.mockRejectedValue({ code: 'locked', message: 'locked' });
  render(StoreBackup);
  await new Promise((r) => setTimeout(r, 10));
  expect(screen.queryByTestId('store-backup')).toBeNull();
  expect(screen.queryByRole('alert')).toBeNull();
});
