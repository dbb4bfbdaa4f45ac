#!/usr/bin/env node
// Two flows of the demo's billing page in real headless Chromium, fully offline (demo mode, the
// embedded FakeStripe), each on its own app with a temporary database:
//  (a) subscribe: alice clicks Upgrade on "Plus", pays on FakeStripe's hosted Checkout page, comes
//      back, and the plan card shows Plus with its 600,000-token allowance (on top of Explorer's 50,000);
//  (b) auto-recharge: bob buys Starter ticking "Save this card for auto-recharge", enables
//      auto-recharge (Booster below 149,000 tokens), pauses and resumes it, spends tokens through
//      the demo's "Simulate an AI request" button, and watches the balance refill by 500,000;
//  (c) action needed: alice saves 4000 0027 6000 3184 (3-D Secure every time) while buying Starter; the
//      off-session recharge needs her, the page shows "Action needed", she confirms the payment on the
//      page through the test challenge, and the balance refills and auto-recharge is on again.
// Run it through ./run.sh. Screenshots go to target/screenshots/.

import { CARD_OK, check, fillCard, runTest, shot, signIn, textShows } from './harness.mjs';

async function subscribe({ app, page, step }) {
  step('sign in as alice');
  await signIn(page, app.base, 'alice');
  await textShows(page, '#plan-name', 'Explorer');

  step('click Upgrade on Plus');
  const upgrade = page.locator('#tier-list .tier[data-slug="plus"] button');
  await upgrade.waitFor();
  check(await upgrade.textContent() === 'Upgrade', 'Plus should offer "Upgrade"');
  await Promise.all([page.waitForURL(/\/checkout\/pay\//), upgrade.click()]);
  check(page.url().startsWith('http://127.0.0.1:'), `Checkout should be FakeStripe's page, was ${page.url()}`);

  step('pay on the hosted Checkout page');
  await page.fill('#card-number', CARD_OK);
  await shot(page, 'subscribe-checkout.png');
  await Promise.all([page.waitForURL(/\/account\/settings\/billing/), page.click('#pay')]);

  step('back on the billing page: Plus with its allowance');
  await textShows(page, '#plan-name', 'Plus');
  // Plus's 600,000 on top of what is left of the month's free Explorer allowance (50,000, granted at sign-in).
  await textShows(page, '#allowance-remaining', '650,000');
  check(/600,000 tokens a month/.test(await page.textContent('#tier-list .tier[data-slug="plus"]')), 'Plus gives 600,000 a month');
  await page.locator('#tier-list .tier.current[data-slug="plus"]').waitFor();
  await shot(page, 'subscribe-plus.png');
}

async function autoRecharge({ app, page, step }) {
  step('sign in as bob');
  await signIn(page, app.base, 'bob');
  await textShows(page, '#balance', '50,000');
  await page.waitForFunction(() => /No saved card/.test(document.querySelector('#recharge-card-info')?.textContent || ''));
  check(await page.locator('#recharge-enable').isDisabled(), 'auto-recharge needs a saved card first');

  step('buy Starter, saving the card');
  await page.click('#buy-tokens');
  await page.locator('#buy-modal').waitFor({ state: 'visible' });
  await page.check('#save-card');
  await page.locator('.package[data-slug="starter-100k"]').click();
  await page.locator('input[name="cardnumber"]').waitFor({ state: 'visible' });
  await fillCard(page, CARD_OK);
  await page.click('#pay');
  await page.waitForFunction(() => document.querySelector('#done-title')?.textContent === 'Tokens added', null, { timeout: 30_000 });
  await page.click('#done-close');
  await textShows(page, '#balance', '150,000');
  await page.waitForFunction(() => /VISA •••• 4242/.test(document.querySelector('#recharge-card-info')?.textContent || ''));
  await page.locator('#recharge-enable:enabled').waitFor();

  step('enable auto-recharge: Booster below 149,000 tokens');
  await page.selectOption('#recharge-pack', 'booster-500k');
  await page.fill('#recharge-threshold', '149000');
  await page.click('#recharge-enable');
  await textShows(page, '#recharge-status', 'On');
  check(/Booster/.test(await page.textContent('#recharge-summary')), 'the summary should name Booster');

  step('pause and resume');
  await page.click('#recharge-pause');
  await textShows(page, '#recharge-status', 'Paused');
  await page.click('#recharge-resume');
  await textShows(page, '#recharge-status', 'On');
  await shot(page, 'auto-recharge-on.png');

  step('spend tokens below the threshold');
  await page.click('#use-tokens');
  await textShows(page, '#balance', '147,500');

  step('watch the balance refill');
  await textShows(page, '#balance', '647,500', 60_000);
  await page.waitForFunction(() => /Recharged/.test(document.querySelector('#recharge-summary')?.textContent || ''), null, { timeout: 20_000 });
  check(await page.locator('#action-needed').isHidden(), 'nothing should wait for bob');
  await shot(page, 'auto-recharge-refilled.png');
}

async function actionNeeded({ app, page, step }) {
  step('sign in as alice');
  await signIn(page, app.base, 'alice');
  await textShows(page, '#balance', '50,000');

  step('buy Starter with 4000 0027 6000 3184 through 3-D Secure, saving the card');
  await page.click('#buy-tokens');
  await page.locator('#buy-modal').waitFor({ state: 'visible' });
  await page.check('#save-card');
  await page.locator('.package[data-slug="starter-100k"]').click();
  await page.locator('input[name="cardnumber"]').waitFor({ state: 'visible' });
  await fillCard(page, '4000 0027 6000 3184');
  await page.click('#pay');
  await page.locator('.sps-3ds button[data-succeed="true"]').click();
  await page.waitForFunction(() => document.querySelector('#done-title')?.textContent === 'Tokens added', null, { timeout: 30_000 });
  await page.click('#done-close');
  await textShows(page, '#balance', '150,000');
  await page.locator('#recharge-enable:enabled').waitFor();

  step('enable auto-recharge and spend below the threshold');
  await page.selectOption('#recharge-pack', 'booster-500k');
  await page.fill('#recharge-threshold', '149000');
  await page.click('#recharge-enable');
  await textShows(page, '#recharge-status', 'On');
  await page.click('#use-tokens');
  await textShows(page, '#balance', '147,500');

  step('the bank wants alice: "Action needed"');
  await page.locator('#action-needed').waitFor({ state: 'visible', timeout: 40_000 });
  await textShows(page, '#recharge-status', 'Paused');
  check(/\$20\.00/.test(await page.textContent('#action-needed')), 'the banner should name the amount');
  await shot(page, 'action-needed.png');

  step('confirm the payment on the page');
  await page.click('#action-needed-pay');
  await page.locator('.sps-3ds button[data-succeed="true"]').click();
  await textShows(page, '#balance', '647,500', 40_000);
  await textShows(page, '#recharge-status', 'On', 20_000);
  await page.locator('#action-needed').waitFor({ state: 'hidden' });
  await shot(page, 'action-needed-paid.png');
}

const results = [];
const only = process.env.BROWSER_TEST || '';
if (!only || only === 'subscribe') results.push(await runTest('subscribe', 'browser-test-subscribe.log', subscribe));
if (!only || only === 'auto-recharge') results.push(await runTest('auto-recharge', 'browser-test-recharge.log', autoRecharge));
if (!only || only === 'action-needed') results.push(await runTest('action-needed', 'browser-test-action-needed.log', actionNeeded));
process.exit(results.every(Boolean) ? 0 : 1);
