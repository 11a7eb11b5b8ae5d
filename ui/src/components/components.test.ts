import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet } from 'svelte';
import CnicInput from './CnicInput.svelte';
import Num from './Num.svelte';
import QuestionField from './QuestionField.svelte';
import VirtualList from './VirtualList.svelte';
import { form } from '../test/fixtures';

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
  const q = form.sections[0].questions[0];
  render(QuestionField, { question: q, value: null, fieldId: 'f-has_toilet', messages: ['Answer this'], onchange });
  expect(screen.getByRole('alert').textContent).toBe('Answer this');
  await fireEvent.click(screen.getByLabelText('No'));
  expect(onchange).toHaveBeenCalledWith('no');
});
