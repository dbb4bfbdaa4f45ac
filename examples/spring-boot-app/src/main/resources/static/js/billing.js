// The billing page: balance, activity and the "Buy More Tokens" modal.
// Talks to the starter's REST API (/api/v1/billing/...) and to Stripe.js (or, in demo mode, the
// app's stand-in of it, which pays against the embedded FakeStripe).
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
      row.insertCell().textContent = entry.kind === 'purchase' || !entry.description
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
      await Promise.all([refreshBalance({ flash: true }), refreshHistory()]);
    } catch (e) {
      message.className = 'small error';
      message.textContent = e.detail;
    } finally {
      button.disabled = false;
    }
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
      const purchase = await api('POST', `${API}/tokens/purchase/`, { package_slug: pack.slug });
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
          await Promise.all([refreshBalance({ flash: true }), refreshHistory()]);
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
    await Promise.all([refreshBalance(), refreshHistory(), loadPackages()]);
    loadStripe().catch(() => {}); // warm up; errors show when buying
    handleRedirectReturn();
  }

  document.addEventListener('DOMContentLoaded', init);
})();
