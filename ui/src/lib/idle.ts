// Idle auto-lock: the app locks itself when nobody has touched it for the minutes in the settings
// (5 by default), so a tablet put down unlocked does not stay open to whoever picks it up.

/** What counts as someone using the app. */
export const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;

/**
 * Calls `onIdle` once when no activity event has reached `target` for `ms` milliseconds; every
 * event starts the wait again. Returns a function that stops watching.
 */
export function startIdleTimer(ms: number, onIdle: () => void, target: EventTarget = window): () => void {
  let handle: ReturnType<typeof setTimeout> | undefined;
  const reset = () => {
    clearTimeout(handle);
    handle = setTimeout(fire, ms);
  };
  const stop = () => {
    clearTimeout(handle);
    for (const e of ACTIVITY_EVENTS) target.removeEventListener(e, reset, { capture: true });
  };
  function fire() {
    stop();
    onIdle();
  }
  for (const e of ACTIVITY_EVENTS) target.addEventListener(e, reset, { capture: true, passive: true });
  reset();
  return stop;
}
