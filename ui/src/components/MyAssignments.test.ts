import { render, screen } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import MyAssignments from './MyAssignments.svelte';
import { setLanguage } from '../lib/i18n.svelte';
import type { AssignmentView } from '../api/types';
import ur from '../i18n/ur.json';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => mocked.mockReset());
afterEach(() => setLanguage('en'));

const area: AssignmentView = {
  id: 'a-1',
  kind: 'area',
  area: 'PK60301-UC002',
  areaName: null,
  householdId: null,
  reference: null,
  target: 40,
  assignedBy: 'Sana Malik',
  assignedAt: '2026-11-30T03:00:00Z',
  done: 12,
  total: 40,
};
const revisit: AssignmentView = {
  ...area,
  id: 'a-2',
  kind: 'household',
  householdId: '0192f0c1-0000-7000-8000-000000000001',
  reference: 'PK60301-AB12-7',
  target: null,
  done: 0,
  total: 1,
};

it('lists the assignments with their progress and who assigned them', async () => {
  mocked.mockResolvedValue([area, revisit]);
  render(MyAssignments);
  expect(mocked).toHaveBeenCalledWith('my_assignments', undefined);
  const progress = await screen.findByTestId('assignment-progress-a-1');
  expect(progress.textContent).toBe('12 of 40 done');
  expect(screen.getByTestId('assignment-progress-a-2').textContent).toBe('0 of 1 done');
  expect(screen.getByTestId('assignment-a-2').textContent).toContain('PK60301-AB12-7');
  expect(screen.getByTestId('assignment-a-1').textContent).toContain('Sana Malik');
});

it('says when there are none, in Urdu too', async () => {
  setLanguage('ur');
  mocked.mockResolvedValue([]);
  render(MyAssignments);
  expect((await screen.findByTestId('assignments-empty')).textContent).toBe(ur['assignments.none']);
});
