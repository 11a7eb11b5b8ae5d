// Pure formatting helpers (unit-tested in format.test.ts).

/** Keep only digits and lay them out as the 5-7-1 CNIC mask: `12345-1234567-1`. */
export function maskCnic(input: string): string {
  const d = input.replace(/\D/g, '').slice(0, 13);
  if (d.length <= 5) return d;
  if (d.length <= 12) return `${d.slice(0, 5)}-${d.slice(5)}`;
  return `${d.slice(0, 5)}-${d.slice(5, 12)}-${d.slice(12)}`;
}

export function cnicDigits(input: string): string {
  return input.replace(/\D/g, '');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** ISO timestamp to `YYYY-MM-DD HH:MM` in local time; numbers stay Latin (CLDR ur-PK default). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Which rows of a fixed-row-height list are on screen, with `overscan` spare rows each side. */
export function visibleRange(
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  overscan = 6,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const count = Math.ceil(viewport / rowHeight);
  const start = Math.max(0, first - overscan);
  const end = Math.min(total, first + count + overscan);
  return { start, end };
}

/**
 * Wrap a number in Unicode left-to-right isolate marks (LRI … PDI) for use inside a translated string,
 * where an element such as <bdi> cannot go.
 */
export function ltr(s: string | number): string {
  return `${String.fromCharCode(0x2066)}${s}${String.fromCharCode(0x2069)}`;
}
