// The billing page: balance, activity, the "Buy More Tokens" modal and the "Your plan" card.
// Talks to the starter's REST API (/api/v1/billing/...) and to Stripe.js (or, in demo mode, the
// app's stand-in of it, which pays against the embedded FakeStripe). Subscribing and managing the
// plan go through Stripe's hosted pages (Checkout, Customer Portal), which send the browser back here.
'use strict';

(() => {
  const API = '/api/v1/billing';
  const BILLING_PAGE = '/account/settings/billing';
  const APPEARANCE = {
    theme: 'stripe',
    variables: { colorPrimary: '#4f46e5', borderRadius: '9px', fontFamily: '-apple-system, "Segoe UI", Inter, Roboto, sans-serif' },
  };

  const $ = (selector, root = document) => root.querySelector(selector);
  const tokens = (n) => Number(n).toLocaleString('en-US');
  const money = (amount, currency = 'USD') =>
    new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(Number(amount));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  const state = {
    me: null,
    config: null,
    packages: [],
    stripe: null,
    elements: null,
    pack: null,       // the package chosen in the modal
    purchase: null,   // the answer of POST /tokens/purchase/
    paying: false,
    paid: false,
    choosing: false,
    tiers: null,      // GET /tiers/
    overview: null,   // GET /subscription/: the user's tier, subscription and allowance
    interval: 'month',
    leaving: false,   // on the way to Stripe's Checkout or portal page
    recharge: null,   // GET /recharge/: the rule, saved cards, latest recharges, actionNeeded
    seenEvents: null, // ids of the billing events already shown (GET /api/demo/events)
    confirming: false,
  };

  // ---- the REST API ------------------------------------------------------------------------

  /** A failed call: title is the operation's message ("Failed to initiate purchase"), detail the cause. */
  class ApiError extends Error {
    constructor(title, detail, status) {
      super(detail);
      this.title = title;
      this.detail = detail;
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && state.me) headers[state.me.csrf.headerName] = state.me.csrf.token;
    let response;
    try {
      response = await fetch(path, {
        method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(null, 'Network error: the server could not be reached. Check your connection and try again.', 0);
    }
    if (response.status === 401) {
      window.location.assign('/login');
      throw new ApiError('Signed out', 'Your session has ended. Please sign in again.', 401);
    }
    const type = response.headers.get('Content-Type') || '';
    const data = type.includes('json') ? await response.json().catch(() => null) : null;
    if (!response.ok) {
      throw new ApiError(data && data.title, (data && data.detail) || `The server answered ${response.status}.`, response.status);
    }
    return data;
  }

  function showAlert(element, title, detail) {
    element.innerHTML = '';
    const text = document.createElement('div');
    if (title) {
      const strong = document.createElement('strong');
      strong.textContent = title;
      text.append(strong);
    }
    text.append(document.createTextNode(detail || ''));
    element.append(text);
    element.hidden = false;
  }

  const hideAlert = (element) => { element.hidden = true; element.innerHTML = ''; };

  // ---- balance and activity ----------------------------------------------------------------

  async function refreshBalance({ flash = false } = {}) {
    try {
      const balance = await api('GET', `${API}/tokens/balance/`);
      const value = $('#balance');
      const changed = value.textContent !== tokens(balance.balance);
      value.textContent = tokens(balance.balance);
      $('#total-purchased').textContent = tokens(balance.totalPurchased);
      $('#total-used').textContent = tokens(balance.totalUsed);
      if (flash && changed) {
        value.classList.remove('flash');
        void value.offsetWidth; // restart the animation
        value.classList.add('flash');
      }
      return balance;
    } catch (e) {
      showAlert($('#page-error'), e.title || 'Failed to load token balance', e.detail);
      return null;
    }
  }

  const KIND_LABELS = {
    purchase: 'Token pack purchase', usage: 'AI usage', grant: 'Tokens granted', adjustment: 'Adjustment',
    refund: 'Refund', dispute: 'Payment disputed', dispute_reversal: 'Dispute won', refund_reversal: 'Refund failed, tokens returned', expiry: 'Tokens expired',
    allowance: 'Plan allowance',
  };

  async function refreshHistory() {
    let page;
    try {
      page = await api('GET', `${API}/tokens/transactions/?limit=8`);
    } catch (e) {
      return; // the balance call reports problems; the history is secondary
    }
    const body = $('#history tbody');
    body.innerHTML = '';
    for (const entry of page.items) {
      const row = body.insertRow();
      row.insertCell().textContent = new Date(entry.createdAt).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
      row.insertCell().textContent = entry.kind === 'purchase' || entry.kind === 'allowance' || !entry.description
        ? (KIND_LABELS[entry.kind] || entry.kind) : entry.description;
      const amount = row.insertCell();
      amount.className = `num ${entry.amount > 0 ? 'credit' : 'debit'}`;
      amount.textContent = (entry.amount > 0 ? '+' : '−') + tokens(Math.abs(entry.amount));
      const after = row.insertCell();
      after.className = 'num';
      after.textContent = tokens(entry.balanceAfter);
    }
    $('#history').hidden = page.items.length === 0;
    $('#history-empty').hidden = page.items.length > 0;
  }

  async function useTokens() {
    const message = $('#usage-message');
    const button = $('#use-tokens');
    button.disabled = true;
    message.className = 'small';
    message.textContent = '';
    try {
      await api('POST', '/api/demo/usage?tokens=2500');
      message.className = 'small ok';
      message.textContent = '2,500 tokens spent.';
      await Promise.all([refreshBalance({ flash: true }), refreshHistory(), refreshPlan()]);
    } catch (e) {
      message.className = 'small error';
      message.textContent = e.detail;
    } finally {
      button.disabled = false;
    }
  }

  // ---- the plan: tiers, subscription and allowance ------------------------------------------

  const STATUS_LABELS = {
    active: 'Active', trialing: 'Trial', past_due: 'Payment due', unpaid: 'Unpaid', canceled: 'Canceled',
    incomplete: 'Awaiting payment', incomplete_expired: 'Expired', paused: 'Paused',
  };
  const day = (iso) => new Date(iso).toLocaleDateString('en-US', { dateStyle: 'medium' });

  async function refreshPlan() {
    try {
      const [overview, tiers] = await Promise.all([
        api('GET', `${API}/subscription/`),
        state.tiers ? Promise.resolve(state.tiers) : api('GET', `${API}/tiers/`),
      ]);
      state.overview = overview;
      state.tiers = tiers;
      hideAlert($('#plan-error'));
      renderPlan();
      return overview;
    } catch (e) {
      showAlert($('#plan-error'), e.title || 'Failed to load your plan', e.detail);
      return null;
    }
  }

  function renderPlan() {
    const { overview } = state;
    const subscription = overview.subscription;
    $('#plan-name').textContent = overview.tier ? overview.tier.name : 'No plan';
    const status = $('#plan-status');
    const live = subscription && !['canceled', 'incomplete_expired'].includes(subscription.status);
    status.hidden = !live;
    if (live) {
      const ending = subscription.cancelAtPeriodEnd && subscription.currentPeriodEnd;
      const good = subscription.status === 'active' || subscription.status === 'trialing';
      status.textContent = ending ? `Ends ${day(subscription.currentPeriodEnd)}` : (STATUS_LABELS[subscription.status] || subscription.status);
      status.className = `pill ${good ? (ending ? 'pill-warning' : 'pill-success') : 'pill-danger'}`;
    }
    $('#allowance-remaining').textContent = tokens(overview.allowanceRemaining);
    $('#plan-resets-label').textContent = live && subscription.cancelAtPeriodEnd ? 'Ends' : 'Resets';
    $('#plan-resets').textContent = overview.resetsAt ? day(overview.resetsAt) : '—';
    // A Stripe subscription (even a canceled one) means a Stripe customer with invoices to see.
    $('#manage-billing').hidden = !subscription;
    renderTiers();
  }

  function renderTiers() {
    const list = $('#tier-list');
    list.innerHTML = '';
    if (!state.tiers || !state.tiers.length) {
      list.innerHTML = '<li class="muted small">No plans are on sale yet.</li>';
      return;
    }
    const interval = state.interval;
    const current = state.overview && state.overview.tier;
    const onPaidTier = Boolean(current && !current.free);
    $('.interval-toggle').hidden = !state.tiers.some((tier) => !tier.free && tier.yearlyPrice !== null);
    for (const tier of state.tiers) {
      const isCurrent = Boolean(current && current.slug === tier.slug);
      const item = document.createElement('li');
      item.className = `tier${isCurrent ? ' current' : ''}`;
      item.dataset.slug = tier.slug;
      item.innerHTML = `
        <div><div class="tier-name"></div><div class="tier-detail"></div></div>
        <div class="tier-side"><span class="tier-price"></span></div>`;
      $('.tier-name', item).textContent = tier.name;
      $('.tier-detail', item).textContent = `${tokens(tier.tokensPerPeriod)} tokens a month`
        + (tier.rolloverCap ? `, up to ${tokens(tier.rolloverCap)} roll over` : '');
      $('.tier-price', item).textContent = tier.free ? 'Free'
        : interval === 'year' && tier.yearlyPrice !== null ? `${money(tier.yearlyPrice, tier.currency)}/year`
          : `${money(tier.monthlyPrice, tier.currency)}/month`;
      const side = $('.tier-side', item);
      if (isCurrent) {
        const label = document.createElement('span');
        label.className = 'tier-current';
        label.textContent = 'Current plan';
        side.append(label);
      } else if (!tier.free) {
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.tier = tier.slug;
        if (onPaidTier) {
          // One subscription at a time: switching tiers happens in Stripe's portal.
          button.className = 'btn btn-secondary btn-sm';
          button.textContent = 'Switch';
          button.addEventListener('click', () => openPortal(button));
        } else {
          button.className = 'btn btn-primary btn-sm';
          button.textContent = 'Upgrade';
          button.disabled = !tier.subscribable[interval];
          if (button.disabled) button.title = interval === 'year' ? 'Not sold per year' : 'Not available yet';
          button.addEventListener('click', () => upgrade(tier, button));
        }
        button.setAttribute('aria-label', `${button.textContent} to ${tier.name}`);
        side.append(button);
      }
      list.append(item);
    }
  }

  function chooseInterval(interval) {
    state.interval = interval;
    document.querySelectorAll('.interval-toggle button').forEach((button) => {
      const active = button.dataset.interval === interval;
      button.classList.toggle('active', active);
      button.setAttribute('aria-checked', String(active));
    });
    renderTiers();
  }

  /** Subscribes through Stripe Checkout: the server starts the session, the browser goes to its page. */
  async function upgrade(tier, button) {
    if (state.leaving) return;
    hideAlert($('#plan-error'));
    button.disabled = true;
    button.classList.add('loading');
    try {
      const session = await api('POST', `${API}/subscription/checkout/`, { tier: tier.slug, interval: state.interval });
      state.leaving = true;
      window.location.assign(session.url);
    } catch (e) {
      showAlert($('#plan-error'), e.title || 'Failed to start subscription checkout', e.detail);
      button.disabled = false;
      button.classList.remove('loading');
    }
  }

  /** Stripe's Customer Portal: change card, switch tier, cancel; it links back to this page. */
  async function openPortal(button) {
    if (state.leaving) return;
    hideAlert($('#plan-error'));
    button.disabled = true;
    button.classList.add('loading');
    try {
      const portal = await api('POST', `${API}/subscription/portal/`, {});
      state.leaving = true;
      window.location.assign(portal.url);
    } catch (e) {
      showAlert($('#plan-error'), e.title || 'Failed to open billing portal', e.detail);
      button.disabled = false;
      button.classList.remove('loading');
    }
  }

  /** Back from a paid Checkout: the plan and tokens arrive with Stripe's webhooks. Refresh until they do. */
  async function awaitCheckout() {
    const notice = $('#page-notice');
    showAlert(notice, 'Payment received', ' Your plan and balance update as soon as Stripe confirms the payment…');
    const before = JSON.stringify([state.overview, $('#balance').textContent]);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      await sleep(1000);
      await Promise.all([refreshPlan(), refreshBalance({ flash: true }), refreshHistory()]);
      if (JSON.stringify([state.overview, $('#balance').textContent]) !== before) {
        showAlert(notice, 'Payment received', ' Your plan and balance are up to date.');
        return;
      }
    }
    showAlert(notice, 'Payment received', ' Stripe has not confirmed it yet; your plan and balance update once it does. Reload the page in a moment.');
  }

  // ---- Stripe.js ---------------------------------------------------------------------------

  let stripeLoading = null;

  /** Stripe.js from js.stripe.com, or in test mode against a FakeStripe, the app's stand-in of it. */
  function loadStripe() {
    if (stripeLoading) return stripeLoading;
    const config = state.config;
    if (!config.purchasesEnabled) {
      return Promise.reject(new ApiError('Payments are not available',
        'This server has no Stripe key configured (STRIPE_SECRET_KEY).'));
    }
    if (!config.publishableKey) {
      return Promise.reject(new ApiError('Payments are not available',
        'No Stripe publishable key is configured (STRIPE_PUBLIC_KEY or VITE_STRIPE_PUBLISHABLE_KEY).'));
    }
    const standIn = Boolean(config.stripeApiBase);
    stripeLoading = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = standIn ? '/js/stripe-standin.js' : 'https://js.stripe.com/v3/';
      script.onload = () => resolve(standIn
        ? window.Stripe(config.publishableKey, { apiBase: config.stripeApiBase })
        : window.Stripe(config.publishableKey));
      script.onerror = () => {
        stripeLoading = null;
        script.remove();
        reject(new ApiError('Failed to load Stripe', 'The payment form could not be loaded. Check your connection and try again.'));
      };
      document.head.append(script);
    });
    return stripeLoading;
  }

  /** Stripe.js's error object, in words for the customer. */
  function describePaymentError(error) {
    const message = error.message || 'The payment could not be completed.';
    switch (error.type) {
      case 'card_error':
        if (error.decline_code === 'insufficient_funds') {
          return ['Insufficient funds', `${message} Please use another card.`];
        }
        if (error.code === 'card_declined') {
          return ['Payment declined', `${message} You have not been charged. Please use another card.`];
        }
        return ['Card error', message];
      case 'validation_error':
        return ['Check your card details', message];
      case 'api_connection_error':
        return ['Network error', 'We could not reach the payment provider. Check your connection and try again; you have not been charged.'];
      default:
        if (error.code === 'payment_intent_authentication_failure') {
          return ['Authentication failed', message];
        }
        return ['Payment failed', message];
    }
  }

  // ---- the modal ---------------------------------------------------------------------------

  function showStep(step) {
    for (const name of ['packages', 'payment', 'done']) {
      $(`#step-${name}`).hidden = name !== step;
    }
    $('#buy-subtitle').hidden = step !== 'packages';
  }

  function openModal() {
    hideAlert($('#packages-error'));
    showStep('packages');
    $('#buy-modal').hidden = false;
    document.body.style.overflow = 'hidden';
    renderPackages();
    const first = $('#package-list .package');
    if (first) first.focus();
  }

  function closeModal() {
    if (state.paying) return; // a confirmation is in flight: let it finish
    if (state.purchase && !state.paid) cancelPurchase(state.purchase);
    resetPayment();
    $('#buy-modal').hidden = true;
    document.body.style.overflow = '';
    $('#buy-tokens').focus();
  }

  /** An abandoned purchase: cancel it (and its PaymentIntent) instead of leaving it pending. Best effort. */
  function cancelPurchase(purchase) {
    api('POST', `${API}/tokens/purchases/${purchase.purchase_id}/cancel/`).catch(() => {});
  }

  function resetPayment() {
    if (state.paymentElement) state.paymentElement.destroy();
    state.paymentElement = null;
    state.elements = null;
    state.purchase = null;
    state.pack = null;
    state.paid = false;
    $('#payment-element').innerHTML = '';
    hideAlert($('#payment-error'));
  }

  function renderPackages() {
    const list = $('#package-list');
    if (!state.packages.length) return;
    list.innerHTML = '';
    const rates = state.packages.map((p) => Number(p.pricePerMillionTokens));
    const bestRate = Math.min(...rates);
    const worstRate = Math.max(...rates);
    for (const pack of state.packages) {
      const rate = Number(pack.pricePerMillionTokens);
      const best = rate === bestRate && bestRate < worstRate;
      const saving = Math.round((1 - rate / worstRate) * 100);
      const button = document.createElement('button');
      button.type = 'button';
      button.className = `package${best ? ' best' : ''}`;
      button.dataset.slug = pack.slug;
      button.innerHTML = `
        ${best ? '<span class="package-badge">Best value</span>' : ''}
        <span class="package-name"></span>
        <span class="package-tokens"><span class="n"></span> <small>tokens</small></span>
        <span class="package-price"></span>
        <span class="package-rate"></span>
        ${saving > 0 ? `<span class="package-save">Save ${saving}%</span>` : ''}
        <span class="package-desc"></span>
        <span class="package-cta"></span>`;
      $('.package-name', button).textContent = pack.name;
      $('.package-tokens .n', button).textContent = tokens(pack.tokenAmount);
      $('.package-price', button).textContent = money(pack.price, pack.currency);
      $('.package-rate', button).textContent = `${money(pack.pricePerMillionTokens, pack.currency)} per 1M tokens`;
      $('.package-desc', button).textContent = pack.description;
      $('.package-cta', button).textContent = `Buy ${pack.name}`;
      button.setAttribute('aria-label', `${pack.name}: ${tokens(pack.tokenAmount)} tokens for ${money(pack.price, pack.currency)}`
        + `${best ? ', best value' : ''}`);
      button.addEventListener('click', () => choosePackage(pack, button));
      list.append(button);
    }
  }

  async function loadPackages() {
    try {
      state.packages = await api('GET', `${API}/packages/`);
      if (!state.packages.length) {
        $('#package-list').innerHTML = '<p class="muted">No token packs are on sale yet.</p>';
      }
      renderPackages();
    } catch (e) {
      $('#package-list').innerHTML = '';
      showAlert($('#packages-error'), 'Failed to load token packages', e.detail);
    }
  }

  /** Step 1 → 2: start the purchase (a PaymentIntent on the server), then mount the Payment Element. */
  async function choosePackage(pack, button) {
    if (state.choosing) return;
    state.choosing = true;
    hideAlert($('#packages-error'));
    const buttons = document.querySelectorAll('#package-list .package');
    buttons.forEach((b) => { b.disabled = true; });
    button.classList.add('loading');
    try {
      state.stripe = await loadStripe();
      const saveCard = $('#save-card').checked;
      const purchase = await api('POST', `${API}/tokens/purchase/`, { package_slug: pack.slug, saveCard });
      state.pack = pack;
      state.purchase = purchase;
      renderSummary(pack, purchase);
      state.elements = state.stripe.elements({ clientSecret: purchase.client_secret, appearance: APPEARANCE });
      state.paymentElement = state.elements.create('payment', { layout: 'tabs' });
      state.paymentElement.mount('#payment-element');
      showStep('payment');
      const pay = $('#pay');
      pay.textContent = `Complete Payment · ${money(purchase.amount, purchase.currency || pack.currency)}`;
    } catch (e) {
      showAlert($('#packages-error'), e.title || 'Failed to initiate purchase', e.detail || e.message);
    } finally {
      state.choosing = false;
      button.classList.remove('loading');
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function renderSummary(pack, purchase) {
    const summary = $('#summary');
    summary.innerHTML = `
      <div>
        <div class="summary-name"></div>
        <div class="summary-detail"></div>
      </div>
      <div class="summary-price"></div>`;
    $('.summary-name', summary).textContent = `${pack.name} pack`;
    $('.summary-detail', summary).textContent =
      `${tokens(purchase.token_amount)} tokens · ${money(pack.pricePerMillionTokens, pack.currency)} per 1M tokens`;
    $('.summary-price', summary).textContent = money(purchase.amount, purchase.currency || pack.currency);
  }

  function backToPackages() {
    if (state.paying) return;
    if (state.purchase && !state.paid) cancelPurchase(state.purchase);
    resetPayment();
    showStep('packages');
  }

  /** Step 2 → 3: confirm the payment on the page (no redirect unless the card needs one). */
  async function pay(event) {
    event.preventDefault();
    if (state.paying || !state.elements) return;
    const button = $('#pay');
    const errorBox = $('#payment-error');
    hideAlert(errorBox);
    state.paying = true;
    button.disabled = true;
    button.classList.add('loading');
    $('#back').disabled = true;
    try {
      const result = await state.stripe.confirmPayment({
        elements: state.elements,
        redirect: 'if_required',
        confirmParams: { return_url: `${window.location.origin}${BILLING_PAGE}?purchase=${state.purchase.purchase_id}` },
      });
      if (result.error) {
        const [title, detail] = describePaymentError(result.error);
        showAlert(errorBox, title, detail);
        return;
      }
      const status = result.paymentIntent && result.paymentIntent.status;
      if (status === 'succeeded' || status === 'processing') {
        state.paid = true;
        awaitTokens(state.purchase, state.pack);
      } else {
        showAlert(errorBox, 'Payment not completed', `The payment is ${String(status).replace(/_/g, ' ')}. Please try again.`);
      }
    } catch (e) {
      const [title, detail] = describePaymentError({ type: 'api_connection_error', message: e.message });
      showAlert(errorBox, title, detail);
    } finally {
      state.paying = false;
      button.disabled = false;
      button.classList.remove('loading');
      $('#back').disabled = false;
    }
  }

  /** Step 3: the payment went through; the tokens arrive with Stripe's webhook. Poll until they do. */
  async function awaitTokens(purchase, pack) {
    showStep('done');
    const icon = $('#done-icon');
    icon.className = 'done-icon pending';
    $('#done-title').textContent = 'Payment received';
    $('#done-text').textContent = `Adding ${tokens(purchase.token_amount)} tokens to your balance…`;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !$('#buy-modal').hidden) {
      try {
        const current = await api('GET', `${API}/tokens/purchases/${purchase.purchase_id}/`);
        if (current.status === 'completed') {
          icon.className = 'done-icon ok';
          $('#done-title').textContent = 'Tokens added';
          $('#done-text').textContent = `${tokens(purchase.token_amount)} tokens from the ${pack.name} pack are now in your balance.`;
          await Promise.all([refreshBalance({ flash: true }), refreshHistory(), refreshRecharge()]);
          $('#done-close').focus();
          return;
        }
      } catch (e) {
        // Keep polling through a transient failure.
      }
      await sleep(700);
    }
    icon.className = 'done-icon slow';
    $('#done-title').textContent = 'Payment received';
    $('#done-text').textContent = 'Your payment succeeded. The tokens will appear in your balance as soon as Stripe confirms it; you can close this window.';
    refreshBalance({ flash: true });
  }

  /** Back from a redirect (3-D Secure with real Stripe.js): say how it went and wait for the tokens. */
  async function handleRedirectReturn() {
    const params = new URLSearchParams(window.location.search);
    const status = params.get('redirect_status');
    const purchaseId = params.get('purchase');
    if (params.has('continue')) window.history.replaceState(null, '', BILLING_PAGE); // Spring Security's marker after login
    const checkout = params.get('checkout'); // back from Stripe Checkout (billing.web.return-path)
    if (checkout) {
      window.history.replaceState(null, '', BILLING_PAGE);
      if (checkout === 'success') {
        awaitCheckout();
      } else if (checkout === 'canceled') {
        showAlert($('#page-notice'), 'Checkout canceled', ' You have not been charged.');
      }
      return;
    }
    if (!status) return;
    window.history.replaceState(null, '', BILLING_PAGE);
    if (status === 'succeeded' && purchaseId) {
      $('#buy-modal').hidden = false;
      const purchase = await api('GET', `${API}/tokens/purchases/${purchaseId}/`).catch(() => null);
      if (purchase) {
        const pack = state.packages.find((p) => p.slug === purchase.packageSlug) || { name: purchase.packageSlug };
        awaitTokens({ purchase_id: purchase.id, token_amount: purchase.tokenAmount }, pack);
      }
    } else if (status === 'failed') {
      showAlert($('#page-error'), 'Payment failed', 'The card could not be authenticated. Please try again with another card.');
    }
  }

  // ---- auto-recharge ---------------------------------------------------------------------------

  const RECHARGE_STATUS = {
    pending: 'Recharge pending', processing: 'Recharging…', succeeded: 'Recharged', failed: 'Recharge failed',
    requires_action: 'Action needed', skipped: 'Skipped',
  };

  async function refreshRecharge() {
    try {
      state.recharge = await api('GET', `${API}/recharge/`);
      hideAlert($('#recharge-error'));
      renderRecharge();
      return state.recharge;
    } catch (e) {
      showAlert($('#recharge-error'), e.title || 'Failed to load auto-recharge', e.detail);
      return null;
    }
  }

  function renderRecharge() {
    const { rule, cards, attempts, actionNeeded } = state.recharge;
    const card = rule ? cards.find((c) => c.id === rule.paymentMethod) || cards[0] : cards[0];
    $('#recharge-card-info').textContent = card
      ? `Saved card: ${card.brand.toUpperCase()} •••• ${card.last4} (expires ${String(card.expMonth).padStart(2, '0')}/${card.expYear})`
      : 'No saved card yet: tick "Save this card for auto-recharge" when you buy a pack.';
    const select = $('#recharge-pack');
    if (!select.options.length && state.packages.length) {
      for (const pack of state.packages) {
        const option = document.createElement('option');
        option.value = pack.slug;
        option.textContent = `${pack.name}: ${tokens(pack.tokenAmount)} tokens for ${money(pack.price, pack.currency)}`;
        select.append(option);
      }
      select.value = state.packages.some((p) => p.slug === 'booster-500k') ? 'booster-500k' : state.packages[0].slug;
    }
    $('#recharge-enable').disabled = !cards.length;
    $('#recharge-enable').textContent = rule ? 'Update auto-recharge' : 'Enable auto-recharge';
    const status = $('#recharge-status');
    status.hidden = !rule;
    $('#recharge-actions').hidden = !rule;
    $('#recharge-summary').hidden = !rule;
    if (rule) {
      const pack = state.packages.find((p) => p.slug === rule.package);
      status.textContent = rule.running ? 'On' : 'Paused';
      status.className = `pill ${rule.running ? 'pill-success' : 'pill-warning'}`;
      const last = attempts[0];
      $('#recharge-summary').textContent = `Buys ${pack ? pack.name : rule.package} when your balance falls below ${tokens(rule.threshold)} tokens`
        + ` (at most ${rule.maxPerMonth} a month).`
        + (rule.pausedReason ? ` Paused: ${rule.pausedReason}.` : '')
        + (last ? ` Last recharge: ${RECHARGE_STATUS[last.status] || last.status}, ${new Date(last.updatedAt).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' })}.` : '');
      $('#recharge-pause').hidden = !rule.running;
      $('#recharge-resume').hidden = rule.running;
      $('#recharge-threshold').value = rule.threshold;
      $('#recharge-pack').value = rule.package;
    }
    const banner = $('#action-needed');
    banner.hidden = !actionNeeded;
    if (actionNeeded) {
      $('#action-needed-detail').textContent = ` An automatic purchase of ${money(actionNeeded.amount, actionNeeded.currency)}`
        + ' needs you to confirm it with your bank. Auto-recharge is paused until you do.';
    }
  }

  async function rechargeCall(method, path, body) {
    hideAlert($('#recharge-error'));
    const buttons = document.querySelectorAll('#recharge-card button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api(method, `${API}${path}`, body);
    } catch (e) {
      showAlert($('#recharge-error'), e.title || 'Auto-recharge failed', e.detail);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
      await refreshRecharge();
    }
  }

  function enableRecharge(event) {
    event.preventDefault();
    const threshold = Number($('#recharge-threshold').value);
    if (!Number.isInteger(threshold) || threshold <= 0) {
      showAlert($('#recharge-error'), 'Check the threshold', ' Enter a whole number of tokens above zero.');
      return;
    }
    rechargeCall('PUT', '/recharge/', { package: $('#recharge-pack').value, threshold });
  }

  /** The recharge the bank wants authenticated: confirm its PaymentIntent on the page with the saved card. */
  async function confirmActionNeeded() {
    const action = state.recharge && state.recharge.actionNeeded;
    if (!action || state.confirming) return;
    state.confirming = true;
    const button = $('#action-needed-pay');
    button.disabled = true;
    button.classList.add('loading');
    try {
      state.stripe = state.stripe || await loadStripe();
      const rule = state.recharge.rule;
      const result = await state.stripe.confirmCardPayment(action.clientSecret, rule ? { payment_method: rule.paymentMethod } : {});
      if (result.error) {
        const [title, detail] = describePaymentError(result.error);
        showAlert($('#page-error'), title, ` ${detail}`);
        return;
      }
      hideAlert($('#page-error'));
      showAlert($('#page-notice'), 'Payment confirmed', ' Your tokens arrive as soon as Stripe confirms it; auto-recharge is back on.');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        await sleep(1000);
        const recharge = await refreshRecharge();
        if (recharge && !recharge.actionNeeded && recharge.rule && recharge.rule.running) break;
      }
      await Promise.all([refreshBalance({ flash: true }), refreshHistory()]);
    } catch (e) {
      showAlert($('#page-error'), e.title || 'Payment failed', e.detail || e.message);
    } finally {
      state.confirming = false;
      button.disabled = false;
      button.classList.remove('loading');
    }
  }

  const EVENT_TEXT = {
    'balance.low': 'Your balance fell below your low-balance alert.',
    'balance.depleted': 'Your balance is used up.',
    'recharge.succeeded': 'Auto-recharge bought a pack: the tokens are on their way.',
    'recharge.failed': 'Auto-recharge could not charge your card and is paused.',
    'recharge.needs_action': 'Auto-recharge needs you to confirm a payment.',
  };

  /** The demo's event listener's latest low-balance and auto-recharge events; new ones show as a notice. */
  async function refreshEvents() {
    let events;
    try {
      events = await api('GET', '/api/demo/events');
    } catch (e) {
      return;
    }
    const fresh = state.seenEvents ? events.filter((event) => !state.seenEvents.has(event.id)) : [];
    state.seenEvents = new Set(events.map((event) => event.id));
    if (fresh.length) {
      const notice = $('#event-notice');
      notice.textContent = fresh.map((event) => EVENT_TEXT[event.type] || event.type).join(' ');
      notice.hidden = false;
    }
  }

  /** While the page is open: balance, auto-recharge and events, as the background jobs change them. */
  async function poll() {
    if (document.visibilityState === 'visible' && $('#buy-modal').hidden && !state.leaving && !state.confirming) {
      await Promise.all([refreshBalance({ flash: true }), refreshRecharge(), refreshEvents()]).catch(() => {});
      if (state.recharge && state.recharge.attempts.length) refreshHistory();
    }
    setTimeout(poll, 3000);
  }

  // ---- start -------------------------------------------------------------------------------

  function signOut() {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = '/logout';
    const csrf = document.createElement('input');
    csrf.type = 'hidden';
    csrf.name = state.me.csrf.parameterName;
    csrf.value = state.me.csrf.token;
    form.append(csrf);
    document.body.append(form);
    form.submit();
  }

  async function init() {
    $('#buy-tokens').addEventListener('click', openModal);
    $('#use-tokens').addEventListener('click', useTokens);
    $('#logout').addEventListener('click', signOut);
    $('#payment-form').addEventListener('submit', pay);
    $('#back').addEventListener('click', backToPackages);
    $('#manage-billing').addEventListener('click', (event) => openPortal(event.currentTarget));
    $('#recharge-form').addEventListener('submit', enableRecharge);
    $('#recharge-pause').addEventListener('click', () => rechargeCall('POST', '/recharge/pause/'));
    $('#recharge-resume').addEventListener('click', () => rechargeCall('POST', '/recharge/resume/'));
    $('#recharge-disable').addEventListener('click', () => rechargeCall('DELETE', '/recharge/'));
    $('#action-needed-pay').addEventListener('click', confirmActionNeeded);
    document.querySelectorAll('.interval-toggle button').forEach((button) =>
      button.addEventListener('click', () => chooseInterval(button.dataset.interval)));
    window.addEventListener('pageshow', (event) => { // back from Stripe's page through the browser's history
      if (!event.persisted) return;
      state.leaving = false;
      if (state.overview) renderPlan();
    });
    document.querySelectorAll('[data-close]').forEach((el) => el.addEventListener('click', closeModal));
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !$('#buy-modal').hidden) closeModal();
    });
    try {
      [state.me, state.config] = await Promise.all([api('GET', '/api/demo/me'), api('GET', `${API}/config/`)]);
    } catch (e) {
      showAlert($('#page-error'), e.title || 'Failed to load your account', e.detail);
      return;
    }
    $('#user-name').textContent = state.me.username;
    $('#avatar').textContent = state.me.username.charAt(0);
    $('#test-mode').hidden = state.config.liveMode;
    $('#test-mode').textContent = state.me.demoMode ? 'Test mode · FakeStripe' : 'Test mode';
    // The plan first: on the free tier, loading it grants the month's allowance, which the balance then shows.
    await Promise.all([loadPackages(), refreshPlan().then(() => Promise.all([refreshBalance(), refreshHistory()]))]);
    await Promise.all([refreshRecharge(), refreshEvents()]);
    loadStripe().catch(() => {}); // warm up; errors show when buying
    handleRedirectReturn();
    setTimeout(poll, 3000);
  }

  document.addEventListener('DOMContentLoaded', init);
})();
