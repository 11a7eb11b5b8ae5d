import { fireEvent, render, screen } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import UnsentExport from './UnsentExport.svelte';
import { setLanguage } from '../lib/i18n.svelte';
import type { SyncStatus } from '../api/types';
import en from '../i18n/en.json';
import ur from '../i18n/ur.json';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => mocked.mockReset());
afterEach(() => setLanguage('en'));

const status = (pending: number, code: string | null): SyncStatus => ({
  state: code ? 'error' : 'idle',
  lastSyncAt: null,
  pending,
  bytesSent: 0,
  bytesReceived: 0,
  progress: 0,
  error: code ? { code, message: 'cut off' } : null,
  nextAttemptAt: null,
});

it('a revoked tablet is offered the export of what the registry has not received, and it is written', async () => {
  mocked.mockResolvedValue({ path: '/data/exports/unsent-20261129T190000Z.jsonl', count: 3 });
  render(UnsentExport, { status: status(3, 'revoked') });
  expect(screen.getByTestId('unsent').textContent).toContain(en['unsent.cutOff']);
  await fireEvent.click(screen.getByTestId('unsent-export'));
  expect(mocked).toHaveBeenCalledWith('export_unsent', undefined);
  const done = await screen.findByTestId('unsent-exported');
  expect(done.textContent).toContain('3 households written to');
  expect(done.textContent).toContain('unsent-20261129T190000Z.jsonl');
});

it('the offer is plain while the tablet still syncs, in Urdu too, and absent when nothing waits', () => {
  setLanguage('ur');
  render(UnsentExport, { status: status(2, null) });
  expect(screen.getByTestId('unsent').textContent).toContain(ur['unsent.intro']);
  document.body.innerHTML = '';
  render(UnsentExport, { status: status(0, null) });
  expect(screen.queryByTestId('unsent')).toBeNull();
});

it('while the file is written the button says so and cannot start a second export', async () => {
  let finish: (v: unknown) => void = () => {};
  mocked.mockReturnValue(new Promise((resolve) => (finish = resolve)));
  render(UnsentExport, { status: status(5, null) });
  const button = screen.getByTestId('unsent-export') as HTMLButtonElement;
  await fireEvent.click(button);
  expect(button.disabled).toBe(true);
  expect(button.getAttribute('aria-busy')).toBe('true');
  expect(button.textContent).toContain(en['leftArea.exporting']);
  await fireEvent.click(button);
  expect(mocked).toHaveBeenCalledTimes(1);
  finish({ path: '/data/exports/unsent.jsonl', count: 5 });
  await screen.findByTestId('unsent-exported');
  expect(button.disabled).toBe(false);
  expect(button.textContent).toContain(en['leftArea.export']);
});
