// The citizen status page in a real browser with JavaScript switched off (Debian's chromium through
// chromium-driver, headless, 320 px wide — a basic phone's screen). A surveyor's CLI store records a
// household whose head gives a CNIC and the card's date of issue and syncs it; the citizen finds it
// in English and Urdu, a wrong date finds nothing, and a problem is reported with a tracking number.
// Pages are weighed over plain HTTP (under 20 KB each) and checked with axe-core.
//
// Env: CONSOLE_DRIVER (chromedriver base URL), CHROMIUM, REGISTRY_URL, SHUMARI_BIN, CLI_C_DIR,
// CLI_C_PIN.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from './webdriver.mjs';
import { browser } from './console.mjs';

const env = (k, d) => process.env[k] ?? d;

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const CNIC = '61101-5556667-2';
const ISSUED = { day: '9', month: '11', year: '2017' };

/**
 * A headless chromium with page scripts disabled (WebDriver still drives it), its viewport set to a
 * 320 px phone screen through the DevTools protocol: a desktop window cannot be narrower than 500 px,
 * and chromium-driver's `mobileEmulation` option hangs on a click when page scripts are off.
 */
async function phone() {
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--window-size=500,900', '--lang=en-US'];
  args.push('--blink-settings=scriptEnabled=false');
  const s = await Session.createWith(env('CONSOLE_DRIVER'), {
    browserName: 'chrome',
    'goog:chromeOptions': { binary: env('CHROMIUM', '/usr/bin/chromium'), args },
  });
  await s.cmd('POST', '/goog/cdp/execute', {
    cmd: 'Emulation.setDeviceMetricsOverride',
    params: { width: 320, height: 800, deviceScaleFactor: 1, mobile: true },
  });
  return s;
}

