import { startIdleTimer } from './idle';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

it('locks after the idle time, and activity starts the wait again', () => {
  const target = new EventTarget();
  const onIdle = vi.fn();
  startIdleTimer(5 * 60_000, onIdle, target);
  vi.advanceTimersByTime(4 * 60_000);
  target.dispatchEvent(new Event('pointerdown'));
  vi.advanceTimersByTime(4 * 60_000);
  target.dispatchEvent(new Event('keydown'));
  vi.advanceTimersByTime(5 * 60_000 - 1);
  expect(onIdle).not.toHaveBeenCalled();
  vi.advanceTimersByTime(1);
  expect(onIdle).toHaveBeenCalledTimes(1);
  // Once fired it stops watching: later activity does not lock again.
  target.dispatchEvent(new Event('keydown'));
  vi.advanceTimersByTime(10 * 60_000);
  expect(onIdle).toHaveBeenCalledTimes(1);
});

it('stopping it (leaving the app screens) means it never fires', () => {
  const target = new EventTarget();
  const onIdle = vi.fn();
  const stop = startIdleTimer(60_000, onIdle, target);
  stop();
  vi.advanceTimersByTime(120_000);
  expect(onIdle).not.toHaveBeenCalled();
});
