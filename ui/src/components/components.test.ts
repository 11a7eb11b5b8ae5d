import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import CnicInput from './CnicInput.svelte';
import Num from './Num.svelte';
import QuestionField from './QuestionField.svelte';
import VirtualList from './VirtualList.svelte';
import { form } from '../test/fixtures';
import type { Question } from '../api/types';

it('CnicInput masks as the surveyor types and reports the masked value', async () => {
  const onchange = vi.fn();
  render(CnicInput, { id: 'c', onchange });
  const input = screen.getByPlaceholderText('12345-1234567-1') as HTMLInputElement;
  expect(input.dir).toBe('ltr');
  await fireEvent.input(input, { target: { value: '3520212345671' } });
  expect(input.value).toBe('35202-1234567-1');
  expect(onchange).toHaveBeenLastCalledWith('35202-1234567-1');
});

it('Num keeps numbers left to right', () => {
  const { container } = render(Num, { value: '35202-1234567-1' });
  const bdi = container.querySelector('bdi')!;
  expect(bdi.getAttribute('dir')).toBe('ltr');
});

it('VirtualList renders only a window of 10,000 rows', () => {
  const items = Array.from({ length: 10000 }, (_, i) => ({ id: `h${i}`, name: `House ${i}` }));
  const row = createRawSnippet((item: () => unknown) => ({
    render: () => `<span class="r">${(item() as { name: string }).name}</span>`,
  }));
  const { container } = render(VirtualList, { items, rowHeight: 72, row, label: 'Households', key: (h: unknown) => (h as { id: string }).id });
  const rows = container.querySelectorAll('.r');
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.length).toBeLessThan(60);
  const spacer = container.querySelector('.vlist-spacer') as HTMLElement;
  expect(spacer.style.height).toBe(`${72 * 10000}px`);
});

it('QuestionField shows messages and reports select answers', async () => {
  const onchange = vi.fn();
  const q = form.sections[1].questions[0];
  render(QuestionField, { question: q, value: null, fieldId: 'f-electricity', messages: ['Answer this'], onchange });
  expect(screen.getByRole('alert').textContent).toBe('Answer this');
  const no = screen.getByLabelText('No') as HTMLInputElement;
  expect(no.name).toBe('f-electricity');
  expect(no.value).toBe('no');
  await fireEvent.click(no);
  expect(onchange).toHaveBeenCalledWith('no');
});

const q = (over: Partial<Question>): Question => ({ name: 'x', kind: 'text', label: { en: 'Question', ur: 'سوال' }, required: false, ...over });

it('QuestionField draws every type the NSER form uses', async () => {
  const onchange = vi.fn();
  const date = render(QuestionField, { question: q({ kind: 'date' }), value: '1990-02-01', fieldId: 'm-1-dob', onchange });
  const d = screen.getByLabelText('Question') as HTMLInputElement;
  expect(d.type).toBe('date');
  expect(d.value).toBe('1990-02-01');
  await fireEvent.input(d, { target: { value: '' } });
  expect(onchange).toHaveBeenLastCalledWith(null);
  date.unmount();

  const dec = render(QuestionField, { question: q({ kind: 'decimal' }), value: null, fieldId: 'f-land', onchange });
  const n = screen.getByLabelText('Question') as HTMLInputElement;
  expect(n.inputMode).toBe('decimal');
  await fireEvent.input(n, { target: { value: '2.5' } });
  expect(onchange).toHaveBeenLastCalledWith(2.5);
  dec.unmount();

  const choices = [
    { value: 'tv', label: { en: 'Television', ur: 'ٹیلی ویژن' } },
    { value: 'none', label: { en: 'None', ur: 'کوئی نہیں' } },
  ];
  const multi = render(QuestionField, { question: q({ kind: 'select_multiple', choices }), value: ['tv'], fieldId: 'f-assets', onchange });
  expect((screen.getByLabelText('Television') as HTMLInputElement).checked).toBe(true);
  await fireEvent.click(screen.getByLabelText('None'));
  expect(onchange).toHaveBeenLastCalledWith(['tv', 'none']);
  multi.unmount();

  const filtered = render(QuestionField, { question: q({ kind: 'select_one', choices, filtered: true }), value: null, fieldId: 'f-f', offered: ['none'], onchange });
  expect(screen.queryByLabelText('Television')).toBeNull();
  expect(screen.getByLabelText('None')).toBeTruthy();
  filtered.unmount();

  const ack = render(QuestionField, { question: q({ kind: 'acknowledge', required: true }), value: 'OK', fieldId: 'f-consent', onchange });
  const box = screen.getByLabelText(/Question/) as HTMLInputElement;
  expect(box.checked).toBe(true);
  await fireEvent.click(box);
  expect(onchange).toHaveBeenLastCalledWith(null);
  ack.unmount();

  const note = render(QuestionField, { question: q({ kind: 'note' }), value: null, fieldId: 'f-note', onchange });
  expect(screen.getByRole('note').textContent).toBe('Question');
  expect(note.container.querySelector('input')).toBeNull();
  note.unmount();

  render(QuestionField, {
    question: q({ hint: { en: 'Like 0300-1234567', ur: 'مثلاً 0300-1234567' }, appearance: 'numbers' }),
    value: '0300',
    fieldId: 'f-phone',
    warnings: ['Looks odd'],
    onchange,
  });
  const phone = screen.getByLabelText('Question') as HTMLInputElement;
  expect(phone.dir).toBe('ltr');
  expect(phone.getAttribute('aria-describedby')).toBe('f-phone-hint f-phone-warn');
  expect(screen.getByTestId('warning-f-phone').textContent).toBe('Looks odd');
});
