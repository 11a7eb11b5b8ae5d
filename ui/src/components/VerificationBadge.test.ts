import { render, screen } from '@testing-library/svelte';
import VerificationBadge from './VerificationBadge.svelte';
import { setLanguage } from '../lib/i18n.svelte';

afterEach(() => setLanguage('en'));

it('VerificationBadge says unverified until the registry records a result', () => {
  render(VerificationBadge, { verification: undefined });
  const badge = screen.getByTestId('verification');
  expect(badge.dataset.verification).toBe('unverified');
  expect(badge.textContent).toContain('ID not verified');
});

it('VerificationBadge names the mismatched fields, in Urdu too', () => {
  const verification = {
    state: 'mismatch' as const,
    fields: ['date_of_birth', 'name'],
    checkedAt: '2026-11-30T10:00:00Z',
  };
  const { unmount } = render(VerificationBadge, { verification });
  expect(screen.getByTestId('verification').textContent).toContain('date of birth, name');
  unmount();
  setLanguage('ur');
  render(VerificationBadge, { verification });
  expect(screen.getByTestId('verification').textContent).toContain('تاریخ پیدائش, نام');
});
