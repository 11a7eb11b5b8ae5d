// Reports: the Forms screen lists the forms sync brought and the reports on the tablet; the Report
// screen opens one with the version it was started with, saves each answer in the core, submits a
// complete one, and shows a submitted one read-only; a report a reviewer returned shows
// "returned: note" and is corrected as a new report that names it.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import Forms from './Forms.svelte';
import Report from './Report.svelte';
import type { DeviceForm, PreviewState, ReportOpened, ReportView } from '../api/types';
import { go, nav } from '../lib/nav.svelte';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => {
  mocked.mockReset();
  go({ name: 'forms' });
});

const mealCentre: DeviceForm = {
  formId: 'meal_centre_daily',
  title: 'Meal centre daily report',
  version: '2',
  versions: ['1', '2'],
  drafts: 1,
  queued: 0,
  sent: 3,
  returned: 0,
};

const draft: ReportView = {
  id: 'r-1',
  formId: 'meal_centre_daily',
  version: '1',
  area: 'PK10101',
  state: 'draft',
  refusal: null,
  reviewNote: null,
  reviewedBy: null,
  replaces: null,
  replacedBy: null,
  site: 'Langar Mall Road',
  day: '2026-11-30',
  updatedAt: 1,
};

const state = (over: Partial<PreviewState> = {}): PreviewState => ({
  answers: { site: 'Langar Mall Road' },
  rows: {},
  visible: ['site', 'meals_served'],
  issues: [{ field: 'meals_served', memberId: null, code: 'required', message: { en: 'This answer is required.', ur: 'یہ جواب ضروری ہے۔' } }],
  calculated: {},
  choices: {},
  complete: false,
  ...over,
});

const opened = (over: Partial<ReportOpened> = {}): ReportOpened => ({
  report: draft,
  form: {
    id: 'meal_centre_daily',
    version: '1',
    title: { en: 'Meal centre daily report', ur: 'لنگر خانے کی روزانہ رپورٹ' },
    sections: [
      {
        id: 'main',
        label: null,
        repeat: false,
        questions: [
          { name: 'site', kind: 'text', label: { en: 'Service point', ur: 'مرکز' }, required: true },
          { name: 'meals_served', kind: 'integer', label: { en: 'Meals served today', ur: 'آج کے کھانے' }, required: true },
        ],
      },
    ],
  },
  state: state(),
  editable: true,
  ...over,
});

it('Forms lists the forms held with their newest version and the reports with their state', async () => {
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'device_forms') return [mealCentre];
    if (cmd === 'list_reports') return [draft, { ...draft, id: 'r-2', state: 'refused', refusal: 'meals_served: required' }];
    throw new Error(`unexpected ${cmd}`);
  });
  render(Forms);
  expect((await screen.findByTestId('form-version-meal_centre_daily')).textContent).toBe('Version 2');
  const rows = screen.getAllByTestId('report-row');
  expect(rows).toHaveLength(2);
  expect(rows[0].textContent).toContain('Langar Mall Road');
  expect(rows[0].textContent).toContain('Draft');
  expect(rows[1].textContent).toContain('The registry refused this report: meals_served: required');
});

it('Forms says when no form has arrived yet', async () => {
  mocked.mockImplementation(async (cmd) => (cmd === 'device_forms' || cmd === 'list_reports' ? [] : null));
  render(Forms);
  expect((await screen.findByTestId('forms-none')).textContent).toMatch(/Sync to receive/);
});

