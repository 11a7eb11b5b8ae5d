// Answer values in the text forms ODK stores and the forms engine checks (crates/forms/src/typing.rs):
// a time is `HH:MM:SS.sss` with the device's zone (`14:30:00.000+05:00`), a date-time is a date and such
// a time joined by `T`, and a trace or shape is GPS points `lat lon alt acc` joined by `;` (a shape is
// closed: its last point repeats its first). The inputs of the webview speak `HH:MM` and
// `YYYY-MM-DDTHH:MM`; these functions convert both ways.

/** ODK's zone suffix for a `Date.getTimezoneOffset()` (minutes behind UTC): -300 is `+05:00`. */
export function zone(offsetMinutes: number): string {
  const ahead = -offsetMinutes;
  const sign = ahead >= 0 ? '+' : '-';
  const abs = Math.abs(ahead);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const clock = /^(\d{2}):(\d{2})(?::(\d{2}))?/;

/** `HH:MM[:SS]` from a time input, as ODK stores it; null when blank or not a time. */
export function toOdkTime(input: string, offsetMinutes = new Date().getTimezoneOffset()): string | null {
  const m = clock.exec(input.trim());
  if (!m) return null;
  return `${m[1]}:${m[2]}:${m[3] ?? '00'}.000${zone(offsetMinutes)}`;
}

/** The `HH:MM` (or `HH:MM:SS`) a time input shows for a stored time. */
export function fromOdkTime(stored: string): string {
  const m = clock.exec(stored.trim());
  if (!m) return '';
  return m[3] && m[3] !== '00' ? `${m[1]}:${m[2]}:${m[3]}` : `${m[1]}:${m[2]}`;
}

/** `YYYY-MM-DDTHH:MM` from a datetime-local input, as ODK stores it (the zone in force that day). */
export function toOdkDateTime(input: string, offsetMinutes?: number): string | null {
  const [date, time] = input.trim().split('T');
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || !time) return null;
  const offset = offsetMinutes ?? new Date(`${date}T${time}`).getTimezoneOffset();
  const t = toOdkTime(time, offset);
  return t ? `${date}T${t}` : null;
}

/** The `YYYY-MM-DDTHH:MM` a datetime-local input shows for a stored date-time. */
export function fromOdkDateTime(stored: string): string {
  const [date, time] = stored.trim().split('T');
  if (!date || !time) return '';
  const t = fromOdkTime(time);
  return t ? `${date}T${t}` : '';
}

export type Point = { lat: number; lon: number; alt: number; acc: number };

/** The points of a stored trace or shape (a shape's closing point left out). */
export function parsePoints(stored: string | null | undefined, shape = false): Point[] {
  const points = (stored ?? '')
    .split(';')
    .map((p) => p.trim().split(/\s+/).map(Number))
    .filter((n) => n.length >= 2 && n.every(Number.isFinite))
    .map(([lat, lon, alt = 0, acc = 0]) => ({ lat, lon, alt, acc }));
  const first = points[0];
  const last = points[points.length - 1];
  if (shape && points.length > 1 && first.lat === last.lat && first.lon === last.lon) points.pop();
  return points;
}

/** Points as ODK stores them; a shape of three points or more is closed. Null when there are none. */
export function formatPoints(points: Point[], shape = false): string | null {
  if (points.length === 0) return null;
  const ring = shape && points.length >= 3 ? [...points, points[0]] : points;
  return ring.map((p) => `${p.lat} ${p.lon} ${p.alt} ${p.acc}`).join(';');
}
