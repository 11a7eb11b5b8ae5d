// The enrollment link the registry's console puts in its QR code (crates/console/src/views/people.rs):
// `shumari://enroll?registry=URL&code=CODE`. Scanned or pasted into either field of the enrollment
// screen, it fills both.

export interface EnrollLink {
  registry: string;
  code: string;
}

export function parseEnrollLink(text: string): EnrollLink | null {
  const s = text.trim();
  const prefix = 'shumari://enroll?';
  if (!s.toLowerCase().startsWith(prefix)) return null;
  const q = new URLSearchParams(s.slice(prefix.length));
  const registry = q.get('registry')?.trim() ?? '';
  const code = q.get('code')?.trim() ?? '';
  if (!/^https?:\/\//i.test(registry) || code === '') return null;
  return { registry, code };
}
