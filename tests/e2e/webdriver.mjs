// A minimal W3C WebDriver client over fetch (Node 20+): enough to drive the app through tauri-driver
// and the console through chromium-driver, without pulling a browser-automation framework (and its
// browser downloads) into the build.
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  /** A session of the Tauri app `application` through tauri-driver. */
  static create(base, application, timeoutMs = 60000) {
    return Session.createWith(base, { browserName: 'wry', 'tauri:options': { application } }, timeoutMs);
  }

  /** A session with these capabilities, once the driver at `base` answers. */
  static async createWith(base, capabilities, timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const r = await fetch(`${base}/status`);
        if (r.ok) break;
      } catch {
        /* driver not up yet */
      }
      await sleep(250);
    }
    const body = { capabilities: { alwaysMatch: capabilities } };
    const r = await fetch(`${base}/session`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const j = await r.json();
    if (!r.ok) throw new Error(`new session failed: ${JSON.stringify(j)}`);
    return new Session(base, j.value.sessionId);
  }

  async cmd(method, path, body) {
    const r = await fetch(`${this.base}/session/${this.id}${path}`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    });
    const j = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(`${method} ${path}: ${JSON.stringify(j.value ?? j).slice(0, 400)}`);
    return j.value;
  }

  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => e[ELEMENT]);
  }

  /** Waits until `css` matches, returns the first element id. */
  async find(css, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const all = await this.findAll(css).catch(() => []);
      if (all.length) return all[0];
      if (Date.now() > deadline) throw new Error(`no element matches ${css}`);
      await sleep(100);
    }
  }

  async waitGone(css, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    while ((await this.findAll(css)).length) {
      if (Date.now() > deadline) throw new Error(`${css} is still there`);
      await sleep(100);
    }
  }

  async waitFor(fn, what, timeoutMs = 10000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn().catch(() => undefined);
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(150);
    }
  }

  async click(css) {
    const el = await this.find(css);
    await this.cmd('POST', `/element/${el}/click`, {});
  }

  async type(css, text, { clear = true } = {}) {
    const el = await this.find(css);
    if (clear) await this.cmd('POST', `/element/${el}/clear`, {});
    // WebDriver's clear fires no input event: emptying a field is typed as a character and a backspace.
    await this.cmd('POST', `/element/${el}/value`, { text: text === '' ? 'x\uE003' : text });
  }

  async text(css) {
    const el = await this.find(css);
    return this.cmd('GET', `/element/${el}/text`);
  }

  exec(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  execAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script, args });
  }

  screenshot() {
    return this.cmd('GET', '/screenshot');
  }

  async close() {
    await fetch(`${this.base}/session/${this.id}`, { method: 'DELETE' }).catch(() => {});
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
