// What the browser tests share: the demo app on a free port in demo mode (temporary database,
// embedded FakeStripe), headless Chromium, signing in, and waiting for the page's balance.
// Environment: BILLING_DEMO_JAR, CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR, HEADFUL=1.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, '..');
export const jar = process.env.BILLING_DEMO_JAR || path.join(appDir, 'target', 'billing-demo.jar');
export const screenshots = process.env.SCREENSHOT_DIR || path.join(appDir, 'target', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CARD_OK = '4242 4242 4242 4242';

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts the demo (demo mode, whatever the shell holds) and resolves once its packs are synced. */
export async function startApp(logName) {
  check(fs.existsSync(jar), `${jar} does not exist: build it first (run.sh does)`);
  const port = await freePort();
  const logPath = path.join(appDir, 'target', logName);
  fs.mkdirSync(path.dirname(logPath), { recursive: true });
  const out = fs.openSync(logPath, 'w');
  const env = { ...process.env };
  for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_PUBLIC_KEY', 'STRIPE_PUBLISHABLE_KEY', 'VITE_STRIPE_PUBLISHABLE_KEY',
    'STRIPE_WEBHOOK_SECRET', 'BILLING_DATABASE_URL']) {
    delete env[name];
  }
  const app = spawn('java', ['-jar', jar, `--server.port=${port}`, '--server.address=127.0.0.1',
    '--demo.database.temporary=true', '--demo.fake-stripe.force=true'], { env, stdio: ['ignore', out, out] });
  app.exited = new Promise((resolve) => app.once('exit', (code, signal) => resolve({ code, signal })));
  app.base = `http://127.0.0.1:${port}`;
  app.logPath = logPath;
  const deadline = Date.now() + 180_000;
  let exited = null;
  app.exited.then((result) => { exited = result; });
  while (Date.now() < deadline) {
    check(!exited, `the app exited during startup (${JSON.stringify(exited)}); see ${logPath}`);
    try {
      const response = await fetch(`${app.base}/api/v1/billing/packages/`);
      if (response.ok) {
        const packs = await response.json();
        if (packs.length === 3 && packs.every((p) => p.stripePriceId)) return app;
      }
    } catch (e) {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the app was not ready within 180 s; see ${logPath}`);
}

export async function stopApp(app) {
  if (!app || app.exitCode !== null) return;
  app.kill('SIGTERM');
  const stopped = await Promise.race([app.exited, new Promise((resolve) => setTimeout(() => resolve(null), 20_000))]);
  if (!stopped) app.kill('SIGKILL');
}

/** Headless Chromium with a throwaway profile; close() removes it. */
export async function launchBrowser() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-browser-test-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: !process.env.HEADFUL,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'].filter((flag) => flag !== '--headless' || !process.env.HEADFUL),
    viewport: { width: 1280, height: 1100 },
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(20_000);
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  return {
    page,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export async function signIn(page, base, user) {
  await page.goto(`${base}/account/settings/billing`);
  await page.waitForURL('**/login');
  await page.locator('#sign-in:enabled').waitFor();
  await page.fill('#username', user);
  await page.fill('#password', user);
  await Promise.all([page.waitForURL(/\/account\/settings\/billing/), page.click('#sign-in')]);
  await page.waitForFunction((name) => document.querySelector('#user-name')?.textContent === name, user);
}

export async function textShows(page, selector, text, timeout = 30_000) {
  await page.waitForFunction(([s, expected]) => document.querySelector(s)?.textContent === expected, [selector, text], { timeout })
    .catch(async () => {
      throw new Error(`${selector} shows "${await page.textContent(selector)}", expected "${text}"`);
    });
}

export async function fillCard(page, number) {
  await page.fill('input[name="cardnumber"]', number);
  await page.fill('input[name="exp-date"]', '12 / 34');
  await page.fill('input[name="cvc"]', '123');
  await page.fill('input[name="postal"]', '12345');
}

export async function shot(page, name) {
  fs.mkdirSync(screenshots, { recursive: true });
  const file = path.join(screenshots, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`[browser-test] screenshot ${path.relative(process.cwd(), file)}`);
}

/** Runs a test: the app, a browser, a failure screenshot and the app's last log lines on failure. */
export async function runTest(name, logName, body) {
  const started = Date.now();
  const state = { step: 'starting' };
  let app = null;
  let browser = null;
  try {
    app = await startApp(logName);
    console.log(`[${name}] app ready on ${app.base}; launching Chromium`);
    browser = await launchBrowser();
    await body({ app, page: browser.page, step: (text) => { state.step = text; console.log(`[${name}] ${text}`); } });
    check(browser.page.errors.length === 0, `uncaught errors on the page: ${browser.page.errors.join('; ')}`);
    console.log(`[${name}] PASSED in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return true;
  } catch (error) {
    console.error(`[${name}] FAILED at step "${state.step}": ${error.stack || error}`);
    if (browser) await browser.page.screenshot({ path: path.join(screenshots, `${name}-failure.png`), fullPage: true }).catch(() => {});
    if (app && fs.existsSync(app.logPath)) {
      const lines = fs.readFileSync(app.logPath, 'utf8').trimEnd().split('\n');
      console.error(`[${name}] last lines of ${app.logPath}:\n${lines.slice(-40).join('\n')}`);
    }
    return false;
  } finally {
    if (browser) await browser.close();
    await stopApp(app);
  }
}