/** `POST /status` over plain HTTP: the page's bytes, as a phone would download them. */
async function post(path, fields) {
  const r = await fetch(`${env('REGISTRY_URL')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: r.status, body: await r.text() };
}

export async function portalSteps({ step, axe, shotsDir }) {
  const dir = join(shotsDir, 'portal');
  mkdirSync(dir, { recursive: true });
  let ref = '';
  await step('a household with a CNIC and its date of issue reaches the registry', async () => {
    const cli = (...args) =>
      execFileSync(env('SHUMARI_BIN'), args, {
        env: { ...process.env, SHUMARI_DATA_DIR: env('CLI_C_DIR'), SHUMARI_PIN: env('CLI_C_PIN') },
      }).toString();
    const file = join(env('CLI_C_DIR'), 'citizen.jsonl');
    writeFileSync(
      file,
      JSON.stringify({
        area: 'PK10101',
        answers: { address: 'House 12, Mohalla Faisal', phone: '03451112233' },
        members: [
          { name: 'Nasreen Akhtar', relation: 'head', sex: 'female', age: 44, id_number: CNIC,
            answers: { id_issued: `${ISSUED.year}-${ISSUED.month}-0${ISSUED.day}` } },
          { name: 'Bilal Ahmed', relation: 'son', sex: 'male', age: 9 },
        ],
      }) + '\n',
    );
    const out = JSON.parse(cli('household', 'import', '--file', file, '--json'));
    assert(out.imported === 1, `import answered ${JSON.stringify(out)}`);
    const list = JSON.parse(cli('household', 'list', '--json', '--limit', '100'));
    ref = list.find((h) => h.head_name === 'Nasreen Akhtar')?.ref ?? '';
    assert(ref, 'the imported household is listed');
    cli('sync');
  });

  let s;
  let j;
  const shot = async (name) => {
    const lang = await s.exec('return document.documentElement.lang');
    writeFileSync(join(dir, `${name}-${lang}.png`), Buffer.from(await s.screenshot(), 'base64'));
  };
  const lookUp = async (lang, { day, month, year }, on = s) => {
    await on.cmd('POST', '/url', { url: `${env('REGISTRY_URL')}/status?lang=${lang}` });
    await on.type('[data-testid="cnic"]', CNIC);
    await on.type('[data-testid="day"]', day);
    await on.type('[data-testid="month"]', month);
    await on.type('[data-testid="year"]', year);
    await on.click('[data-testid="check"]');
  };
  const fits = async (label) => {
    const w = await s.exec('return document.documentElement.scrollWidth');
    assert(w <= 320, `${label}: ${w} px wide at 320 px`);
  };

  await step('citizen status page without JavaScript at 320 px: found in English and Urdu, names masked', async () => {
    s = await phone();
    // axe-core runs in an ordinary browser session (it is a script itself).
    j = await browser();
    await s.cmd('POST', '/url', { url: `${env('REGISTRY_URL')}/status` });
    assert((await s.exec("return document.querySelectorAll('script').length")) === 0, 'the page has no script');
    await s.find('[data-testid="cnic"]');
    await fits('form');
    await shot('form');
    await j.cmd('POST', '/url', { url: `${env('REGISTRY_URL')}/status` });
    await axe(j, 'status form (en)');
    for (const lang of ['en', 'ur']) {
      await lookUp(lang, ISSUED);
      const got = await s.text('[data-testid="reference"]');
      assert(got === ref, `${lang}: reference ${got} (want ${ref})`);
      const members = await s.text('[data-testid="members"]');
      assert(members.includes('Na***** Ak****') && !members.includes('Nasreen'), `${lang}: names masked: ${members}`);
      assert((await s.exec('return document.documentElement.dir')) === (lang === 'ur' ? 'rtl' : 'ltr'), 'direction');
      await fits(`status page (${lang})`);
      await shot('status');
      await lookUp(lang, ISSUED, j);
      await j.find('[data-testid="reference"]');
      await axe(j, `status page (${lang})`);
    }
  });

  await step('a wrong date and an unknown CNIC get the same page; every page under 20 KB', async () => {
    await lookUp('ur', { ...ISSUED, day: '10' });
    await s.find('[data-testid="no-match"]');
    await shot('no-match');
    await lookUp('ur', { ...ISSUED, day: '10' }, j);
    await j.find('[data-testid="no-match"]');
    await axe(j, 'no match (ur)');
    const base = { lang: 'en', cnic: CNIC, ...ISSUED };
    const found = await post('/status', base);
    const wrong = await post('/status', { ...base, day: '10' });
    const unknown = await post('/status', { ...base, cnic: '61101-9998887-2' });
    assert(found.status === 200 && found.body.includes(ref), 'found over HTTP');
    assert(wrong.body === unknown.body, 'a wrong date and an unknown CNIC answer alike');
    const form = await (await fetch(`${env('REGISTRY_URL')}/status?lang=ur`)).text();
    for (const [name, body] of [['form', form], ['status', found.body], ['no match', wrong.body]]) {
      const bytes = Buffer.byteLength(body);
      assert(bytes < 20 * 1024, `${name}: ${bytes} bytes`);
      assert(!body.includes('<script'), `${name}: no script`);
    }
  });

  await step('a problem reported from the status page without JavaScript gets a tracking number', async () => {
    await lookUp('en', ISSUED);
    await s.click('[data-testid="category-not_paid"]');
    await s.type('[data-testid="phone"]', '0345-1112233');
    await s.type('[data-testid="text"]', 'The March instalment never came.');
    await s.click('[data-testid="send"]');
    const tracking = await s.text('[data-testid="tracking"]');
    assert(/^GRV-PK101-\d{6}$/.test(tracking), `tracking number ${tracking}`);
    await shot('complaint-filed');
    await lookUp('en', ISSUED, j);
    await j.find('[data-testid="send"]');
    await axe(j, 'status page with the complaint form (en)');
    await lookUp('ur', ISSUED);
    const listed = await s.text('[data-testid="grievances"]');
    assert(listed.includes(tracking), `the complaint is listed: ${listed}`);
  });

  return {
    close: async () => {
      await s?.close();
      await j?.close();
    },
  };
}
