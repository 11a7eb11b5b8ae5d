import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import Interview from './Interview.svelte';
import Households from './Households.svelte';
import Home from './Home.svelte';
import { form, interview } from '../test/fixtures';
import { setLanguage } from '../lib/i18n.svelte';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => mocked.mockReset());
afterEach(() => setLanguage('en'));

const returned = {
  decision: 'returned',
  byName: 'Sana Malik',
  by: 'u-7',
  at: '2026-11-29T10:00:00+00:00',
  comment: 'The electricity answer looks wrong',
  questions: ['electricity'],
};

function serve(state: ReturnType<typeof interview>) {
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'get_form') return form;
    if (cmd === 'open_interview') return state;
    return null;
  });
}

it('a returned household says who returned it and why, marks the named questions and can be completed again', async () => {
  serve(interview({ status: 'returned', review: returned }));
  const { container } = render(Interview, { householdId: 'h1' });
  expect((await screen.findByTestId('review-text')).textContent?.trim()).toBe(
    'Returned by Sana Malik: The electricity answer looks wrong',
  );
  const links = screen.getByTestId('review-questions').querySelectorAll('button');
  expect([...links].map((b) => b.textContent)).toEqual(['Electricity?']);
  await waitFor(() => expect(container.querySelector('[data-field="electricity"]')?.classList.contains('flagged')).toBe(true));
  expect(container.querySelector('[data-field="consent"]')?.classList.contains('flagged')).toBe(false);
  expect(screen.getByTestId('mark-complete')).toBeTruthy();
});

it('the review reads in Urdu too', async () => {
  setLanguage('ur');
  serve(interview({ status: 'returned', review: returned }));
  render(Interview, { householdId: 'h1' });
  expect((await screen.findByTestId('review-text')).textContent).toContain('Sana Malik نے واپس کیا');
});

it('an approved household shows the approval and cannot be completed again', async () => {
  serve(interview({ status: 'approved', review: { ...returned, decision: 'approved', comment: '', questions: [] } }));
  render(Interview, { householdId: 'h1' });
  expect((await screen.findByTestId('review-text')).textContent?.trim()).toBe('Approved by Sana Malik');
  expect(screen.queryByTestId('mark-complete')).toBeNull();
  expect(screen.queryByTestId('review-questions')).toBeNull();
});

it('a resubmitted household no longer shows the old return', async () => {
  serve(interview({ status: 'submitted', review: returned }));
  render(Interview, { householdId: 'h1' });
  await screen.findByText('Electricity?');
  expect(screen.queryByTestId('review')).toBeNull();
});

const row = (id: string, status: string, sync: string, conflictCount = 0) => ({
  id, reference: id, headName: `Head ${id}`, headCnic: '', areaCode: 'A', status, sync, conflictCount, memberCount: 2, updatedAt: '',
});

it('the list shows status and sync state apart, and filters by Returned and by Waiting', async () => {
  const rows = [row('a', 'returned', 'synced'), row('b', 'draft', 'waiting', 1), row('c', 'submitted', 'synced')];
  mocked.mockImplementation(async (_cmd, args) => {
    const s = (args as { status?: string | null } | undefined)?.status;
    if (!s) return rows;
    if (s === 'waiting' || s === 'synced') return rows.filter((r) => r.sync === s);
    return rows.filter((r) => r.status === s);
  });
  const { container } = render(Households, {});
  await waitFor(() => expect(screen.getAllByTestId('household-row').length).toBe(3));
  const first = container.querySelector('[data-id="b"]')!;
  expect(first.querySelector('[data-status]')?.getAttribute('data-status')).toBe('draft');
  expect(first.querySelector('[data-sync]')?.getAttribute('data-sync')).toBe('waiting');
  expect(first.querySelector('[data-testid="conflict-badge"]')).toBeTruthy();
  await fireEvent.click(screen.getByTestId('filter-returned'));
  await waitFor(() => expect(screen.getAllByTestId('household-row').length).toBe(1));
  expect(mocked).toHaveBeenLastCalledWith('list_households', { query: '', status: 'returned', areaCode: null });
  await fireEvent.click(screen.getByTestId('filter-waiting'));
  await waitFor(() => expect(mocked).toHaveBeenLastCalledWith('list_households', { query: '', status: 'waiting', areaCode: null }));
});

it('home counts households received from the registry by their status and as synced', async () => {
  const counts = { draft: 0, complete: 0, submitted: 55, returned: 3, approved: 2, rejected: 0, waiting: 0, synced: 60, conflict: 0 };
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'list_areas') return [];
    if (cmd === 'household_counts') return counts;
    if (cmd === 'sync_status') return { state: 'idle', lastSyncAt: null, pending: 0, lastError: null, progress: null, cutOff: null };
    return null;
  });
  render(Home, {});
  expect((await screen.findByTestId('count-synced')).textContent).toBe('60');
  expect(screen.getByTestId('count-draft').textContent).toBe('0');
  expect(screen.getByTestId('count-returned').textContent).toBe('3');
  expect(screen.getByTestId('count-submitted').textContent).toBe('55');
  expect(screen.getByTestId('count-waiting').textContent).toBe('0');
  expect(screen.getByTestId('count-total').textContent).toBe('60');
});
