// Sync by USB stick in the field app: instance A saves an edit to a file ("Save to USB"), the
// registry imports it and exports a file for instance B (`shumari bundle import|export --db`), and
// B loads it ("Load from USB"). The household's edit travels only by files: A's file is checked to
// carry it (so A had not synced it online), and the registry's import reports it accepted.
// The registry's server is paused (SIGSTOP) for the whole move, so A's background sync cannot send
// the edit online first; the CLI imports and exports on the database file meanwhile. Once the
// server runs again, A syncs so the later steps find it acknowledged.
// Env (from scripts/e2e.sh): SHUMARI_BIN, REG_DB, BUNDLE_DIR, REGISTRY_PID.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { openHousehold } from './two_instances.mjs';

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const nav = (s, name) => s.click(`[data-testid="nav-${name}"]`);

function shumari(args) {
  return JSON.parse(execFileSync(process.env.SHUMARI_BIN, ['--json', ...args], { encoding: 'utf8' }));
}

async function setRooms(s, value) {
  await s.type('#f-rooms', value);
  await s.waitFor(async () => (await s.exec(`return document.getElementById('f-rooms').value`)) === value, 'rooms typed');
  await s.waitFor(async () => (await s.text('[data-testid=save-state]')).match(/Saved|محفوظ$/), 'saved');
}

/** Moves an edit of household `ref` from instance `a` to instance `b` by files only. */
export async function householdByUsb({ a, b, ref, shot, audit }) {
  const server = Number(process.env.REGISTRY_PID);
  assert(server > 0, 'REGISTRY_PID names the registry server');
  process.kill(server, 'SIGSTOP');
  try {
    await byFiles({ a, b, ref, shot, audit });
  } finally {
    process.kill(server, 'SIGCONT');
  }
  // A's round that was waiting on the paused server ends; one more round acknowledges the edit.
  const state = () => a.exec(`return document.querySelector('[data-testid=sync-state]').dataset.state`);
  await nav(a, 'sync');
  await a.waitFor(async () => (await state()) !== 'running', 'a waiting round to end', 60000);
  await a.click('[data-testid=sync-now]');
  await a.waitFor(async () => (await state()) !== 'running', 'sync round to end', 30000);
}

async function byFiles({ a, b, ref, shot, audit }) {
  const dir = process.env.BUNDLE_DIR;
  const up = join(dir, 'tablet-a.shumari');
  const down = join(dir, 'for-tablet-b.shumari');
  await openHousehold(a, ref);
  await setRooms(a, '7');
  // A: Save to USB.
  await nav(a, 'settings');
  await a.find('[data-testid=usb-bundles]', 20000);
  await a.type('[data-testid=usb-save-path]', up);
  await a.click('[data-testid=usb-save]');
  const saved = await a.text('[data-testid=usb-saved]');
  assert(/^\s*1 /.test(saved), `A's file carries the edit: ${saved}`);
  await shot(a, 'usb-saved');
  await audit(a, 'usb-saved');
  // The registry imports it as A's push, and makes B's file.
  const imported = shumari(['bundle', 'import', up, '--db', process.env.REG_DB]);
  assert(imported.accepted === 1 && imported.refused.length === 0, `import: ${JSON.stringify(imported)}`);
  await nav(b, 'settings');
  // The office names the tablet by the short id its Settings screen shows.
  const idText = await b.text('[data-testid=device-id]');
  const deviceB = (idText.match(/([A-Z0-9]{4,})\s*$/) ?? [])[1];
  assert(deviceB, `B's device id: ${idText}`);
  const exported = shumari(['bundle', 'export', '--db', process.env.REG_DB, '--for', 'device', deviceB, '--to', down]);
  assert(exported.households >= 1, `export: ${JSON.stringify(exported)}`);
  // B: Load from USB, then the household shows A's edit.
  await b.type('[data-testid=usb-load-path]', down);
  await b.click('[data-testid=usb-load]');
  const loaded = await b.text('[data-testid=usb-loaded]');
  assert(/\d+/.test(loaded), `B loaded: ${loaded}`);
  await shot(b, 'usb-loaded');
  // Loading the same file again changes nothing and says so without an error.
  await b.click('[data-testid=usb-load]');
  await b.find('[data-testid=usb-loaded]', 20000);
  assert((await b.findAll('[data-testid=usb-error]')).length === 0, 'no error on a second load');
  await openHousehold(b, ref);
  const rooms = await b.exec(`return document.getElementById('f-rooms').value`);
  assert(rooms === '7', `B's rooms after loading: ${rooms}`);
}
