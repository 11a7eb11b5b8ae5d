import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import Interview from './Interview.svelte';
import Unlock from './Unlock.svelte';
import Enroll from './Enroll.svelte';
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
  await fireEvent.input(screen.getByLabelText('PIN'), { target: { value: '999999' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
  expect((await screen.findByTestId('unlock-error')).textContent).toMatch(/not correct/);
  expect(ondone).not.toHaveBeenCalled();
});

it('Unlock counts down the wait after too many wrong PINs and then allows a try', async () => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  try {
    let wait = 0;
    mocked.mockImplementation(async (cmd) => {
      if (cmd === 'session_status') return { enrolled: true, unlocked: false, deviceId: null, registryUrl: null, surveyor: null, failedUnlocks: wait ? 6 : 5, unlockWaitSecs: wait };
      if (cmd === 'unlock') {
        wait = 30;
        throw { code: 'wrong_pin', message: 'wrong pin' };
      }
      throw new Error(`unexpected ${cmd}`);
    });
    render(Unlock, { ondone: vi.fn() });
    await fireEvent.input(screen.getByLabelText('PIN'), { target: { value: '999999' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Unlock' }));
    expect((await screen.findByTestId('unlock-wait')).textContent).toMatch(/Try again in 30 s/);
    await fireEvent.input(screen.getByLabelText('PIN'), { target: { value: '246813' } });
    expect((screen.getByRole('button', { name: 'Unlock' }) as HTMLButtonElement).disabled).toBe(true);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(screen.getByTestId('unlock-wait').textContent).toMatch(/Try again in 20 s/);
    await vi.advanceTimersByTimeAsync(20_000);
    await waitFor(() => expect(screen.queryByTestId('unlock-wait')).toBeNull());
    expect((screen.getByRole('button', { name: 'Unlock' }) as HTMLButtonElement).disabled).toBe(false);
  } finally {
    vi.useRealTimers();
  }
});

it('Enroll sends the district CA file the surveyor picked, and none when none was picked', async () => {
  mocked.mockResolvedValue({ enrolled: true, unlocked: true, deviceId: 'd', registryUrl: 'https://r', surveyor: null, failedUnlocks: 0, unlockWaitSecs: 0 });
  const fill = async () => {
    await fireEvent.input(screen.getByLabelText('Registry address'), { target: { value: 'https://registry.district.lan:8443' } });
    await fireEvent.input(screen.getByLabelText('Enrollment code'), { target: { value: 'ABCD-EFGH-JKMN' } });
    await fireEvent.input(screen.getByLabelText(/^New PIN/), { target: { value: '864213' } });
    await fireEvent.input(screen.getByLabelText('Type the PIN again'), { target: { value: '864213' } });
  };
  const first = render(Enroll, { ondone: vi.fn() });
  await fill();
  await fireEvent.click(screen.getByRole('button', { name: 'Enroll this tablet' }));
  await waitFor(() => expect(mocked).toHaveBeenCalledWith('enroll', expect.objectContaining({ caPem: null })));
  first.unmount();

  mocked.mockClear();
  const ondone = vi.fn();
  render(Enroll, { ondone });
  await fill();
  const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
  const file = new File([pem], 'district-ca.pem', { type: 'application/x-pem-file' });
  await fireEvent.change(screen.getByTestId('enroll-ca'), { target: { files: [file] } });
  await screen.findByText('district-ca.pem');
  await fireEvent.click(screen.getByRole('button', { name: 'Enroll this tablet' }));
  await waitFor(() => expect(ondone).toHaveBeenCalled());
  expect(mocked).toHaveBeenCalledWith('enroll', {
    registryUrl: 'https://registry.district.lan:8443',
    code: 'ABCD-EFGH-JKMN',
    pin: '864213',
    caPem: pem,
  });
});

it('Interview follows skip logic and shows the CNIC error from the core', async () => {
  let state = interview({
    members: [{ id: 'm1', answers: { age: 4 } }],
    visible: ['area', 'consent', 'electricity', 'member:m1:name', 'member:m1:age', 'member:m1:id_number'],
    calculated: { household_size: 1, 'member:m1:age_years': 4 },
  });
  mocked.mockImplementation(async (cmd, args) => {
    const a = args as Record<string, unknown>;
    if (cmd === 'get_form') return form;
    if (cmd === 'open_interview') return state;
    if (cmd === 'set_answer') {
      if (a.field === 'electricity') {
        state = { ...state, answers: { ...state.answers, electricity: a.value as string }, visible: a.value === 'yes' ? [...state.visible, 'electricity_bill'] : state.visible.filter((v) => v !== 'electricity_bill') };
      }
      if (a.field === 'age') {
        const old = Number(a.value) >= 5;
        state = { ...state, visible: old ? [...state.visible, 'member:m1:literate'] : state.visible.filter((v) => v !== 'member:m1:literate') };
      }
      if (a.field === 'id_number') {
        state = {
          ...state,
          issues: [{ field: 'id_number', memberId: 'm1', code: 'constraint', message: { en: 'A CNIC has 13 digits.', ur: 'شناختی کارڈ میں 13 ہندسے ہوتے ہیں۔' } }],
          warnings: [{ field: 'id_number', memberId: 'm1', code: 'cnic_warning', message: { en: 'Check the last digit.', ur: 'آخری ہندسہ دیکھیں۔' } }],
        };
      }
      return state;
    }
    throw { code: 'not_found', message: cmd };
  });
  const { container } = render(Interview, { householdId: 'h1' });
  await screen.findByText('Electricity?');
  expect(screen.queryByLabelText('Electricity bill')).toBeNull();
  await fireEvent.click(screen.getByLabelText('Yes'));
  await waitFor(() => expect(screen.getByLabelText('Electricity bill')).toBeTruthy());
  await fireEvent.click(screen.getByLabelText('No'));
  await waitFor(() => expect(screen.queryByLabelText('Electricity bill')).toBeNull());

  // Calculated questions are never drawn; a group appears only when one of its questions is asked.
  expect(container.querySelector('[data-field="age_years"]')).toBeNull();
  expect(container.querySelector('[data-field="household_size"]')).toBeNull();
  expect(screen.queryByTestId('group-m-m1-education_group')).toBeNull();
  await fireEvent.input(screen.getByLabelText('Age'), { target: { value: '7' } });
  await waitFor(() => expect(screen.getByTestId('group-m-m1-education_group')).toBeTruthy());
  expect(screen.getByRole('group', { name: 'Education' })).toBeTruthy();

  // The area is shown, not editable.
  expect((screen.getByLabelText(/Area code/) as HTMLInputElement).readOnly).toBe(true);

  await fireEvent.input(screen.getByLabelText('CNIC'), { target: { value: '12345' } });
  expect((await screen.findByTestId('error-m-m1-id_number')).textContent).toBe('A CNIC has 13 digits.');
  expect(screen.getByTestId('warning-m-m1-id_number').textContent).toBe('Check the last digit.');
  expect(mocked).toHaveBeenCalledWith('set_answer', { householdId: 'h1', memberId: 'm1', field: 'id_number', value: '12345' });
});

it('Interview sends OK for an acknowledgement and shows visible notes', async () => {
  const state = interview({ visible: ['area', 'consent', 'electricity', 'roster_note'] });
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'get_form') return form;
    return state;
  });
  render(Interview, { householdId: 'h1' });
  expect(await screen.findByText('Add the head first.')).toBeTruthy();
  await fireEvent.click(screen.getByLabelText(/The respondent agreed/));
  await waitFor(() =>
    expect(mocked).toHaveBeenCalledWith('set_answer', { householdId: 'h1', memberId: null, field: 'consent', value: 'OK' }),
  );
  // Untitled sections are not in the section list.
  const nav = screen.getByRole('navigation', { name: 'Sections' });
  expect([...nav.querySelectorAll('a')].map((a) => a.textContent)).toEqual(['Identification', 'Utilities', 'Members']);
});

it('Households lists results and searches', async () => {
  const rows = Array.from({ length: 10000 }, (_, i) => ({
    id: `h${i}`, reference: `SHM-${i}`, headName: `Head ${i}`, headCnic: '', areaCode: 'A', status: 'draft', sync: 'synced', conflictCount: 0, memberCount: 3, updatedAt: '',
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
