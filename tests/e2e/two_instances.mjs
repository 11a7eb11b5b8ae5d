// The two-instance tests: a second app instance (its own data directory, its own surveyor in the same
// area) receives what the first one synced, and a conflict made by both is shown and resolved.
// Used by run.mjs once instance A has a complete household; every helper takes the sessions it drives.
import { Session } from './webdriver.mjs';

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const nav = (s, name) => s.click(`[data-testid="nav-${name}"]`);

/** Runs one sync round from the sync screen and waits until it ended well with nothing waiting. */
export async function syncRound(s) {
  await nav(s, 'sync');
  await s.find('[data-testid=sync-now]:not([disabled])', 30000);
  await s.click('[data-testid=sync-now]');
  await s.waitFor(async () => {
    const st = await s.exec(`const e = document.querySelector('[data-testid=sync-state]'); return e && e.dataset.state`);
    const pending = await s.exec(`const e = document.querySelector('[data-testid=sync-pending]'); return e && e.textContent.trim()`);
    if (st === 'error' || st === 'offline') {
      const why = await s.exec(`const e = document.querySelector('[data-testid=sync-state]'); return e && e.textContent`);
      throw new Error(`sync ended ${st}: ${why}`);
    }
    return st === 'idle' && pending === '0';
  }, 'sync round to end with nothing pending', 30000);
}

/** Opens the household with reference `ref` from the list. */
export async function openHousehold(s, ref) {
  await nav(s, 'households');
  await s.type('[data-testid=household-search]', ref);
  await s.waitFor(async () => (await s.findAll('[data-testid=household-row]')).length === 1, `row ${ref}`, 20000);
  await s.click('[data-testid=household-row]');
  await s.find('[data-testid=reference]');
  const shown = await s.text('[data-testid=reference]');
  assert(shown.includes(ref), `opened ${shown}, wanted ${ref}`);
}

async function setRooms(s, value) {
  await s.type('#f-rooms', value);
  await s.waitFor(async () => (await s.exec(`return document.getElementById('f-rooms').value`)) === value, 'rooms typed');
  await s.waitFor(async () => (await s.text('[data-testid=save-state]')).match(/Saved|محفوظ$/), 'saved');
}

/** Enrolls instance B (driver `driverB`) with `code` and checks it receives household `ref`. */
export async function receiveOnSecond({ a, driverB, app, code, registryUrl, ref, shot }) {
  await syncRound(a);
  const b = await Session.create(driverB, app);
  await b.find('#registry', 30000);
  await b.type('#registry', registryUrl);
  await b.type('#code', code);
  await b.type('#pin', '135792');
  await b.type('#pin2', '135792');
  await b.click('button[type=submit]');
  await b.find('[data-testid="area-PK10101"]', 20000);
  await syncRound(b);
  await nav(b, 'home');
  await b.waitFor(async () => (await b.text('[data-testid=count-total]')).trim() === '1', 'B counts one household', 20000);
  await openHousehold(b, ref);
  const members = await b.exec(`return document.querySelectorAll('[data-testid=member]').length`);
  assert(members === 3, `B sees ${members} members`);
  const name = await b.exec(`return [...document.querySelectorAll('[data-testid=member] input')].map(i => i.value).join('|')`);
  assert(name.includes('Ayesha Bibi'), `B sees the head's name: ${name}`);
  await shot(b, 'second-instance-household');
  return b;
}

/** Both instances change `rooms` before seeing each other's edit; B sees the conflict and keeps A's value. */
export async function conflictShownAndResolved({ a, b, ref, shot, audit }) {
  await openHousehold(b, ref);
  await setRooms(b, '5');
  await openHousehold(a, ref);
  await setRooms(a, '3');
  await syncRound(b);
  await syncRound(a); // A pulls B's concurrent edit: both values are kept
  await syncRound(b); // B pulls A's
  for (const s of [a, b]) {
    await nav(s, 'conflicts');
    await s.find('[data-testid=conflict][data-field=rooms]', 20000);
  }
  const values = await b.exec(
    `return [...document.querySelectorAll('[data-testid=conflict][data-field=rooms] [data-testid=conflict-value]')].map(e => e.textContent.trim()).sort()`,
  );
  assert(JSON.stringify(values) === JSON.stringify(['3', '5']), `conflicting values: ${JSON.stringify(values)}`);
  const who = await b.text('[data-testid=conflict][data-field=rooms]');
  assert(/Surveyor A/.test(who) && /Surveyor B/.test(who), `authors shown: ${who}`);
  await shot(b, 'conflicts-open');
  await audit(b, 'conflicts-open');
  // Keep A's value "3".
  const keep = await b.exec(
    `return [...document.querySelectorAll('[data-testid=conflict][data-field=rooms] li')].findIndex(li => li.querySelector('[data-testid=conflict-value]').textContent.trim() === '3')`,
  );
  assert(keep >= 0, 'value 3 listed');
  await b.exec(`document.querySelectorAll('[data-testid=conflict][data-field=rooms] [data-testid=conflict-keep]')[${keep}].click()`);
  await b.find('[data-testid=no-conflicts]', 20000);
  await syncRound(b);
  await syncRound(a);
  // The resolution supersedes both values everywhere.
  await nav(a, 'conflicts');
  await a.find('[data-testid=no-conflicts]', 20000);
  for (const s of [a, b]) {
    await openHousehold(s, ref);
    const rooms = await s.exec(`return document.getElementById('f-rooms').value`);
    assert(rooms === '3', `rooms after resolution: ${rooms}`);
  }
  // The registry acknowledged the completed interview, so it is submitted: the surveyors' edits
  // travel as edits of a submitted household, which stays submitted until a supervisor decides.
  await openHousehold(a, ref);
  await a.find('[data-testid=completed]');
  await syncRound(a);
}
