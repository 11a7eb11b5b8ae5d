import { fireEvent, render, screen } from '@testing-library/svelte';
import { invoke } from '@tauri-apps/api/core';
import LeftArea from './LeftArea.svelte';

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }));
const mocked = vi.mocked(invoke);

beforeEach(() => {
  mocked.mockReset();
});

const row = {
  id: 'h1', reference: 'PK10101-ABCDE-1', area: 'PK10101', headName: 'Ayesha Bibi', headIdNumber: '',
  memberCount: 3, status: 'draft', sync: 'waiting', conflictCount: 0, updatedAt: '2026-01-01T00:00:00Z',
};

it('lists households that left the area unsent and exports them to a file', async () => {
  mocked.mockImplementation(async (cmd) => {
    if (cmd === 'left_area_households') return [row];
    if (cmd === 'export_left_area') return { path: '/data/exports/left-area-1.jsonl', count: 1 };
    throw new Error(`unexpected ${String(cmd)}`);
  });
  render(LeftArea);
  expect((await screen.findByTestId('left-area-h1')).textContent).toMatch(/PK10101-ABCDE-1.*Ayesha Bibi/);
  await fireEvent.click(screen.getByTestId('left-area-export'));
  const done = await screen.findByTestId('left-area-exported');
  expect(done.textContent).toMatch(/1 households written to/);
  expect(done.textContent).toMatch(/left-area-1\.jsonl/);
});

it('shows nothing when no household left the area', async () => {
  mocked.mockResolvedValue([]);
  render(LeftArea);
  await Promise.resolve();
  expect(screen.queryByTestId('left-area')).toBeNull();
});
