#!/usr/bin/env node
// Buys token packs on the demo's billing page in real headless Chromium, fully offline:
// starts the demo app (target/billing-demo.jar) on a free port in demo mode with a temporary
// database and the embedded FakeStripe, signs in as alice (on the free Explorer tier: 50,000 tokens),
// buys Booster with 4242 4242 4242 4242 (the balance must show 550,000), then tries 4000 0000 0000 0002 (a clear decline message, the
// balance unchanged), plus insufficient funds, a network failure and 3-D Secure.
// Screenshots go to target/screenshots/ (buy-tokens-modal.png is the package modal).
//
// Run it through ./run.sh, which installs what it needs. Environment: BILLING_DEMO_JAR,
// CHROMIUM_PATH (default /usr/bin/chromium), SCREENSHOT_DIR, HEADFUL=1 to watch.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const appDir = path.resolve(here, '..');
const jar = process.env.BILLING_DEMO_JAR || path.join(appDir, 'target', 'billing-demo.jar');
const screenshots = process.env.SCREENSHOT_DIR || path.join(appDir, 'target', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const appLogPath = path.join(appDir, 'target', 'browser-test-app.log');

const CARD_OK = '4242 4242 4242 4242';
const CARD_DECLINED = '4000 0000 0000 0002';
const CARD_NO_FUNDS = '4000 0000 0000 9995';
const CARD_3DS = '4000 0025 0000 3155';

let step = 'starting';
const log = (message) => console.log(`[browser-test] ${message}`);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- the app -----------------------------------------------------------------------------------

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

function startApp(port) {
  check(fs.existsSync(jar), `${jar} does not exist: build it first (run.sh does)`);
  fs.mkdirSync(path.dirname(appLogPath), { recursive: true });
  const out = fs.openSync(appLogPath, 'w');
  const env = { ...process.env };
  // Demo mode, whatever the shell holds: never a real Stripe account or database from here.
  for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_PUBLIC_KEY', 'STRIPE_PUBLISHABLE_KEY', 'VITE_STRIPE_PUBLISHABLE_KEY',
    'STRIPE_WEBHOOK_SECRET', 'BILLING_DATABASE_URL']) {
    delete env[name];
  }
  const app = spawn('java', ['-jar', jar, `--server.port=${port}`, '--server.address=127.0.0.1',
    '--demo.database.temporary=true', '--demo.fake-stripe.force=true'], { env, stdio: ['ignore', out, out] });
  app.exited = new Promise((resolve) => app.once('exit', (code, signal) => resolve({ code, signal })));
  return app;
}

