// A form besides the household survey, end to end: the registry's command line publishes the meal
// centre's daily report to PK10101, app instance A receives it with a sync, a report is filled on
// the Reports screen and sent with the next sync, and the registry has it: in a CSV export (the
// command line, as the district officer) and on the form's page of the console (a real browser).
// Env (from scripts/e2e.sh): SHUMARI_BIN, REG_DB, BUNDLE_DIR (a scratch folder), DISTRICT_ID,
// CONSOLE_PASSWORD, REGISTRY_URL, CONSOLE_DRIVER, CHROMIUM.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { browser } from './console.mjs';

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const nav = (s, name) => s.click(`[data-testid="nav-${name}"]`);
const FORM = join(import.meta.dirname, '..', '..', 'crates', 'forms', 'questionnaires', 'meal_centre_daily.toml');

function shumari(args) {
  return JSON.parse(execFileSync(process.env.SHUMARI_BIN, ['--json', ...args], { encoding: 'utf8' }));
}

/** Today's date, as the report's `date` answer and the console's default window name it (UTC). */
const today = () => new Date().toISOString().slice(0, 10);

/** Sets an input's value as typing would (a date input takes no keystrokes in every engine). */
async function setValue(s, id, value) {
  await s.exec(`const e = document.getElementById('${id}');
    e.value = '${value}';
    e.dispatchEvent(new Event('input', { bubbles: true }));`);
}

export async function formSteps({ step, a, appSync, shot, audit }) {
  const site = 'Langar Mall Road';
  await step('a published service-point form arrives with sync, is filled and sent', async () => {
    const published = shumari(['registry', 'form', 'publish', '--db', process.env.REG_DB, '--file', FORM, '--area', 'PK10101']);
    assert(published.form_id === 'meal_centre_daily' && published.version === '1', `publish: ${JSON.stringify(published)}`);
    await appSync();
    await nav(a, 'forms');
    await a.find('[data-testid="form-meal_centre_daily"]', 20000);
    await shot(a, 'forms');
    await audit(a, 'forms');
    await a.click('[data-testid="new-report-meal_centre_daily"]');
    await a.find('#r-site', 20000);
    assert((await a.text('[data-testid=report-version]')).includes('1'), 'the report names its version');
    await a.type('#r-site', site);
    await setValue(a, 'r-date', today());
    await a.click('input[name="r-site_kind"][value="meal_centre"]');
    await a.find('#r-meals_served', 10000);
    await a.type('#r-meals_served', '412');
    await a.find('[data-testid=report-submit]:not([disabled])', 20000);
    await shot(a, 'report');
    await audit(a, 'report');
    await a.click('[data-testid=report-submit]');
    await a.find('[data-testid=report-submitted]', 20000);
    await appSync();
    await nav(a, 'forms');
    await a.waitFor(
      async () => (await a.exec(`const e = document.querySelector('[data-testid=report-row]'); return e && e.dataset.state`)) === 'sent',
      'the report is sent',
      30000,
    );
  });

  await step('the report is in a CSV export and on the form page of the console', async () => {
    const out = join(process.env.BUNDLE_DIR, 'forms-export');
    const manifest = shumari(['registry', 'export', '--db', process.env.REG_DB, '--format', 'csv', '--what', 'submissions',
      '--form', 'meal_centre_daily', '--out', out, '--as', process.env.DISTRICT_ID]);
    assert(manifest.rows === 1, `export rows: ${manifest.rows}`);
    const csv = readFileSync(join(out, 'submissions.csv'), 'utf8');
    assert(csv.includes(site) && csv.includes('412'), `the CSV holds the report: ${csv}`);
    const c = await browser();
    try {
      const base = `${process.env.REGISTRY_URL}/console`;
      await c.cmd('POST', '/url', { url: `${base}/sign-in` });
      await c.type('#user', process.env.DISTRICT_ID);
      await c.type('#password', process.env.CONSOLE_PASSWORD);
      await c.click('[data-testid="sign-in-submit"]');
      await c.find('[data-testid="nav-forms"]', 20000);
      await c.cmd('POST', '/url', { url: `${base}/forms/meal_centre_daily` });
      const total = await c.text('[data-testid="form-total"]');
      assert(total.trim() === '1', `reports on the form's page: ${total}`);
      await c.find(`[data-site="${site}"]`);
    } finally {
      await c.close();
    }
  });
}
