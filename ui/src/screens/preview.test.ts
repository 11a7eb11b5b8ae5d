// "Try a form": Settings opens a form file; the Preview screen shows the engine's check and the form,
// and each answer goes to the core, whose evaluation decides what is asked and what is refused.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import Preview from './Preview.svelte';
import Settings from './Settings.svelte';
import type { PreviewOpened, PreviewState } from '../api/types';
import { nav, go } from '../lib/nav.svelte';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => {
  mocked.mockReset();
  go({ name: 'settings' });
});

const yesNo = [
  { value: 'yes', label: { en: 'Yes', ur: 'ہاں' } },
  { value: 'no', label: { en: 'No', ur: 'نہیں' } },
];

const state = (over: Partial<PreviewState> = {}): PreviewState => ({
  answers: {},
  rows: { plots: [] },
  visible: ['has_land', 'visit_time', 'plots'],
  issues: [{ field: 'has_land', memberId: null, code: 'required', message: { en: 'This answer is required.', ur: 'یہ جواب ضروری ہے۔' } }],
  calculated: {},
  choices: {},
  complete: false,
  ...over,
});

const opened: PreviewOpened = {
  check: {
    fileName: 'land.xlsx',
    format: '.xlsx',
    loaded: true,
    id: 'land',
    version: '3fa2b1c0',
    languages: ['English (en)', 'Urdu (ur)'],
    questions: [
      { type: 'begin_repeat', count: 1 },
      { type: 'decimal', count: 1 },
      { type: 'select_one', count: 1 },
    ],
    errors: [],
    warnings: [{ sheet: 'settings', row: 0, column: 'version', message: 'no version: 3fa2b1c0 derived from the content' }],
  },
  form: {
    id: 'land',
    version: '3fa2b1c0',
    title: { en: 'Land survey', ur: 'زمین کا سروے' },
    sections: [
      {
        id: 'has_land',
        label: null,
        repeat: false,
        questions: [
          { name: 'has_land', kind: 'select_one', label: { en: 'Owns land?', ur: 'زمین ہے؟' }, required: true, choices: yesNo },
          { name: 'land_acres', kind: 'decimal', label: { en: 'Acres', ur: 'ایکڑ' }, required: false },
          { name: 'visit_time', kind: 'time', label: { en: 'Visit time', ur: 'وقت' }, required: false },
        ],
      },
      {
        id: 'plots',
        label: { en: 'Plots', ur: 'قطعات' },
        repeat: true,
        questions: [{ name: 'plot_size', kind: 'integer', label: { en: 'Plot size', ur: 'رقبہ' }, required: true }],
      },
    ],
  },
  state: state(),
};

it('Settings opens the picked form file and shows the preview', async () => {
  mocked.mockResolvedValue(opened);
  render(Settings, { settings: { language: 'en', textScale: 1, autoLockMinutes: 5 }, session: null, onchange: vi.fn() });
  const picker = screen.getByLabelText('Form file') as HTMLInputElement;
  expect(picker.accept).toContain('.xlsx,.xls,.ods,.toml');
  expect(picker.multiple).toBe(true);
  // The form and a CSV it reads, picked together in any order.
  const csv = new File([new Uint8Array([110, 44, 108])], 'villages.csv');
  const form = new File([new Uint8Array([80, 75, 3, 4])], 'land.xlsx');
  await fireEvent.change(picker, { target: { files: [csv, form] } });
  await waitFor(() => expect(nav.screen.name).toBe('preview'));
  expect(mocked).toHaveBeenCalledWith('open_preview', {
    file: { name: 'land.xlsx', bytes: [80, 75, 3, 4], attachments: [{ name: 'villages.csv', bytes: [110, 44, 108] }] },
  });
});

