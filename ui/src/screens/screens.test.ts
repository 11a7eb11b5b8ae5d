import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import Interview from './Interview.svelte';
import Unlock from './Unlock.svelte';
import Households from './Households.svelte';
import { form, interview } from '../test/fixtures';
import { setLanguage } from '../lib/i18n.svelte';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => {
  mocked.mockReset();
});
afterEach(() => setLanguage('en'));

it('Unlock says the PIN is wrong and keeps the screen', async () => {
  mocked.mockRejectedValue({ code: 'wrong_pin', message: 'wrong pin' });
  const ondone = vi.fn();
  render(Unlock, { ondone });
  await fireEvent.input(screen.getByLabelText('PIN'), { target: { value: '9999' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
  expect((await screen.findByTestId('unlock-error')).textContent).toMatch(/not correct/);
  expect(ondone).not.toHaveBeenCalled();
});

it('Interview follows skip logic and shows the CNIC error from the core', async () => {
  let state = interview({ members: [{ id: 'm1', answers: {} }], visible: ['has_toilet', 'member:m1:name', 'member:m1:cnic'] });
  mocked.mockImplementation(async (cmd, args) => {
    const a = args as Record<string, unknown>;
    if (cmd === 'get_form') return form;
    if (cmd === 'open_interview') return state;
    if (cmd === 'set_answer') {
      if (a.field === 'has_toilet') {
        state = { ...state, answers: { has_toilet: a.value as string }, visible: a.value === 'yes' ? [...state.visible, 'toilet_type'] : state.visible.filter((v) => v !== 'toilet_type') };
      }
      if (a.field === 'cnic') {
        state = { ...state, issues: [{ field: 'cnic', memberId: 'm1', code: 'cnic', message: { en: 'A CNIC has 13 digits.', ur: 'شناختی کارڈ میں 13 ہندسے ہوتے ہیں۔' } }] };
      }
      return state;
    }
    throw { code: 'not_found', message: cmd };
  });
  render(Interview, { householdId: 'h1' });
  await screen.findByText('Has toilet?');
  expect(screen.queryByLabelText('Toilet type')).toBeNull();
  await fireEvent.click(screen.getByLabelText('Yes'));
  await waitFor(() => expect(screen.getByLabelText('Toilet type')).toBeTruthy());
  await fireEvent.click(screen.getByLabelText('No'));
  await waitFor(() => expect(screen.queryByLabelText('Toilet type')).toBeNull());

  await fireEvent.input(screen.getByLabelText('CNIC'), { target: { value: '12345' } });
  expect((await screen.findByTestId('error-m-m1-cnic')).textContent).toBe('A CNIC has 13 digits.');
  expect(mocked).toHaveBeenCalledWith('set_answer', { householdId: 'h1', memberId: 'm1', field: 'cnic', value: '12345' });
});

it('Households lists results and searches', async () => {
  const rows = Array.from({ length: 10000 }, (_, i) => ({
    id: `h${i}`, reference: `SHM-${i}`, headName: `Head ${i}`, headCnic: '', areaCode: 'A', status: 'draft', memberCount: 3, updatedAt: '',
  }));
  mocked.mockImplementation(async (_cmd, args) => {
    const q = (args as { query: string }).query;
    return q ? rows.filter((r) => r.headName === q) : rows;
  });
  render(Households, {});
  expect((await screen.findByTestId('household-count')).textContent).toBe('10000 households');
  expect(screen.getAllByTestId('household-row').length).toBeLessThan(60);
  await fireEvent.input(screen.getByTestId('household-search'), { target: { value: 'Head 42' } });
  await waitFor(() => expect(screen.getByTestId('household-count').textContent).toBe('1 households'));
});
