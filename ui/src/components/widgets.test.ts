// Every question kind and appearance beyond the NSER form's: what the surveyor sees, and the value an
// input produces, in the text form the forms engine accepts (crates/forms/src/typing.rs).
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import QuestionField from './QuestionField.svelte';
import Questions from './Questions.svelte';
import type { AnswerValue, Question } from '../api/types';
import type { QuestionContext } from '../lib/question-context';
import { setLanguage } from '../lib/i18n.svelte';
import { formatPoints, fromOdkDateTime, fromOdkTime, parsePoints, toOdkDateTime, toOdkTime, zone } from '../lib/odk-values';

afterEach(() => setLanguage('en'));

const q = (over: Partial<Question>): Question => ({ name: 'x', kind: 'text', label: { en: 'Question', ur: 'سوال' }, required: false, ...over });
const yesNo = [
  { value: 'yes', label: { en: 'Yes', ur: 'ہاں' } },
  { value: 'no', label: { en: 'No', ur: 'نہیں' } },
];
const agree = [
  { value: 'disagree', label: { en: 'Disagree', ur: 'متفق نہیں' } },
  { value: 'neutral', label: { en: 'Neutral', ur: 'غیر جانبدار' } },
  { value: 'agree', label: { en: 'Agree', ur: 'متفق' } },
];
// The engine's shape of a time (typing.rs `time_shape`).
const ODK_TIME = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?$/;

it('converts times, date-times and points to the forms engine text and back', () => {
  expect(zone(-300)).toBe('+05:00');
  expect(zone(0)).toBe('+00:00');
  expect(zone(210)).toBe('-03:30');
  expect(toOdkTime('14:30', -300)).toBe('14:30:00.000+05:00');
  expect(toOdkTime('', -300)).toBeNull();
  expect(fromOdkTime('14:30:00.000+05:00')).toBe('14:30');
  expect(fromOdkTime('14:30:15.000+05:00')).toBe('14:30:15');
  expect(toOdkDateTime('2026-11-29T09:05', -300)).toBe('2026-11-29T09:05:00.000+05:00');
  expect(fromOdkDateTime('2026-11-29T09:05:00.000+05:00')).toBe('2026-11-29T09:05');
  const square = [
    { lat: 31.5, lon: 74.3, alt: 0, acc: 5 },
    { lat: 31.6, lon: 74.3, alt: 0, acc: 5 },
    { lat: 31.6, lon: 74.4, alt: 0, acc: 5 },
  ];
  const shape = formatPoints(square, true)!;
  expect(shape).toBe('31.5 74.3 0 5;31.6 74.3 0 5;31.6 74.4 0 5;31.5 74.3 0 5');
  expect(parsePoints(shape, true)).toEqual(square);
  expect(formatPoints(square.slice(0, 2), false)).toBe('31.5 74.3 0 5;31.6 74.3 0 5');
  expect(formatPoints([], false)).toBeNull();
});

it('time and date-time use the native pickers and store ODK values', async () => {
  const onchange = vi.fn();
  const time = render(QuestionField, { question: q({ kind: 'time' }), value: '08:15:00.000+05:00', fieldId: 'f-t', onchange });
  const t = screen.getByLabelText('Question') as HTMLInputElement;
  expect(t.type).toBe('time');
  expect(t.value).toBe('08:15');
  await fireEvent.input(t, { target: { value: '14:30' } });
  const stored = onchange.mock.lastCall![0] as string;
  expect(stored).toMatch(ODK_TIME);
  expect(stored.startsWith('14:30:00.000')).toBe(true);
  time.unmount();

  render(QuestionField, { question: q({ kind: 'date_time' }), value: null, fieldId: 'f-dt', onchange });
  const dt = screen.getByLabelText('Question') as HTMLInputElement;
  expect(dt.type).toBe('datetime-local');
  await fireEvent.input(dt, { target: { value: '2026-11-29T09:05' } });
  const [date, clock] = (onchange.mock.lastCall![0] as string).split('T');
  expect(date).toBe('2026-11-29');
  expect(clock).toMatch(ODK_TIME);
  await fireEvent.input(dt, { target: { value: '' } });
  expect(onchange).toHaveBeenLastCalledWith(null);
});

it('range is a slider over the form scale with its value shown', async () => {
  const onchange = vi.fn();
  const question = q({ kind: 'range', range: { start: 0, end: 10, step: 2 } });
  const r = render(QuestionField, { question, value: null, fieldId: 'f-r', onchange });
  const slider = screen.getByLabelText('Question') as HTMLInputElement;
  expect(slider.type).toBe('range');
  expect([slider.min, slider.max, slider.step]).toEqual(['0', '10', '2']);
  expect(screen.getByTestId('range-value-f-r').textContent).toMatch(/Not answered/);
  await fireEvent.input(slider, { target: { value: '6' } });
  expect(onchange).toHaveBeenLastCalledWith(6);
  r.unmount();
  render(QuestionField, { question, value: 4, fieldId: 'f-r', onchange });
  expect(screen.getByTestId('range-value-f-r').textContent).toBe('4');
  expect((screen.getByLabelText('Question') as HTMLInputElement).value).toBe('4');
});

