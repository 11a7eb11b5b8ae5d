// Shared view of the background sync: one poller feeds the home screen, the sync screen and the nav
// badge. Sync itself runs in the app core off the UI thread; here we only read its status.
import { syncNow as startSync, syncStatus } from '../api/sync';
import type { SyncStatus } from '../api/types';

export const sync = $state({ status: null as SyncStatus | null, lastError: '' });

let timer: ReturnType<typeof setTimeout> | null = null;

export async function refreshSync(): Promise<void> {
  try {
    sync.status = await syncStatus();
  } catch {
    // Locked or not enrolled: nothing to show yet.
  }
}

/** Poll quickly while a sync runs, slowly otherwise. */
export function startSyncPolling(): void {
  if (timer) return;
  const tick = async () => {
    await refreshSync();
    timer = setTimeout(tick, sync.status?.state === 'running' ? 300 : 2000);
  };
  void tick();
}

export function stopSyncPolling(): void {
  if (timer) clearTimeout(timer);
  timer = null;
}

export async function syncNow(): Promise<void> {
  sync.status = await startSync();
  stopSyncPolling();
  startSyncPolling();
}