it('a new report starts with the newest version and opens', async () => {
  mocked.mockImplementation(async (cmd, args) => {
    if (cmd === 'device_forms') return [mealCentre];
    if (cmd === 'list_reports') return [];
    if (cmd === 'start_report') {
      expect(args).toEqual({ formId: 'meal_centre_daily', area: null });
      return opened({ report: { ...draft, id: 'r-9', version: '2' } });
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Forms);
  await fireEvent.click(await screen.findByTestId('new-report-meal_centre_daily'));
  await waitFor(() => expect(nav.screen).toEqual({ name: 'report', reportId: 'r-9' }));
});

it('Report saves each answer in the core and submits once complete', async () => {
  mocked.mockImplementation(async (cmd, args) => {
    if (cmd === 'open_report') return opened();
    if (cmd === 'report_answer') {
      expect(args).toEqual({ id: 'r-1', field: 'meals_served', value: 412 });
      return state({ answers: { site: 'Langar Mall Road', meals_served: 412 }, issues: [], complete: true });
    }
    if (cmd === 'submit_report') return { ...draft, state: 'queued' };
    throw new Error(`unexpected ${cmd}`);
  });
  render(Report, { reportId: 'r-1' });
  expect((await screen.findByTestId('report-version')).textContent).toBe('Filled with version 1');
  const submit = screen.getByTestId('report-submit') as HTMLButtonElement;
  expect(submit.disabled).toBe(true);
  expect(screen.getByTestId('report-verdict').textContent).toContain('This answer is required.');
  await fireEvent.input(screen.getByLabelText(/Meals served today/), { target: { value: '412' } });
  await waitFor(() => expect(submit.disabled).toBe(false));
  expect(screen.getByTestId('report-verdict').textContent).toContain('The report is complete.');
  await fireEvent.click(submit);
  expect((await screen.findByTestId('report-submitted')).textContent).toMatch(/next sync/);
  expect(mocked).toHaveBeenCalledWith('submit_report', { id: 'r-1' });
  expect(screen.queryByTestId('report-submit')).toBeNull();
});

it('Report shows a sent report read-only and a refused one with the reason', async () => {
  mocked.mockResolvedValueOnce(opened({ report: { ...draft, state: 'sent' }, editable: false }));
  const { unmount } = render(Report, { reportId: 'r-1' });
  expect((await screen.findByTestId('report-readonly')).textContent).toMatch(/can no longer be changed/);
  expect(screen.queryByTestId('report-submit')).toBeNull();
  expect((screen.getByLabelText(/Meals served today/) as HTMLInputElement).closest('fieldset')?.disabled).toBe(true);
  unmount();
  mocked.mockResolvedValueOnce(opened({ report: { ...draft, state: 'refused', refusal: 'meals_served: required' } }));
  render(Report, { reportId: 'r-1' });
  expect((await screen.findByTestId('report-refusal')).textContent).toContain('meals_served: required');
});

const returned: ReportView = {
  ...draft,
  id: 'r-3',
  state: 'returned',
  reviewNote: 'Count the meals again',
  reviewedBy: 'Sana Supervisor',
};

it('Forms shows a returned report with the note and corrects it as a new report', async () => {
  mocked.mockImplementation(async (cmd, args) => {
    if (cmd === 'device_forms') return [{ ...mealCentre, returned: 1 }];
    if (cmd === 'list_reports') return [returned, { ...draft, id: 'r-4', state: 'approved', reviewNote: '' }];
    if (cmd === 'correct_report') {
      expect(args).toEqual({ id: 'r-3' });
      return opened({ report: { ...draft, id: 'r-5', replaces: 'r-3' } });
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Forms);
  const shown = await screen.findByTestId('report-returned');
  expect(screen.getByTestId('form-returned-meal_centre_daily').textContent).toBe('1 returned to correct');
  expect(shown.textContent).toBe('returned: Count the meals again');
  const rows = screen.getAllByTestId('report-row');
  expect(rows[0].dataset.state).toBe('returned');
  expect(rows[0].textContent).toContain('Returned');
  expect(rows[1].textContent).toContain('Approved');
  expect(screen.getAllByTestId('report-correct')).toHaveLength(1);
  await fireEvent.click(screen.getByTestId('report-correct'));
  await waitFor(() => expect(nav.screen).toEqual({ name: 'report', reportId: 'r-5' }));
});

it('Forms opens the correction of a returned report already being corrected', async () => {
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'device_forms') return [mealCentre];
    if (cmd === 'list_reports') return [{ ...returned, replacedBy: 'r-5' }];
    throw new Error(`unexpected ${cmd}`);
  });
  render(Forms);
  await fireEvent.click(await screen.findByTestId('report-correcting'));
  expect(screen.queryByTestId('report-correct')).toBeNull();
  await waitFor(() => expect(nav.screen).toEqual({ name: 'report', reportId: 'r-5' }));
});

it('Report shows a returned report read-only with the note and who returned it, and its correction', async () => {
  mocked.mockImplementation(async (cmd, args) => {
    if (cmd === 'open_report' && (args as { id: string }).id === 'r-3') return opened({ report: returned, editable: false });
    if (cmd === 'correct_report') return opened({ report: { ...draft, id: 'r-5', replaces: 'r-3' } });
    throw new Error(`unexpected ${cmd}`);
  });
  render(Report, { reportId: 'r-3' });
  const note = await screen.findByTestId('report-returned');
  expect(note.textContent).toContain('returned: Count the meals again');
  expect(note.textContent).toContain('by Sana Supervisor');
  expect(screen.queryByTestId('report-submit')).toBeNull();
  await fireEvent.click(screen.getByTestId('report-correct'));
  await waitFor(() => expect(nav.screen).toEqual({ name: 'report', reportId: 'r-5' }));
});

it('Report says a correction corrects a returned report', async () => {
  mocked.mockResolvedValueOnce(opened({ report: { ...draft, replaces: 'r-3' } }));
  render(Report, { reportId: 'r-1' });
  expect((await screen.findByTestId('report-corrects')).textContent).toMatch(/corrects one a reviewer returned/);
  expect(screen.queryByTestId('report-returned')).toBeNull();
});
