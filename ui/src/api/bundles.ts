import { call } from './core';
import type { BundleLoaded, BundleSaved } from './types';

/** "Save to USB": writes what the registry has not received (everything with `all`) to `path`,
 * encrypted to the registry and signed by this tablet. */
export const saveBundle = (path: string, all = false) =>
  call<BundleSaved>('save_bundle', { path, all });

/** "Load from USB": applies the registry's bundle for this tablet at `path`. */
export const loadBundle = (path: string) => call<BundleLoaded>('load_bundle', { path });