async function waitUntilReady(base, app) {
  const deadline = Date.now() + 180_000;
  let exited = null;
  app.exited.then((result) => { exited = result; });
  while (Date.now() < deadline) {
    check(!exited, `the app exited during startup (${JSON.stringify(exited)}); see ${appLogPath}`);
    try {
      const response = await fetch(`${base}/api/v1/billing/packages/`);
      if (response.ok) {
        const packs = await response.json();
        if (packs.length === 3 && packs.every((p) => p.stripePriceId)) return;
      }
    } catch (e) {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the app was not ready within 180 s; see ${appLogPath}`);
}

async function stopApp(app) {
  if (!app || app.exitCode !== null) return;
  app.kill('SIGTERM');
  const stopped = await Promise.race([app.exited, new Promise((resolve) => setTimeout(() => resolve(null), 20_000))]);
  if (!stopped) app.kill('SIGKILL');
}

// ---- page helpers ------------------------------------------------------------------------------

async function balanceShows(page, text) {
  await page.waitForFunction((expected) => document.querySelector('#balance')?.textContent === expected, text, { timeout: 30_000 })
    .catch(async () => {
      throw new Error(`the balance shows "${await page.textContent('#balance')}", expected "${text}"`);
    });
}

async function apiBalance(page) {
  return page.evaluate(async () => (await (await fetch('/api/v1/billing/tokens/balance/')).json()).balance);
}

async function openPaymentForm(page, slug) {
  await page.click('#buy-tokens');
  await page.locator('#buy-modal').waitFor({ state: 'visible' });
  await page.locator(`.package[data-slug="${slug}"]`).click();
  await page.locator('#step-payment input[name="cardnumber"]').waitFor({ state: 'visible', timeout: 20_000 });
}

async function fillCard(page, number) {
  await page.fill('input[name="cardnumber"]', number);
  await page.fill('input[name="exp-date"]', '12 / 34');
  await page.fill('input[name="cvc"]', '123');
  await page.fill('input[name="postal"]', '12345');
}

async function payAndExpectError(page, pattern) {
  await page.click('#pay');
  const error = page.locator('#payment-error');
  await error.waitFor({ state: 'visible', timeout: 20_000 });
  const text = (await error.innerText()).replace(/\s*\n\s*/g, ': ').trim();
  check(pattern.test(text), `the payment error says "${text}", expected ${pattern}`);
  check(await page.locator('#step-payment').isVisible(), 'the payment form should stay open after a failed payment');
  return text;
}

async function shot(page, name) {
  const file = path.join(screenshots, name);
  await page.screenshot({ path: file });
  log(`screenshot ${path.relative(process.cwd(), file)}`);
}

// ---- the test ----------------------------------------------------------------------------------

async function run() {
  fs.rmSync(screenshots, { recursive: true, force: true });
  fs.mkdirSync(screenshots, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  log(`starting ${path.relative(process.cwd(), jar)} on ${base} (log: ${path.relative(process.cwd(), appLogPath)})`);
  const app = startApp(port);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billing-browser-test-'));
  let context = null;
  let page = null;
  const pageErrors = [];
  try {
    await waitUntilReady(base, app);
    log('app ready; launching Chromium');
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: !process.env.HEADFUL,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'].filter((flag) => flag !== '--headless' || !process.env.HEADFUL),
      viewport: { width: 1280, height: 860 },
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));

    step = 'log in as alice';
    await page.goto(`${base}/account/settings/billing`);
    await page.waitForURL('**/login');
    await page.locator('#sign-in:enabled').waitFor();
    await shot(page, 'login.png');
    await page.fill('#username', 'alice');
    await page.fill('#password', 'alice');
    await Promise.all([page.waitForURL(/\/account\/settings\/billing/), page.click('#sign-in')]);
    await page.waitForFunction(() => document.querySelector('#user-name')?.textContent === 'alice');
    // The demo seeds the free Explorer tier: loading the plan grants its 50,000 tokens of the month.
    await balanceShows(page, '50,000');
    check(await page.textContent('#plan-name') === 'Explorer', 'the plan card should show the free Explorer tier');
    log('signed in as alice; balance 50,000 (Explorer allowance)');

    step = 'open the "Buy More Tokens" modal';
    await page.click('#buy-tokens');
    await page.locator('#package-list .package').nth(2).waitFor({ state: 'visible' });
    const packs = await page.locator('#package-list .package').evaluateAll((buttons) => buttons.map((b) => ({
      slug: b.dataset.slug, text: b.innerText, best: b.classList.contains('best'),
    })));
    check(packs.length === 3, `expected 3 packages, saw ${packs.length}`);
    const booster = packs.find((p) => p.slug === 'booster-500k');
    check(booster && /500,000/.test(booster.text) && /\$20\.00/.test(booster.text) && /\$40\.00 per 1M tokens/.test(booster.text),
      `Booster card: ${booster && booster.text}`);
    const best = packs.filter((p) => p.best).map((p) => p.slug);
    check(best.length === 1 && best[0] === 'power-1m', `best value should be Power only, was ${best}`);
    check(/Best value/i.test(packs.find((p) => p.slug === 'power-1m').text), 'the Power card should say "Best value"');
    await page.waitForTimeout(400); // let the opening animation finish
    await shot(page, 'buy-tokens-modal.png');

    step = 'buy Booster with 4242 4242 4242 4242';
    await page.locator('.package[data-slug="booster-500k"]').click();
    await page.locator('input[name="cardnumber"]').waitFor({ state: 'visible' });
    const summary = await page.textContent('#summary');
    check(/Booster/.test(summary) && /500,000 tokens/.test(summary) && /\$20\.00/.test(summary), `package summary: "${summary}"`);
    await fillCard(page, CARD_OK);
    check(await page.inputValue('input[name="cardnumber"]') === CARD_OK, 'the card number is formatted in groups of four');
    await shot(page, 'buy-tokens-payment.png');
    await page.click('#pay');
    await page.waitForFunction(() => document.querySelector('#done-title')?.textContent === 'Tokens added', null, { timeout: 30_000 });
    await balanceShows(page, '550,000');
    await shot(page, 'buy-tokens-success.png');
    await page.click('#done-close');
    await page.locator('#buy-modal').waitFor({ state: 'hidden' });
    check(await page.textContent('#total-purchased') === '500,000', 'total purchased should be 500,000');
    log('Booster bought: balance 550,000');

    step = 'try 4000 0000 0000 0002 (declined)';
    await openPaymentForm(page, 'booster-500k');
    await fillCard(page, CARD_DECLINED);
    const declined = await payAndExpectError(page, /declined/i);
    log(`declined: "${declined}"`);
    await shot(page, 'buy-tokens-declined.png');

    step = 'try 4000 0000 0000 9995 (insufficient funds) on the same form';
    await fillCard(page, CARD_NO_FUNDS);
    const noFunds = await payAndExpectError(page, /insufficient funds/i);
    log(`insufficient funds: "${noFunds}"`);

    step = 'pay while Stripe cannot be reached';
    await page.route('**/v1/payment_methods', (route) => route.abort('internetdisconnected'));
    await fillCard(page, CARD_OK);
    const offline = await payAndExpectError(page, /network/i);
    await page.unroute('**/v1/payment_methods');
    log(`network failure: "${offline}"`);

    step = 'balance unchanged after the failures';
    await page.click('#buy-modal .modal-head [data-close]');
    await page.locator('#buy-modal').waitFor({ state: 'hidden' });
    await page.waitForTimeout(1500); // time for a (wrong) webhook to land, if one were coming
    await page.reload();
    await balanceShows(page, '550,000');
    check(await apiBalance(page) === 550000, 'the API balance should still be 550000');
    log('balance unchanged: 550,000');

    step = 'buy Starter with 3-D Secure (4000 0025 0000 3155)';
    await openPaymentForm(page, 'starter-100k');
    await fillCard(page, CARD_3DS);
    await page.click('#pay');
    await page.locator('.sps-3ds button[data-succeed="true"]').click();
    await page.waitForFunction(() => document.querySelector('#done-title')?.textContent === 'Tokens added', null, { timeout: 30_000 });
    await balanceShows(page, '650,000');
    log('Starter bought with 3-D Secure: balance 650,000');
    await page.click('#done-close');
    await page.locator('#buy-modal').waitFor({ state: 'hidden' });
    await page.waitForTimeout(1700); // the balance's highlight fades
    await shot(page, 'billing-page.png');

    check(pageErrors.length === 0, `uncaught errors on the page: ${pageErrors.join('; ')}`);
  } catch (error) {
    if (page) {
      await page.screenshot({ path: path.join(screenshots, 'failure.png') }).catch(() => {});
    }
    throw error;
  } finally {
    if (context) await context.close().catch(() => {});
    await stopApp(app);
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const started = Date.now();
run().then(() => {
  log(`PASSED in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${screenshots}`);
  process.exit(0);
}, (error) => {
  console.error(`[browser-test] FAILED at step "${step}": ${error.stack || error}`);
  if (fs.existsSync(appLogPath)) {
    const lines = fs.readFileSync(appLogPath, 'utf8').trimEnd().split('\n');
    console.error(`[browser-test] last lines of ${appLogPath}:\n${lines.slice(-40).join('\n')}`);
  }
  process.exit(1);
});
