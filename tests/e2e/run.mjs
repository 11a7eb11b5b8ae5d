// End-to-end tests of the real field-app binary in a real WebKitGTK window (Xvfb), through
// tauri-driver + WebKitWebDriver. Started by scripts/e2e.sh, which builds everything and runs Xvfb.
//
// Env: APP (binary), DRIVER_A / DRIVER_B (tauri-driver base URLs, each started with its own
// SHUMARI_DATA_DIR), REGISTRY_URL, SCREENSHOTS (dir), AXE (path to axe.min.js),
// CODE_A / CODE_B: enrollment codes of two surveyors in PK10101.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session, sleep } from './webdriver.mjs';
import { receiveOnSecond, conflictShownAndResolved } from './two_instances.mjs';
import { consoleSteps } from './console.mjs';
import { portalSteps } from './portal.mjs';
import { householdByUsb } from './usb.mjs';
import { formSteps } from './forms.mjs';

const env = (k, d) => process.env[k] ?? d;
const APP = env('APP');
const SHOTS = env('SCREENSHOTS', 'artifacts/screenshots');
const REGISTRY_URL = env('REGISTRY_URL');
const AXE = readFileSync(env('AXE'), 'utf8');
mkdirSync(SHOTS, { recursive: true });

const results = [];
async function step(name, fn, { skip } = {}) {
  if (skip) {
    results.push({ name, status: 'skipped', detail: skip });
    console.log(`- SKIP ${name}: ${skip}`);
    return;
  }
  const t = Date.now();
  try {
    await fn();
    results.push({ name, status: 'passed' });
    console.log(`✓ ${name} (${Date.now() - t} ms)`);
  } catch (e) {
    results.push({ name, status: 'failed', detail: String(e?.stack ?? e) });
    console.log(`✗ ${name}: ${e?.message ?? e}`);
    if (a) await shot(a, `FAILED-${results.length}`).catch(() => {});
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function shot(s, name) {
  const lang = await s.exec('return document.documentElement.lang');
  await sleep(300); // let fonts and transitions settle
  writeFileSync(join(SHOTS, `${name}-${lang}.png`), Buffer.from(await s.screenshot(), 'base64'));
}

/** axe-core in the page: no serious or critical violation. */
async function axe(s, label) {
  // Evaluated through WebDriver (which the page's CSP does not govern), not as an injected <script>.
  const ok = await s.exec(`if (!window.axe) { ${AXE}\n }\nreturn typeof window.axe;`);
  assert(ok === 'object', `axe-core did not load: ${ok}`);
  const res = await s.execAsync(
    `const done = arguments[arguments.length - 1];
     window.axe.run(document, { resultTypes: ['violations'] })
       .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
         .map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))
       .catch(e => done([{ id: 'axe-error', impact: 'critical', nodes: [String(e)] }]));`,
  );
  assert(res.length === 0, `${label}: axe violations ${JSON.stringify(res)}`);
}

/** Every visible pressable thing is at least 44 x 44 CSS px; nothing has a positive tabindex. */
async function targets(s, label) {
  const bad = await s.exec(`
    const out = [];
    const sel = 'button, a[href], input:not([type=radio]):not([type=checkbox]), select, label.choice, [tabindex]';
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      const hidden = r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === 'hidden'
        || el.closest('.visually-hidden') || el.classList.contains('skip-link');
      if (hidden) continue;
      if (r.height < 43.5 || (r.width < 43.5 && el.tagName !== 'INPUT')) out.push(el.outerHTML.slice(0, 80) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
      if (el.tabIndex > 0) out.push('positive tabindex: ' + el.outerHTML.slice(0, 60));
    }
    return out;`);
  assert(bad.length === 0, `${label}: small or badly ordered targets ${JSON.stringify(bad.slice(0, 5))}`);
}

/** Tab through the page: every button and field must receive focus. */
async function keyboard(s, label) {
  const missing = await s.exec(`
    const want = [...document.querySelectorAll('button:not([disabled]), a[href], input:not([disabled])')]
      .filter(el => el.getBoundingClientRect().height > 0 && !(el.type === 'radio' && !el.checked && document.querySelector('input[type=radio][name="' + el.name + '"]:checked')));
    return want.filter(el => el.tabIndex < 0).map(el => el.outerHTML.slice(0, 80));`);
  assert(missing.length === 0, `${label}: not reachable by keyboard ${JSON.stringify(missing)}`);
  // And real Tab presses move focus forward through the page.
  await s.cmd('POST', '/actions', { actions: [{ type: 'key', id: 'kb', actions: [{ type: 'keyDown', value: '\uE004' }, { type: 'keyUp', value: '\uE004' }, { type: 'keyDown', value: '\uE004' }, { type: 'keyUp', value: '\uE004' }] }] });
  const tag = await s.exec('return document.activeElement && document.activeElement.tagName');
  assert(tag && tag !== 'BODY', `${label}: Tab did not move focus`);
}

async function audit(s, label) {
  await axe(s, label);
  await targets(s, label);
  await keyboard(s, label);
}

const nav = (s, name) => s.click(`[data-testid="nav-${name}"]`);

async function enroll(s, code) {
  await s.find('#registry', 30000);
  await s.type('#registry', REGISTRY_URL);
  await s.type('#code', code);
  await s.type('#pin', '246813');
  await s.type('#pin2', '246813');
}

async function answer(s, name, value, member) {
  const fid = member ? `m-${member}-${name}` : `f-${name}`;
  await check(s, `input[name="${fid}"][value="${value}"]`);
}

async function memberIds(s) {
  return s.exec(`return [...document.querySelectorAll('[data-testid=member]')].map(e => e.dataset.member)`);
}

async function addMember(s, m) {
  // The new member is added behind the answers still being saved: start from a saved form, and
  // allow a slow machine its time.
  await saved(s);
  const before = (await memberIds(s)).length;
  await s.click('[data-testid=add-member]');
  const ids = await s.waitFor(async () => { const v = await memberIds(s); return v.length > before && v; }, 'new member', 30000);
  const id = ids[ids.length - 1];
  await s.type(`#m-${id}-name`, m.name);
  await answer(s, 'relation', m.relation, id);
  await answer(s, 'sex', m.sex, id);
  await s.type(`#m-${id}-age`, String(m.age));
  if (m.cnic) await s.type(`#m-${id}-id_number`, m.cnic);
  return id;
}

/**
 * Clicks a box or radio once nothing is being saved (a saved answer can show or hide questions above
 * it, which would move the target under the pointer), and checks that it took.
 */
async function check(s, css) {
  for (let attempt = 0; ; attempt++) {
    await saved(s);
    await s.click(css);
    try {
      await s.waitFor(() => s.exec(`const e = document.querySelector('${css}'); return !!(e && e.checked)`), css, 3000);
      return;
    } catch (e) {
      if (attempt >= 2) throw e;
    }
  }
}

/** Ticks one box of a select_multiple question. */
const tick = (s, name, value) => check(s, `[data-testid="field-f-${name}"] input[type=checkbox][value="${value}"]`);

/** Every other household answer the NSER questionnaire needs before it can be marked complete. */
async function fillHousehold(s) {
  await s.type('#f-address', 'House 12, Street 4, Mohalla Islamabad');
  await s.type('#f-respondent', 'Ayesha Bibi');
  await check(s, '#f-consent');
  for (const [name, value] of [
    ['tenure', 'owned'], ['walls', 'mud'], ['roof', 'garder'], ['floor', 'earth'], ['toilet', 'pit'],
    ['water', 'hand_pump'], ['cooking_fuel', 'wood'], ['lighting', 'electricity'], ['electricity', 'yes'],
    ['gas', 'no'], ['has_livestock', 'no'],
  ]) await answer(s, name, value);
  await tick(s, 'assets', 'tv');
  await s.type('#f-land_owned', '0');
  await s.type('#f-land_rented', '0');
  await tick(s, 'support', 'none');
}

/** A member's schooling, difficulties (Washington Group) and work: asked from age 5 and 10. */
async function memberDetails(s, id, m) {
  await answer(s, 'marital_status', m.marital, id);
  await answer(s, 'literate', 'yes', id);
  await answer(s, 'education', m.education, id);
  for (const wg of ['wg_seeing', 'wg_hearing', 'wg_walking', 'wg_remembering', 'wg_selfcare', 'wg_communicating']) {
    await answer(s, wg, 'no_difficulty', id);
  }
  await answer(s, 'occupation', m.occupation, id);
  if (m.income) await s.type(`#m-${id}-income`, String(m.income));
}

async function saved(s) {
  await s.waitFor(async () => (await s.text('[data-testid=save-state]')).match(/Saved|محفوظ$/), 'saved');
}

let a;
let b;
let ref;

try {
  a = await Session.create(env('DRIVER_A'), APP);

  await step('first run: enroll the device and set a PIN', async () => {
    await enroll(a, env('CODE_A'));
    await audit(a, 'enroll');
    await shot(a, 'enroll');
    await a.click('button[type=submit]');
    await a.find('[data-testid="area-PK10101"]', 20000);
    await shot(a, 'home');
    await audit(a, 'home');
  });

  await step('create a household with three members; an invalid CNIC shows its error', async () => {
    await a.click('[data-testid="new-household-PK10101"]');
    await a.find('[data-testid=reference]');
    await a.type('#f-rooms', '2');
    await fillHousehold(a);
    const head = await addMember(a, { name: 'Ayesha Bibi', relation: 'head', sex: 'female', age: 34, cnic: '12345' });
    // The shape error replaces the "required" message once the core has judged the typed value.
    const err = await a.waitFor(async () => {
      const t = await a.exec(`const e = document.querySelector('[data-testid="error-m-${head}-id_number"]'); return e ? e.textContent : ''`);
      return /13 digits/.test(t) && t;
    }, 'CNIC error');
    assert(/13 digits/.test(err), `CNIC error says: ${err}`);
    await shot(a, 'interview-cnic-error');
    await a.type(`#m-${head}-id_number`, '3520212345672');
    await a.waitGone(`[data-testid="error-m-${head}-id_number"]`);
    const value = await a.exec(`return document.getElementById('m-${head}-id_number').value`);
    assert(value === '35202-1234567-2', `CNIC mask: ${value}`);
    await memberDetails(a, head, { marital: 'married', education: 'primary', occupation: 'housework' });
    const spouse = await addMember(a, { name: 'Imran Khan', relation: 'spouse', sex: 'male', age: 38, cnic: '3520276543211' });
    await memberDetails(a, spouse, { marital: 'married', education: 'matric', occupation: 'labour', income: 25000 });
    await addMember(a, { name: 'Sana', relation: 'daughter', sex: 'female', age: 4 });
    await saved(a);
    assert((await memberIds(a)).length === 3, 'three members');
  });

  await step('skip logic hides and shows questions as answers change', async () => {
    // The electricity bill is asked only with an electricity connection.
    await a.find('[data-testid="field-f-electricity_bill"]');
    await answer(a, 'electricity', 'no');
    await a.waitGone('[data-testid="field-f-electricity_bill"]');
    await answer(a, 'electricity', 'yes');
    await a.find('[data-testid="field-f-electricity_bill"]');
    const ids = await memberIds(a);
    // School (education) is asked from age 5: Sana (4) does not get it, Ayesha does.
    await a.find(`[data-testid="field-m-${ids[0]}-education"]`);
    assert((await a.findAll(`[data-testid="field-m-${ids[2]}-education"]`)).length === 0, 'school hidden for a 4-year-old');
    await saved(a);
    await shot(a, 'interview');
    await audit(a, 'interview');
  });

  await step('mark complete; provisional PMT score and slip with reference number', async () => {
    await saved(a);
    await a.click('[data-testid=mark-complete]');
    await a.find('[data-testid=completed]', 20000).catch(async (e) => {
      const issues = await a.exec(`return [...document.querySelectorAll('[data-testid^="error-"]')].map(e => e.dataset.testid + ': ' + e.textContent).join('; ')`);
      throw new Error(`${e.message}; issues: ${issues}`);
    });
    const score = await a.text('[data-testid=pmt-score]');
    assert(/^\d+(\.\d)?$/.test(score.trim()), `score: ${score}`);
    await a.click('[data-testid=show-slip]');
    ref = (await a.text('[data-testid=slip-reference]')).trim();
    assert(/^PK10101-/.test(ref), `reference: ${ref}`);
    await shot(a, 'slip');
    await audit(a, 'slip');
  });

  await step('household list: search by name, CNIC and reference; filter by status', async () => {
    await nav(a, 'households');
    await a.find('[data-testid=household-row]');
    await shot(a, 'households');
    await audit(a, 'households');
    for (const q of ['Ayesha', '35202-12345', 'PK10101-']) {
      await a.type('[data-testid=household-search]', q);
      await a.waitFor(async () => (await a.findAll('[data-testid=household-row]')).length === 1, `search ${q}`);
    }
    await a.type('[data-testid=household-search]', 'Nobody');
    await a.waitGone('[data-testid=household-row]');
    await a.type('[data-testid=household-search]', '');
    await a.click('[data-testid=filter-draft]');
    await a.waitGone('[data-testid=household-row]');
    await a.click('[data-testid=filter-complete]');
    await a.find('[data-testid=household-row]');
  });

  await step('sync screen shows state and errors in plain words', async () => {
    await nav(a, 'sync');
    await a.click('[data-testid=sync-now]');
    await a.waitFor(async () => (await a.exec(`return document.querySelector('[data-testid=sync-state]').dataset.state`)) !== 'running', 'sync round to end', 20000);
    await shot(a, 'sync');
    await audit(a, 'sync');
    // Every part of the screen loaded: a command the window may not call shows up as an alert.
    const alerts = await a.exec(`return [...document.querySelectorAll('[role=alert]')].map((e) => e.textContent).join(' | ')`);
    if (alerts.trim()) throw new Error(`the sync screen shows an error: ${alerts}`);
    await nav(a, 'conflicts');
    await a.find('[data-testid=no-conflicts], [data-testid=conflict]');
    await shot(a, 'conflicts');
    await audit(a, 'conflicts');
  });

  await step('complete and sync; a second instance receives the household', async () => {
    b = await receiveOnSecond({ a, driverB: env('DRIVER_B'), app: APP, code: env('CODE_B'), registryUrl: REGISTRY_URL, ref, shot });
  });
  await step('a conflict made by two instances is shown and resolved', async () => {
    assert(b, 'the second instance is running');
    await conflictShownAndResolved({ a, b, ref, shot, audit });
  });
  // The registry's server is paused while the edit moves by files, so A cannot send it online
  // first (usb.mjs).
  await step('an edit travels from instance A to the registry and down to B by USB files only', async () => {
    assert(b, 'the second instance is running');
    await householdByUsb({ a, b, ref, shot, audit });
  });

  await step('wrong PIN: clear message, nothing lost', async () => {
    await nav(a, 'lock');
    await a.type('#unlock-pin', '111111');
    await a.click('button[type=submit]');
    const msg = await a.text('[data-testid=unlock-error]');
    assert(/not correct/.test(msg), msg);
    await shot(a, 'unlock');
    await audit(a, 'unlock');
    await a.type('#unlock-pin', '246813');
    await a.click('button[type=submit]');
    await a.find('[data-testid="area-PK10101"]');
    assert((await a.text('[data-testid=count-total]')).trim() === '1', 'household kept');
    // Completed, then submitted on the registry's acknowledgement; synced.
    assert((await a.text('[data-testid=count-submitted]')).trim() === '1', 'household submitted');
    assert((await a.text('[data-testid=count-synced]')).trim() === '1', 'household synced');
  });

  await step('switch to Urdu: the whole layout mirrors; numbers stay left to right', async () => {
    await nav(a, 'settings');
    await shot(a, 'settings');
    await audit(a, 'settings');
    await a.click('[data-testid=lang-ur]');
    await a.waitFor(async () => (await a.exec('return document.documentElement.dir')) === 'rtl', 'rtl');
    const font = await a.exec(`return getComputedStyle(document.body).fontFamily`);
    assert(/Nastaliq/.test(font), `font: ${font}`);
    const loaded = await a.execAsync(`const d = arguments[0]; document.fonts.load('16px "Noto Nastaliq Urdu"', 'اردو').then(f => d(f.length > 0))`);
    assert(loaded, 'Nastaliq font loaded');
    await shot(a, 'settings');
    await audit(a, 'settings-ur');
    await nav(a, 'home');
    await a.find('[data-testid="area-PK10101"]');
    await shot(a, 'home');
    await audit(a, 'home-ur');
    await nav(a, 'households');
    await a.click('[data-testid=household-row]');
    await a.find('[data-testid=reference]');
    const dir = await a.exec(`return getComputedStyle(document.querySelector('[data-testid=reference]')).direction`);
    assert(dir === 'ltr', 'reference number stays LTR inside Urdu');
    await shot(a, 'interview');
    await audit(a, 'interview-ur');
    await a.click('[data-testid=show-slip]');
    await a.find('[data-testid=slip-reference]');
    await shot(a, 'slip');
    await nav(a, 'households');
    await a.find('[data-testid=household-row]');
    await shot(a, 'households');
    await audit(a, 'households-ur');
    await nav(a, 'sync');
    await shot(a, 'sync');
    await nav(a, 'conflicts');
    await shot(a, 'conflicts');
    await nav(a, 'lock');
    await a.find('#unlock-pin');
    await shot(a, 'unlock');
    await audit(a, 'unlock-ur');
  });

  // The registry's console in a real browser, reviewing what app A submitted; app A follows.
  const appSync = async () => {
    if ((await a.findAll('#unlock-pin')).length) {
      await a.type('#unlock-pin', '246813');
      await a.click('button[type=submit]');
      await a.find('[data-testid="area-PK10101"]');
    }
    await nav(a, 'sync');
    await a.click('[data-testid=sync-now]');
    await sleep(300);
    await a.waitFor(async () => (await a.exec(`return document.querySelector('[data-testid=sync-state]').dataset.state`)) !== 'running', 'sync round to end', 20000);
  };
  await consoleSteps({ step, axe, a, ref, appSync, shotsDir: SHOTS });
  await formSteps({ step, a, appSync, shot, audit });
  const portal = await portalSteps({ step, axe, shotsDir: SHOTS });
  await portal.close();
} catch (e) {
  results.push({ name: 'session', status: 'failed', detail: String(e?.stack ?? e) });
  console.log(`✗ session: ${e?.message ?? e}`);
} finally {
  await a?.close();
  await b?.close();
}

const passed = results.filter((r) => r.status === 'passed').length;
const failed = results.filter((r) => r.status === 'failed');
const skipped = results.filter((r) => r.status === 'skipped').length;
writeFileSync(join(SHOTS, '..', 'e2e-results.json'), JSON.stringify(results, null, 2));
for (const f of failed) console.log(`\nFAILED ${f.name}\n${f.detail}`);
console.log(`\n${passed} passed, ${failed.length} failed, ${skipped} skipped`);
process.exit(failed.length ? 1 : 0);
