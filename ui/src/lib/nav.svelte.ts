// Screen navigation: a tiny state machine instead of a router (the app has no URLs to share).
import type { PreviewOpened } from '../api/types';

export type Screen =
  | { name: 'loading' }
  | { name: 'enroll' }
  | { name: 'unlock' }
  | { name: 'home' }
  | { name: 'households'; areaCode?: string | null }
  | { name: 'interview'; householdId: string }
  | { name: 'slip'; householdId: string }
  | { name: 'conflicts' }
  | { name: 'sync' }
  | { name: 'settings' }
  | { name: 'preview'; opened: PreviewOpened }
  | { name: 'forms' }
  | { name: 'report'; reportId: string };

export const nav = $state({ screen: { name: 'loading' } as Screen });

export function go(screen: Screen): void {
  nav.screen = screen;
}
