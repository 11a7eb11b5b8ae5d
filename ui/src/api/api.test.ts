import { invoke } from '@tauri-apps/api/core';
import { ApiError } from './core';
import { listHouseholds } from './households';
import { setAnswer } from './interview';
import { unlock } from './session';
import { resolveConflict } from './conflicts';
import { setSettings } from './settings';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => {
  mocked.mockReset();
});

it('passes camelCase arguments to the named command', async () => {
  mocked.mockResolvedValue([]);
  await listHouseholds({ query: 'Ali', status: 'draft' });
  expect(mocked).toHaveBeenCalledWith('list_households', { query: 'Ali', status: 'draft', areaCode: null });

  await setAnswer('h1', 'cnic', '35202-1234567-1', 'm1');
  expect(mocked).toHaveBeenLastCalledWith('set_answer', { householdId: 'h1', memberId: 'm1', field: 'cnic', value: '35202-1234567-1' });

  await resolveConflict('h1', 'roof', null, 1);
  expect(mocked).toHaveBeenLastCalledWith('resolve_conflict', { householdId: 'h1', field: 'roof', memberId: null, valueIndex: 1 });

  await setSettings({ language: 'ur', textScale: 1.2, autoLockMinutes: 5 });
  expect(mocked).toHaveBeenLastCalledWith('set_settings', { settings: { language: 'ur', textScale: 1.2, autoLockMinutes: 5 } });
});

it('turns the {code, message} rejection into an ApiError', async () => {
  mocked.mockRejectedValue({ code: 'wrong_pin', message: 'wrong PIN' });
  const err = await unlock('000000').catch((e) => e);
  expect(err).toBeInstanceOf(ApiError);
  expect(err.code).toBe('wrong_pin');
  expect(err.message).toBe('wrong PIN');
});

it('wraps unexpected rejections as internal errors', async () => {
  mocked.mockRejectedValue('boom');
  const err = await unlock('1').catch((e) => e);
  expect(err.code).toBe('internal');
});