it('rank is an ordered list moved with up and down buttons', async () => {
  const onchange = vi.fn();
  const question = q({ kind: 'rank', choices: agree });
  const r = render(QuestionField, { question, value: null, fieldId: 'f-rank', onchange });
  const items = () => within(r.container.querySelector('ol.rank') as HTMLElement).getAllByRole('listitem').map((li) => li.dataset.value);
  expect(items()).toEqual(['disagree', 'neutral', 'agree']);
  const up = screen.getByRole('button', { name: 'Move Agree up' });
  expect(up.tagName).toBe('BUTTON');
  expect((screen.getByRole('button', { name: 'Move Disagree up' }) as HTMLButtonElement).disabled).toBe(true);
  await fireEvent.click(up);
  expect(onchange).toHaveBeenLastCalledWith(['disagree', 'agree', 'neutral']);
  // Accepting the order shown answers the question as well.
  await fireEvent.click(screen.getByTestId('rank-keep-f-rank'));
  expect(onchange).toHaveBeenLastCalledWith(['disagree', 'neutral', 'agree']);
  r.unmount();
  // A stored rank (ODK's space-separated names) is shown in its order; no "keep" once answered.
  const stored = render(QuestionField, { question, value: 'agree disagree neutral', fieldId: 'f-rank', onchange });
  expect(within(stored.container.querySelector('ol.rank') as HTMLElement).getAllByRole('listitem').map((li) => li.dataset.value)).toEqual(['agree', 'disagree', 'neutral']);
  expect(screen.queryByTestId('rank-keep-f-rank')).toBeNull();
  await fireEvent.click(screen.getByRole('button', { name: 'Move Agree down' }));
  expect(onchange).toHaveBeenLastCalledWith(['disagree', 'agree', 'neutral']);
});

it('a trace and a shape are lists of points that can be added and removed', async () => {
  const onchange = vi.fn();
  const trace = render(QuestionField, { question: q({ kind: 'geotrace' }), value: '31.5 74.3 0 5', fieldId: 'f-path', onchange });
  expect(screen.getByText('A line needs at least 2 points.')).toBeTruthy();
  // No geolocation in the test browser: the point is typed.
  await fireEvent.click(screen.getByRole('button', { name: 'Capture location' }));
  await fireEvent.input(screen.getByTestId('gps-lat'), { target: { value: '31.6' } });
  await fireEvent.input(screen.getByTestId('gps-lon'), { target: { value: '74.4' } });
  await fireEvent.click(screen.getByRole('button', { name: 'Use these numbers' }));
  expect(onchange).toHaveBeenLastCalledWith('31.5 74.3 0 5;31.6 74.4 0 0');
  trace.unmount();

  const ring = '31.5 74.3 0 5;31.6 74.3 0 5;31.6 74.4 0 5;31.5 74.3 0 5';
  render(QuestionField, { question: q({ kind: 'geoshape' }), value: ring, fieldId: 'f-field', onchange });
  expect(screen.getByTestId('points-f-field').querySelectorAll('li')).toHaveLength(3);
  await fireEvent.click(screen.getByRole('button', { name: 'Remove point 2' }));
  // Two points are no longer an area: they are kept open until a third is added.
  expect(onchange).toHaveBeenLastCalledWith('31.5 74.3 0 5;31.6 74.4 0 5');
});