it('Preview shows the check summary and evaluates each answer in the core', async () => {
  mocked.mockImplementation(async (cmd, args) => {
    const a = args as Record<string, unknown>;
    if (cmd === 'preview_answer' && a.field === 'has_land') {
      return state({ answers: { has_land: 'yes' }, visible: ['has_land', 'land_acres', 'visit_time'], issues: [], complete: true });
    }
    if (cmd === 'preview_answer' && a.field === 'land_acres') {
      return state({
        answers: { has_land: 'yes', land_acres: 0 },
        visible: ['has_land', 'land_acres', 'visit_time', 'plots'],
        issues: [{ field: 'land_acres', memberId: null, code: 'constraint', message: { en: 'More than zero acres.', ur: 'صفر سے زیادہ ایکڑ۔' } }],
      });
    }
    if (cmd === 'preview_add_row') {
      return state({ rows: { plots: [{ id: 'r1', answers: {} }] }, visible: ['has_land', 'visit_time', 'plots', 'member:r1:plot_size'] });
    }
    throw new Error(`unexpected ${cmd}`);
  });
  render(Preview, { opened });
  const check = screen.getByTestId('preview-check');
  expect(within(check).getByRole('heading', { name: 'Land survey' })).toBeTruthy();
  expect(screen.getByTestId('preview-id').textContent).toBe('land');
  expect(check.textContent).toContain('3fa2b1c0');
  expect(check.textContent).toContain('English (en), Urdu (ur)');
  expect(screen.getByTestId('preview-counts').querySelectorAll('li')).toHaveLength(3);
  expect(screen.getByTestId('preview-warnings').textContent).toContain('Sheet settings: no version');
  expect(screen.getByText(/No household is created/)).toBeTruthy();

  // The acres are not asked until the core says so.
  expect(screen.queryByLabelText('Acres')).toBeNull();
  expect(screen.getByTestId('preview-verdict').textContent).toContain('This answer is required.');
  await fireEvent.click(screen.getByLabelText('Yes'));
  expect(mocked).toHaveBeenCalledWith('preview_answer', { field: 'has_land', row: null, value: 'yes' });
  // The engine no longer asks for plots: their section goes.
  await waitFor(() => expect(screen.queryByTestId('preview-add-row-plots')).toBeNull());
  const acres = (await screen.findByLabelText('Acres')) as HTMLInputElement;
  expect(screen.getByTestId('preview-verdict').textContent).toContain('The form would be accepted as complete.');
  await fireEvent.input(acres, { target: { value: '0' } });
  expect((await screen.findByTestId('error-p-land_acres')).textContent).toBe('More than zero acres.');

  await fireEvent.click(screen.getByTestId('preview-add-row-plots'));
  const row = await screen.findByTestId('preview-row');
  expect(within(row).getByLabelText(/Plot size/)).toBeTruthy();
});

it('Preview lists the errors of a form that does not load, by sheet, row and column', () => {
  const broken: PreviewOpened = {
    check: {
      ...opened.check,
      loaded: false,
      id: null,
      version: null,
      languages: [],
      questions: [],
      errors: [
        { sheet: 'survey', row: 3, column: 'relevant', message: '${nowhere} is not a question of this form' },
        { sheet: 'file', row: 0, column: '', message: 'not an XLSForm workbook' },
      ],
      warnings: [],
    },
    form: null,
    state: null,
  };
  render(Preview, { opened: broken });
  const errors = screen.getByTestId('preview-errors');
  const items = within(errors).getAllByRole('listitem').map((li) => li.textContent);
  expect(items).toEqual([
    'Sheet survey, row 3, column relevant: ${nowhere} is not a question of this form',
    'Sheet file: not an XLSForm workbook',
  ]);
  expect(screen.queryByTestId('preview-verdict')).toBeNull();
});

it('Closing the preview forgets it and goes back to Settings', async () => {
  mocked.mockResolvedValue(null);
  go({ name: 'preview', opened });
  render(Preview, { opened });
  await fireEvent.click(screen.getByTestId('preview-back'));
  await waitFor(() => expect(nav.screen.name).toBe('settings'));
  expect(mocked).toHaveBeenCalledWith('close_preview', undefined);
});
