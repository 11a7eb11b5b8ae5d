// The registry's web console in a real browser (Debian's chromium through chromium-driver, headless),
// against the same registry the field app syncs with. Run from run.mjs after the app's own steps, so
// a household submitted from app instance A is in the supervisor's queue.
//
// Env: CONSOLE_DRIVER (chromedriver base URL), CHROMIUM (browser binary), REGISTRY_URL,
// CONSOLE_PASSWORD, SUPERVISOR_ID, DISTRICT_ID, ADMIN_ID, ADMIN_TOTP_URL (otpauth:// URL of the
// administrator),
// SHUMARI_BIN, CLI_C_DIR and CLI_C_PIN (a third surveyor's enrolled CLI store).
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session, sleep } from './webdriver.mjs';

const env = (k, d) => process.env[k] ?? d;

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

/**
 * A TOTP code (RFC 6238: HMAC-SHA1, 30 s, 6 digits) from an otpauth:// URL. Written out here
 * (Node's crypto does the HMAC) rather than adding an npm package for one test helper.
 */
export function totp(otpauthUrl, now = Date.now()) {
  const secret = new URL(otpauthUrl).searchParams.get('secret');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** A headless chromium session. */
export async function browser() {
  const args = ['--headless=new', '--no-sandbox', '--disable-gpu', '--window-size=1280,900', '--lang=en-US'];
  return Session.createWith(env('CONSOLE_DRIVER'), {
    browserName: 'chrome',
    'goog:chromeOptions': { binary: env('CHROMIUM', '/usr/bin/chromium'), args },
  });
}

/**
 * The console's steps. `step`, `audit` (axe-core) and the app session `a` come from run.mjs;
 * `ref` is the reference of the household app A submitted; `appSync` syncs app A.
 */
export async function consoleSteps({ step, axe, a, ref, appSync, shotsDir }) {
  const base = `${env('REGISTRY_URL')}/console`;
  const dir = join(shotsDir, 'console');
  mkdirSync(dir, { recursive: true });
  let c;
  const shot = async (name) => {
    const lang = await c.exec('return document.documentElement.lang');
    writeFileSync(join(dir, `${name}-${lang}.png`), Buffer.from(await c.screenshot(), 'base64'));
  };
  const go = (path) => c.cmd('POST', '/url', { url: `${base}${path}` });
  const testid = (id) => `[data-testid="${id}"]`;
  const lang = async (code) => {
    const now = await c.exec('return document.documentElement.lang');
    if (now !== code) {
      await c.click(testid('lang-switch'));
      await c.waitFor(async () => (await c.exec('return document.documentElement.lang')) === code, `console in ${code}`);
    }
  };
  /**
   * Screenshot and axe check of the current page in both languages, ending in English. `again`
   * brings the page back after a language switch when it was a form's answer (the switch returns to
   * the form's page).
   */
  const both = async (name, again) => {
    for (const l of ['en', 'ur']) {
      await lang(l);
      if (l === 'ur' && again) await again();
      if (l === 'ur') {
        assert((await c.exec('return document.documentElement.dir')) === 'rtl', 'Urdu is right to left');
        const font = await c.execAsync(`const d = arguments[0]; document.fonts.load('16px "Noto Nastaliq Urdu"', 'ہے').then(f => d(f.length > 0))`);
        assert(font, 'the bundled Urdu font loads');
      }
      await shot(name);
      await axe(c, `console ${name} ${l}`);
    }
    await lang('en');
  };
  const signIn = async (user, password) => {
    await go('/sign-in');
    await c.type('#user', user);
    await c.type('#password', password);
    await c.click(testid('sign-in-submit'));
  };
  let hid;

  try {
    c = await browser();

    await step('console: a wrong password is refused; a supervisor signs in and sees the queues', async () => {
      await go('');
      await c.find('#user');
      await both('sign-in');
      await signIn(env('SUPERVISOR_ID'), 'not the password');
      const err = await c.text(testid('sign-in-error'));
      assert(err.trim().length > 0, 'the refusal is said');
      await signIn(env('SUPERVISOR_ID'), env('CONSOLE_PASSWORD'));
      await c.find(testid('queue-submitted'));
      const n = Number((await c.text(testid('queue-submitted-count'))).trim());
      assert(n >= 1, `submitted queue: ${n}`);
      await both('home');
    });

    await step('console: the household from the app is returned with a comment and a question', async () => {
      await go(`/households?status=submitted&q=${encodeURIComponent(ref)}`);
      await c.find(testid('household-row'));
      await both('households');
      await c.click(testid('household-link'));
      await c.find(testid('review-form'));
      hid = await c.exec('return location.pathname.split("/").pop()');
      await c.find(testid('paradata-start'));
      await c.find(testid('history'));
      await both('household');
      await c.type(testid('review-comment-input'), 'Please count the rooms again');
      await c.exec(`document.querySelector('[data-testid="review"] details').open = true`);
      await c.click(testid('review-question-rooms'));
      await c.click(testid('review-return'));
      await c.find(testid('decision-recorded'));
      const st = await c.exec(`return document.querySelector('[data-testid="household-status"]').dataset.status`);
      assert(st === 'returned', `status at the registry: ${st}`);
    });

    await step('app: the return reaches the tablet; fixed, completed and submitted again', async () => {
      await appSync();
      await a.click('[data-testid="nav-households"]');
      await a.click('[data-testid=filter-returned]');
      await a.click('[data-testid=household-row]');
      const text = await a.text('[data-testid=review-text]');
      assert(/Please count the rooms again/.test(text), `review on the tablet: ${text}`);
      await a.find('[data-testid=review-questions]');
      await a.type('#f-rooms', '3');
      await a.waitFor(async () => (await a.text('[data-testid=save-state]')).match(/Saved|محفوظ$/), 'saved');
      await a.click('[data-testid=mark-complete]');
      await a.find('[data-testid=completed]', 20000);
      await appSync();
      await go(`/households/${hid}`);
      await c.waitFor(async () => {
        await go(`/households/${hid}`);
        return (await c.exec(`return document.querySelector('[data-testid="household-status"]').dataset.status`)) === 'submitted';
      }, 'resubmitted at the registry', 20000);
    });

    await step('console: the corrected household is approved, and the tablet shows it approved', async () => {
      await c.find(testid('review-approve'));
      const history = await c.findAll(testid('history-row'));
      assert(history.length >= 3, `history rows: ${history.length}`);
      await c.click(testid('review-approve'));
      await c.find(testid('decision-recorded'));
      await both('household-approved');
      await appSync();
      await a.click('[data-testid="nav-households"]');
      await a.click('[data-testid=filter-approved]');
      await a.find('[data-testid=household-row]');
    });

    await step('console: an area assigned to a surveyor reaches the tablet; a duplicate CNIC case is resolved', async () => {
      await c.click(testid('nav-assignments'));
      await c.find(testid('assign-area-form'));
      const chosen = await c.exec(
        `const s = document.querySelector('[data-testid="assign-area-surveyor"]');
         const o = [...s.options].find(o => o.textContent.startsWith('Surveyor A'));
         if (o) s.value = o.value; return o ? o.value : null;`,
      );
      assert(chosen, 'Surveyor A is offered');
      await c.type(testid('assign-area-code'), 'PK10101');
      await c.type(testid('assign-area-target'), '5');
      await c.click(testid('assign-area-submit'));
      await c.find(testid('assignment-made'));
      await c.find(testid('assignments-table'));
      await both('assignments');
      await appSync();
      await a.click('[data-testid="nav-home"]');
      const row = await a.waitFor(async () => {
        const t = await a.exec(`const e = document.querySelector('[data-testid="my-assignments"] [data-testid^="assignment-progress-"]'); return e ? e.textContent : ''`);
        return t.trim() || null;
      }, 'the assignment on the tablet', 20000);
      assert(/5/.test(row), `progress shows the target of 5: ${row}`);
      // Another tablet sends a household whose head gives app A's head's CNIC: a duplicate case,
      // resolved as a data error.
      const cli = (...args) =>
        execFileSync(env('SHUMARI_BIN'), args, {
          env: { ...process.env, SHUMARI_DATA_DIR: env('CLI_C_DIR'), SHUMARI_PIN: env('CLI_C_PIN') },
        });
      const file = join(env('CLI_C_DIR'), 'dup.jsonl');
      writeFileSync(
        file,
        JSON.stringify({ area: 'PK10101', answers: { rooms: 1 }, members: [{ name: 'Ayesha Bano', relation: 'head', sex: 'female', age: 35, id_number: '35202-1234567-2' }] }) + '\n',
      );
      cli('household', 'import', '--file', file);
      cli('sync');
      await c.click(testid('nav-duplicates'));
      await c.find(testid('case-row'));
      await both('duplicates');
      await c.click(testid('case-link'));
      await c.find(testid('case-households'));
      const n = await c.text(testid('case-number'));
      assert(n.trim() === '35202-1234567-2', `case number: ${n}`);
      await both('duplicate-case');
      await c.type(testid('note'), 'Two different women; the other tablet typed the number wrongly');
      await c.click(testid('data-error'));
      await c.find(testid('case-resolved'));
      await c.find(testid('case-closed'));
      await go('/duplicates/possible');
      await c.find(`${testid('possible-row')}, ${testid('no-possible')}`);
      await both('possible-duplicates');
      // Data-quality flags: the flagged households of the area.
      await go('/households?flag=any');
      await c.find(`${testid('households-table')}, ${testid('no-households')}`);
      await both('households-flagged');
      await c.click(testid('nav-scoring'));
      await c.find(testid('scoring-model'));
      await both('scoring');
      await c.click(testid('sign-out'));
      await c.find('#user');
    });

    await step('console: a district officer has the identity exchange with NADRA', async () => {
      await signIn(env('DISTRICT_ID'), env('CONSOLE_PASSWORD'));
      await c.find(testid('nav-identity'));
      await c.click(testid('nav-identity'));
      await c.find(testid('identity-export-form'));
      await c.find(testid('identity-import-form'));
      await both('identity');
      await c.click(testid('sign-out'));
      await c.find('#user');
    });

    await step('console: an administrator adds a user, makes an enrollment code and revokes a device', async () => {
      await signIn(env('ADMIN_ID'), env('CONSOLE_PASSWORD'));
      await c.find('#code');
      await both('second-factor');
      await c.type('#code', totp(env('ADMIN_TOTP_URL')));
      await c.click(`${testid('second-factor-form')} button[type=submit]`);
      await c.find(testid('nav-users'));
      await go('/users');
      await c.find(testid('users-table'));
      await both('users');
      await c.type(testid('add-user-name'), 'Rukhsana Bibi');
      await c.exec(`document.querySelector('[data-testid="add-user-role"]').value = 'surveyor'`);
      await c.type(testid('add-user-areas'), 'PK10101');
      await c.click(testid('add-user-submit'));
      await c.find(testid('user-added'));
      const id = await c.exec(
        `return [...document.querySelectorAll('[data-testid="user-row"]')].find(r => r.textContent.includes('Rukhsana Bibi')).dataset.id`,
      );
      await c.click(testid(`code-${id}`));
      const code = (await c.text(testid('enroll-code'))).trim();
      assert(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(code), `code: ${code}`);
      await c.find(`${testid('enroll-qr')} svg`);
      await both('enrollment-code', async () => {
        await c.click(testid(`code-${id}`));
        await c.find(`${testid('enroll-qr')} svg`);
      });
      await go('/devices');
      await c.find(testid('devices-table'));
      await both('devices');
      // Revoke the second app instance's device (the last enrolled one).
      const rows = await c.exec(`return [...document.querySelectorAll('[data-testid="device-row"]')].map(r => r.dataset.id)`);
      assert(rows.length >= 2, `devices: ${rows}`);
      const last = rows[rows.length - 1];
      await c.click(testid(`revoke-${last}`));
      await c.find(testid('device-revoked'));
      const state = await c.exec(`return document.querySelector('[data-testid="device-row"][data-id="${last}"]').dataset.state`);
      assert(state === 'revoked', `device state: ${state}`);
    });
  } finally {
    await c?.close();
    await sleep(100);
  }
}