it('barcode is typed, file keeps the picked name, and what cannot be asked is a note', async () => {
  const onchange = vi.fn();
  const bc = render(QuestionField, { question: q({ kind: 'barcode' }), value: null, fieldId: 'f-code', onchange });
  const code = screen.getByLabelText('Question') as HTMLInputElement;
  expect(code.dir).toBe('ltr');
  await fireEvent.input(code, { target: { value: 'ABC-123' } });
  expect(onchange).toHaveBeenLastCalledWith('ABC-123');
  bc.unmount();

  const file = render(QuestionField, { question: q({ kind: 'file', media: 'image' }), value: 'old.jpg', fieldId: 'f-photo', onchange });
  const picker = screen.getByLabelText('Question') as HTMLInputElement;
  expect(picker.type).toBe('file');
  expect(picker.accept).toBe('image/*');
  expect(screen.getByTestId('file-name-f-photo').textContent).toMatch(/old\.jpg/);
  await fireEvent.change(picker, { target: { files: [new File(['x'], 'house.jpg', { type: 'image/jpeg' })] } });
  expect(onchange).toHaveBeenLastCalledWith('house.jpg');
  expect(screen.getByText(/Only the file's name is kept/)).toBeTruthy();
  file.unmount();

  const un = render(QuestionField, { question: q({ kind: 'unsupported', label: { en: 'Crops', ur: 'فصلیں' } }), value: null, fieldId: 'f-crops', onchange });
  expect(screen.getByRole('note').textContent).toMatch(/cannot ask “Crops” yet/);
  expect(un.container.querySelector('input')).toBeNull();
  un.unmount();
  setLanguage('ur');
  render(QuestionField, { question: q({ kind: 'unsupported', label: { en: 'Crops', ur: 'فصلیں' } }), value: null, fieldId: 'f-crops', onchange });
  expect(screen.getByRole('note').textContent).toMatch(/فصلیں/);
});

it('a select whose choices come from an absent file takes the name as text', async () => {
  const onchange = vi.fn();
  render(QuestionField, { question: q({ kind: 'select_one', choices: [] }), value: null, fieldId: 'f-village', onchange });
  const input = screen.getByLabelText('Question') as HTMLInputElement;
  expect(input.type).toBe('text');
  await fireEvent.input(input, { target: { value: 'chak_12' } });
  expect(onchange).toHaveBeenLastCalledWith('chak_12');
});

it('appearances: multiline, numbers, minimal, likert and quick', async () => {
  const onchange = vi.fn();
  const ml = render(QuestionField, { question: q({ appearance: 'multiline' }), value: 'a', fieldId: 'f-notes', onchange });
  const area = screen.getByLabelText('Question');
  expect(area.tagName).toBe('TEXTAREA');
  await fireEvent.input(area, { target: { value: 'two\nlines' } });
  expect(onchange).toHaveBeenLastCalledWith('two\nlines');
  ml.unmount();

  const nb = render(QuestionField, { question: q({ appearance: 'numbers' }), value: null, fieldId: 'f-n', onchange });
  expect((screen.getByLabelText('Question') as HTMLInputElement).inputMode).toBe('tel');
  nb.unmount();

  // `minimal`: the whole list until answered, then only the choice, with a button to change it.
  const minimal = q({ kind: 'select_one', choices: agree, appearance: 'minimal' });
  const min = render(QuestionField, { question: minimal, value: null, fieldId: 'f-m', onchange });
  expect(min.container.querySelectorAll('input[type=radio]')).toHaveLength(3);
  await fireEvent.click(screen.getByLabelText('Neutral'));
  expect(onchange).toHaveBeenLastCalledWith('neutral');
  await min.rerender({ value: 'neutral' });
  const radios = min.container.querySelectorAll<HTMLInputElement>('input[type=radio]');
  expect(Array.from(radios, (r) => [r.value, r.checked])).toEqual([['neutral', true]]);
  await fireEvent.click(screen.getByRole('button', { name: 'Change' }));
  expect(min.container.querySelectorAll('input[type=radio]')).toHaveLength(3);
  await fireEvent.click(screen.getByLabelText('Agree'));
  expect(onchange).toHaveBeenLastCalledWith('agree');
  await min.rerender({ value: 'agree' });
  expect(Array.from(min.container.querySelectorAll<HTMLInputElement>('input[type=radio]'), (r) => r.value)).toEqual(['agree']);
  min.unmount();

  // A multiple choice stays open while ticking, until Done.
  const minMulti = render(QuestionField, { question: q({ kind: 'select_multiple', choices: yesNo, appearance: 'minimal' }), value: null, fieldId: 'f-mm', onchange });
  await fireEvent.click(screen.getByLabelText('Yes'));
  expect(onchange).toHaveBeenLastCalledWith(['yes']);
  await minMulti.rerender({ value: ['yes'] });
  expect(minMulti.container.querySelectorAll('input[type=checkbox]')).toHaveLength(2);
  await fireEvent.click(screen.getByRole('button', { name: 'Done' }));
  expect(Array.from(minMulti.container.querySelectorAll<HTMLInputElement>('input[type=checkbox]'), (c) => c.value)).toEqual(['yes']);
  expect(screen.getByRole('button', { name: 'Change' })).toBeTruthy();
  minMulti.unmount();

  const lk = render(QuestionField, { question: q({ kind: 'select_one', choices: agree, appearance: 'likert' }), value: null, fieldId: 'f-l', onchange });
  expect(lk.container.querySelector('.choices.likert')?.querySelectorAll('input[type=radio]')).toHaveLength(3);
  lk.unmount();

  // `quick` changes nothing: the choice is recorded and the screen stays.
  render(QuestionField, { question: q({ kind: 'select_one', choices: yesNo, appearance: 'quick' }), value: null, fieldId: 'f-q', onchange });
  await fireEvent.click(screen.getByLabelText('Yes'));
  expect(onchange).toHaveBeenLastCalledWith('yes');
});

it('a table-list group is a grid of its questions by their choices; field-list stays one fieldset', async () => {
  const values: Record<string, AnswerValue> = {};
  const change = vi.fn((name: string, _m: string | null, v: AnswerValue) => (values[name] = v));
  const ctx: QuestionContext = {
    fid: (name) => `f-${name}`,
    visible: (question) => question.kind !== 'calculate' && question.name !== 'hidden_one',
    value: (name) => values[name] ?? null,
    messages: (name) => (name === 'water' ? ['Answer this'] : []),
    warnings: () => [],
    offered: () => null,
    change,
  };
  const group = q({
    name: 'services',
    kind: 'group',
    appearance: 'table-list',
    label: { en: 'Services', ur: 'سہولیات' },
    questions: [
      q({ name: 'services_note', kind: 'note', label: { en: 'Does the house have:', ur: 'کیا گھر میں ہے:' } }),
      q({ name: 'water', kind: 'select_one', choices: yesNo, label: { en: 'Water', ur: 'پانی' } }),
      q({ name: 'gas', kind: 'select_one', choices: yesNo, label: { en: 'Gas', ur: 'گیس' } }),
      q({ name: 'hidden_one', kind: 'select_one', choices: yesNo, label: { en: 'Hidden', ur: 'چھپا' } }),
    ],
  });
  const { unmount } = render(Questions, { questions: [group], memberId: null, ctx });
  const table = screen.getByTestId('table-list-f-services');
  expect(Array.from(table.querySelectorAll('thead th'), (th) => th.textContent)).toEqual(['Yes', 'No']);
  expect(Array.from(table.querySelectorAll('tbody tr'), (tr) => (tr as HTMLElement).dataset.field)).toEqual(['water', 'gas']);
  expect(screen.getByRole('note').textContent).toBe('Does the house have:');
  expect(within(table).getByRole('alert').textContent).toBe('Answer this');
  await fireEvent.click(screen.getByLabelText('No — Gas'));
  expect(change).toHaveBeenLastCalledWith('gas', null, 'no');
  unmount();

  const fieldList = render(Questions, { questions: [{ ...group, appearance: 'field-list' }], memberId: null, ctx });
  expect(fieldList.container.querySelector('table')).toBeNull();
  expect(fieldList.container.querySelectorAll('fieldset.group')).toHaveLength(1);
  expect(screen.getByRole('group', { name: 'Water' })).toBeTruthy();
});

it('every widget has an accessible name and no axe violations', async () => {
  const { default: axe } = await import('axe-core');
  const ctx: QuestionContext = {
    fid: (name) => `f-${name}`,
    visible: () => true,
    value: () => null,
    messages: () => [],
    warnings: () => [],
    offered: () => null,
    change: vi.fn(),
  };
  const questions = [
    q({ name: 't', kind: 'time', label: { en: 'Time', ur: 'وقت' } }),
    q({ name: 'dt', kind: 'date_time', label: { en: 'When', ur: 'کب' } }),
    q({ name: 'r', kind: 'range', range: { start: 1, end: 5, step: 1 }, label: { en: 'Scale', ur: 'پیمانہ' } }),
    q({ name: 'rk', kind: 'rank', choices: agree, label: { en: 'Order', ur: 'ترتیب' } }),
    q({ name: 'b', kind: 'barcode', label: { en: 'Code', ur: 'کوڈ' } }),
    q({ name: 'gt', kind: 'geotrace', label: { en: 'Path', ur: 'راستہ' } }),
    q({ name: 'f', kind: 'file', media: 'audio', label: { en: 'Recording', ur: 'ریکارڈنگ' } }),
    q({ name: 'm', kind: 'select_one', choices: yesNo, appearance: 'minimal', label: { en: 'Pick', ur: 'چنیں' } }),
    q({ name: 'ml', kind: 'text', appearance: 'multiline', label: { en: 'Notes', ur: 'نوٹ' } }),
    q({
      name: 'tl', kind: 'group', appearance: 'table-list', label: { en: 'Grid', ur: 'جدول' },
      questions: [
        q({ name: 'a', kind: 'select_one', choices: yesNo, label: { en: 'A', ur: 'الف' } }),
        q({ name: 'bb', kind: 'select_one', choices: yesNo, label: { en: 'B', ur: 'ب' } }),
      ],
    }),
  ];
  const { container } = render(Questions, { questions, memberId: null, ctx });
  const result = await axe.run(container, { rules: { 'color-contrast': { enabled: false } } });
  expect(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`)).toEqual([]);
});
