// A TEST-MODE STAND-IN for the part of Stripe.js v3 this demo uses, so that the billing page works
// offline against FakeStripe (billing-testkit). It is not Stripe.js and handles no real card data:
// it accepts only test publishable keys (pk_test_...), and the page loads https://js.stripe.com/v3/
// instead whenever the app talks to the real Stripe.
//
//   const stripe = Stripe('pk_test_...', { apiBase: 'http://127.0.0.1:12111' });  // apiBase: stand-in only
//   const elements = stripe.elements({ clientSecret, appearance });
//   const payment = elements.create('payment');  payment.mount('#payment-element');
//   const { error, paymentIntent } = await stripe.confirmPayment({ elements, redirect: 'if_required' });
//
// confirmPayment makes Stripe.js's own calls: POST /v1/payment_methods with the card, then
// POST /v1/payment_intents/{id}/confirm with the client secret, both with the publishable key as
// `key`. It resolves { error } for a decline, a validation problem or a network failure, with
// Stripe's error object (type, code, decline_code, message), and { paymentIntent } otherwise.
// A card that asks for 3-D Secure gets an in-page test challenge, as Stripe.js shows one.
'use strict';

(() => {
  const STYLE_ID = 'stripe-standin-style';
  const TEST_CARDS = [
    ['4242 4242 4242 4242', 'pays'],
    ['4000 0000 0000 0002', 'declined'],
    ['4000 0000 0000 9995', 'insufficient funds'],
    ['4000 0025 0000 3155', '3-D Secure'],
  ];

  class IntegrationError extends Error {
    constructor(message) {
      super(message);
      this.name = 'IntegrationError';
    }
  }

  const digits = (value) => value.replace(/\D/g, '');

  function luhn(number) {
    let sum = 0;
    for (let i = 0; i < number.length; i++) {
      let d = Number(number[number.length - 1 - i]);
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return number.length >= 12 && sum % 10 === 0;
  }

  const validation = (code, message, field) => ({ type: 'validation_error', code, message, field });

  // ---- Stripe --------------------------------------------------------------------------------

  class StripeStandIn {
    constructor(publishableKey, options = {}) {
      if (typeof publishableKey !== 'string' || !publishableKey.startsWith('pk_test_')) {
        throw new IntegrationError('The Stripe.js stand-in works with test publishable keys (pk_test_...) only.');
      }
      this.key = publishableKey;
      this.apiBase = String(options.apiBase || '').replace(/\/+$/, '');
      if (!this.apiBase) throw new IntegrationError('The Stripe.js stand-in needs { apiBase } (the FakeStripe address).');
    }

    elements(options = {}) {
      return new Elements(this, options);
    }

    async retrievePaymentIntent(clientSecret) {
      const answer = await this.request('GET', `/v1/payment_intents/${intentId(clientSecret)}`, { client_secret: clientSecret });
      return answer.error ? { error: answer.error } : { paymentIntent: answer.data };
    }

    async confirmPayment({ elements, redirect = 'always', confirmParams = {} } = {}) {
      const element = elements && elements.getElement('payment');
      if (!element || !element.mounted) {
        throw new IntegrationError('confirmPayment needs the elements of a mounted Payment Element.');
      }
      if (redirect !== 'if_required' && !confirmParams.return_url) {
        throw new IntegrationError('confirmPayment: confirmParams.return_url is required unless redirect is "if_required".');
      }
      const problem = element.validate();
      if (problem) return { error: problem };

      const secret = elements.clientSecret;
      const id = intentId(secret);
      const card = element.values();
      const method = await this.request('POST', '/v1/payment_methods', {
        type: 'card',
        'card[number]': card.number,
        'card[exp_month]': card.expMonth,
        'card[exp_year]': card.expYear,
        'card[cvc]': card.cvc,
        'billing_details[address][postal_code]': card.postalCode,
        'billing_details[address][country]': card.country,
      });
      if (method.error) return { error: method.error };

      element.setBusy(true);
      try {
        // Without return_url FakeStripe answers 3-D Secure with `use_stripe_sdk`: handled on the page below.
        const confirmed = await this.request('POST', `/v1/payment_intents/${id}/confirm`, {
          payment_method: method.data.id, client_secret: secret,
        });
        if (confirmed.error) return { error: confirmed.error };
        let intent = confirmed.data;
        if (intent.status === 'requires_action') {
          const succeed = await element.challenge(intent);
          const authenticated = await this.request('POST', `/_testkit/payment_intents/${id}/authenticate`, { succeed: String(succeed) });
          if (authenticated.error) return { error: authenticated.error };
          const retrieved = await this.request('GET', `/v1/payment_intents/${id}`, { client_secret: secret });
          if (retrieved.error) return { error: retrieved.error };
          intent = retrieved.data;
          if (intent.status === 'requires_payment_method') {
            return {
              error: {
                type: 'invalid_request_error', code: 'payment_intent_authentication_failure', payment_intent: intent,
                message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
              },
            };
          }
        }
        if (redirect !== 'if_required') {
          const url = new URL(confirmParams.return_url, window.location.href);
          url.searchParams.set('payment_intent', id);
          url.searchParams.set('payment_intent_client_secret', secret);
          url.searchParams.set('redirect_status', intent.status === 'succeeded' ? 'succeeded' : 'failed');
          window.location.assign(url.toString());
          return new Promise(() => {}); // the page is leaving
        }
        return { paymentIntent: intent };
      } finally {
        element.setBusy(false);
      }
    }

    /**
     * Confirms a PaymentIntent on-session with a card already saved (Stripe.js's
     * `confirmCardPayment(clientSecret, { payment_method })`): e.g. an auto-recharge the bank wants
     * authenticated. Without `payment_method`, the card of the intent's last error is used.
     */
    async confirmCardPayment(clientSecret, data = {}) {
      const id = intentId(clientSecret);
      let method = data.payment_method;
      if (!method) {
        const current = await this.request('GET', `/v1/payment_intents/${id}`, { client_secret: clientSecret });
        if (current.error) return { error: current.error };
        const failed = current.data.last_payment_error && current.data.last_payment_error.payment_method;
        method = (failed && (failed.id || failed)) || current.data.payment_method;
      }
      const confirmed = await this.request('POST', `/v1/payment_intents/${id}/confirm`, {
        payment_method: method, client_secret: clientSecret,
      });
      if (confirmed.error) return { error: confirmed.error };
      let intent = confirmed.data;
      if (intent.status === 'requires_action') {
        injectStyle({});
        const succeed = await PaymentElement.prototype.challenge.call(null, intent);
        const authenticated = await this.request('POST', `/_testkit/payment_intents/${id}/authenticate`, { succeed: String(succeed) });
        if (authenticated.error) return { error: authenticated.error };
        const retrieved = await this.request('GET', `/v1/payment_intents/${id}`, { client_secret: clientSecret });
        if (retrieved.error) return { error: retrieved.error };
        intent = retrieved.data;
        if (intent.status === 'requires_payment_method') {
          return {
            error: {
              type: 'invalid_request_error', code: 'payment_intent_authentication_failure', payment_intent: intent,
              message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
            },
          };
        }
      }
      return { paymentIntent: intent };
    }

    /** One call as Stripe.js makes it: form-encoded, the publishable key as `key`. */
    async request(method, path, params) {
      const body = new URLSearchParams({ ...params, key: this.key });
      let response;
      try {
        response = await fetch(this.apiBase + path + (method === 'GET' ? `?${body}` : ''), {
          method,
          headers: method === 'GET' ? {} : { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: method === 'GET' ? undefined : body,
        });
      } catch (e) {
        return {
          error: {
            type: 'api_connection_error',
            message: 'We could not connect to Stripe. Please check your network connection and try again.',
          },
        };
      }
      let json = null;
      try {
        json = await response.json();
      } catch (e) {
        // not JSON: handled below
      }
      if (!response.ok || !json) {
        return { error: (json && json.error) || { type: 'api_error', message: `Unexpected answer from Stripe (HTTP ${response.status}).` } };
      }
      return { data: json };
    }
  }

  function intentId(clientSecret) {
    const match = /^(pi_[A-Za-z0-9]+)_secret_/.exec(String(clientSecret || ''));
    if (!match) throw new IntegrationError('Invalid clientSecret: expected "pi_..._secret_...".');
    return match[1];
  }

  // ---- Elements --------------------------------------------------------------------------------

  class Elements {
    constructor(stripe, options) {
      this.stripe = stripe;
      this.clientSecret = options.clientSecret;
      intentId(this.clientSecret);
      this.appearance = options.appearance || {};
      this.payment = null;
    }

    create(type, options = {}) {
      if (type !== 'payment') throw new IntegrationError(`The stand-in supports the "payment" element only, not "${type}".`);
      if (this.payment) throw new IntegrationError('Only one Payment Element per elements group.');
      this.payment = new PaymentElement(this, options);
      return this.payment;
    }

    getElement(type) {
      return type === 'payment' ? this.payment : null;
    }

    async submit() {
      const problem = this.payment && this.payment.validate();
      return problem ? { error: problem } : {};
    }

    update() {}
  }

  class PaymentElement {
    constructor(elements, options) {
      this.elements = elements;
      this.options = options;
      this.handlers = {};
      this.root = null;
      this.mounted = false;
    }

    mount(target) {
      const container = typeof target === 'string' ? document.querySelector(target) : target;
      if (!container) throw new IntegrationError(`mount: no element matches ${target}`);
      injectStyle(this.elements.appearance);
      this.root = document.createElement('div');
      this.root.className = 'sps';
      this.root.innerHTML = `
        <div class="sps-tabs"><span class="sps-tab">
          <svg viewBox="0 0 24 16" width="20" height="14" aria-hidden="true"><rect x=".5" y=".5" width="23" height="15" rx="2.5" fill="none" stroke="currentColor"/><rect x="0" y="4" width="24" height="3" fill="currentColor"/></svg>
          Card</span><span class="sps-testmode" title="Stand-in for the Stripe Payment Element, paying against FakeStripe">TEST MODE</span></div>
        <label class="sps-field sps-wide"><span>Card number</span>
          <input name="cardnumber" autocomplete="cc-number" inputmode="numeric" placeholder="1234 1234 1234 1234" aria-label="Card number"></label>
        <label class="sps-field"><span>Expiration date</span>
          <input name="exp-date" autocomplete="cc-exp" inputmode="numeric" placeholder="MM / YY" aria-label="Expiration date"></label>
        <label class="sps-field"><span>Security code</span>
          <input name="cvc" autocomplete="cc-csc" inputmode="numeric" placeholder="CVC" aria-label="Security code"></label>
        <label class="sps-field"><span>Country</span>
          <select name="country" autocomplete="country" aria-label="Country">
            <option value="US" selected>United States</option><option value="CA">Canada</option><option value="GB">United Kingdom</option>
            <option value="DE">Germany</option><option value="FR">France</option><option value="NZ">New Zealand</option>
          </select></label>
        <label class="sps-field"><span>ZIP</span>
          <input name="postal" autocomplete="postal-code" placeholder="12345" aria-label="ZIP"></label>
        <p class="sps-hint">Test cards: ${TEST_CARDS.map(([n, what]) => `<code>${n}</code> ${what}`).join(' · ')}. Any future date and any CVC.</p>`;
      container.append(this.root);
      this.inputs = {
        number: this.root.querySelector('[name=cardnumber]'),
        expiry: this.root.querySelector('[name=exp-date]'),
        cvc: this.root.querySelector('[name=cvc]'),
        country: this.root.querySelector('[name=country]'),
        postal: this.root.querySelector('[name=postal]'),
      };
      this.inputs.number.addEventListener('input', () => {
        const d = digits(this.inputs.number.value).slice(0, 19);
        const groups = /^3[47]/.test(d) ? [4, 6, 5] : [4, 4, 4, 4, 3];
        const parts = [];
        let at = 0;
        for (const size of groups) {
          if (at >= d.length) break;
          parts.push(d.slice(at, at + size));
          at += size;
        }
        this.inputs.number.value = parts.join(' ');
      });
      this.inputs.expiry.addEventListener('input', (event) => {
        const d = digits(this.inputs.expiry.value).slice(0, 4);
        const deleting = event.inputType && event.inputType.startsWith('delete');
        this.inputs.expiry.value = d.length > 2 || (d.length === 2 && !deleting) ? `${d.slice(0, 2)} / ${d.slice(2)}` : d;
      });
      this.inputs.cvc.addEventListener('input', () => { this.inputs.cvc.value = digits(this.inputs.cvc.value).slice(0, 4); });
      for (const input of Object.values(this.inputs)) {
        input.addEventListener('input', () => {
          input.classList.remove('sps-invalid');
          this.emit('change', { elementType: 'payment', empty: !digits(this.inputs.number.value), complete: !this.validate(false) });
        });
        input.addEventListener('focus', () => this.emit('focus', { elementType: 'payment' }));
        input.addEventListener('blur', () => this.emit('blur', { elementType: 'payment' }));
      }
      this.mounted = true;
      setTimeout(() => this.emit('ready', { elementType: 'payment' }));
      return this;
    }

    values() {
      const expiry = digits(this.inputs.expiry.value);
      return {
        number: digits(this.inputs.number.value),
        expMonth: expiry.slice(0, 2),
        expYear: expiry.length === 4 ? `20${expiry.slice(2)}` : expiry.slice(2),
        cvc: this.inputs.cvc.value,
        country: this.inputs.country.value,
        postalCode: this.inputs.postal.value.trim(),
      };
    }

    /** Stripe's client-side checks, with its codes and messages; marks the field unless `mark` is false. */
    validate(mark = true) {
      const v = this.values();
      const now = new Date();
      let problem = null;
      if (v.number.length < 12) problem = validation('incomplete_number', 'Your card number is incomplete.', 'number');
      else if (!luhn(v.number)) problem = validation('invalid_number', 'Your card number is invalid.', 'number');
      else if (v.expMonth.length < 2 || v.expYear.length < 4) problem = validation('incomplete_expiry', "Your card's expiration date is incomplete.", 'expiry');
      else if (Number(v.expMonth) < 1 || Number(v.expMonth) > 12) problem = validation('invalid_expiry_month', "Your card's expiration date is invalid.", 'expiry');
      else if (Number(v.expYear) < now.getFullYear() || (Number(v.expYear) === now.getFullYear() && Number(v.expMonth) < now.getMonth() + 1)) {
        problem = validation('invalid_expiry_year_past', "Your card's expiration date is in the past.", 'expiry');
      } else if (v.cvc.length < 3) problem = validation('incomplete_cvc', "Your card's security code is incomplete.", 'cvc');
      else if (v.country === 'US' && !/^\d{5}(-\d{4})?$/.test(v.postalCode)) problem = validation('incomplete_zip', 'Your ZIP is incomplete.', 'postal');
      if (problem && mark) {
        const input = this.inputs[problem.field];
        input.classList.add('sps-invalid');
        input.focus();
      }
      return problem;
    }

    setBusy(busy) {
      if (!this.root) return;
      for (const input of Object.values(this.inputs)) input.disabled = busy;
    }

    /** The test 3-D Secure challenge: resolves true (complete) or false (fail). */
    challenge(intent) {
      return new Promise((resolve) => {
        const overlay = document.createElement('div');
        overlay.className = 'sps-3ds';
        overlay.innerHTML = `
          <div class="sps-3ds-box" role="dialog" aria-modal="true" aria-label="3D Secure test authentication">
            <p class="sps-testmode">TEST MODE</p>
            <h3>3D Secure authentication</h3>
            <p>Your bank asks you to confirm this payment of <strong></strong>.</p>
            <div class="sps-3ds-actions">
              <button type="button" data-succeed="false">Fail authentication</button>
              <button type="button" data-succeed="true" class="sps-primary">Complete authentication</button>
            </div>
          </div>`;
        overlay.querySelector('strong').textContent = new Intl.NumberFormat('en-US', {
          style: 'currency', currency: String(intent.currency || 'usd').toUpperCase(),
        }).format(intent.amount / 100);
        overlay.addEventListener('click', (event) => {
          const button = event.target.closest('button[data-succeed]');
          if (!button) return;
          overlay.remove();
          resolve(button.dataset.succeed === 'true');
        });
        document.body.append(overlay);
        overlay.querySelector('.sps-primary').focus();
      });
    }

    on(event, handler) {
      (this.handlers[event] = this.handlers[event] || []).push(handler);
      return this;
    }

    off(event, handler) {
      this.handlers[event] = (this.handlers[event] || []).filter((h) => h !== handler);
      return this;
    }

    emit(event, payload) {
      for (const handler of this.handlers[event] || []) handler(payload);
    }

    focus() {
      if (this.inputs) this.inputs.number.focus();
    }

    clear() {
      if (this.inputs) ['number', 'expiry', 'cvc', 'postal'].forEach((name) => { this.inputs[name].value = ''; });
    }

    update() {}

    unmount() {
      if (this.root) this.root.remove();
      this.mounted = false;
    }

    destroy() {
      this.unmount();
      this.elements.payment = null;
    }
  }

  function injectStyle(appearance) {
    if (document.getElementById(STYLE_ID)) return;
    const v = appearance.variables || {};
    const style = document.createElement('style');
    style.id = STYLE_ID;
    style.textContent = `
      .sps { --sps-primary: ${v.colorPrimary || '#0570de'}; --sps-radius: ${v.borderRadius || '6px'};
        font-family: ${v.fontFamily || 'system-ui, sans-serif'}; display: grid; grid-template-columns: 1fr 1fr; gap: 12px 12px; }
      .sps-tabs { grid-column: 1 / -1; display: flex; align-items: center; justify-content: space-between; }
      .sps-tab { display: inline-flex; align-items: center; gap: 8px; font-size: 14px; font-weight: 600; color: var(--sps-primary);
        border: 2px solid var(--sps-primary); border-radius: var(--sps-radius); padding: 8px 14px; background: #fff; }
      .sps-testmode { font-size: 11px; font-weight: 700; letter-spacing: .05em; color: #a15c00; background: #fff4df;
        padding: 3px 8px; border-radius: 99px; margin: 0; }
      .sps-field { display: flex; flex-direction: column; gap: 5px; font-size: 13px; color: #30313d; }
      .sps-wide { grid-column: 1 / -1; }
      .sps-field input, .sps-field select { font: inherit; font-size: 15px; padding: 11px 12px; border: 1px solid #d5d9e2;
        border-radius: var(--sps-radius); background: #fff; box-shadow: 0 1px 1px rgba(0,0,0,.03); color: #30313d;
        transition: border-color .15s, box-shadow .15s; min-width: 0; }
      .sps-field input:focus, .sps-field select:focus { outline: 0; border-color: var(--sps-primary);
        box-shadow: 0 0 0 3px color-mix(in srgb, var(--sps-primary) 22%, transparent); }
      .sps-field input.sps-invalid { border-color: #df1b41; box-shadow: 0 0 0 3px rgba(223, 27, 65, .15); color: #df1b41; }
      .sps-field input:disabled { background: #f6f8fa; }
      .sps-hint { grid-column: 1 / -1; margin: 2px 0 0; font-size: 12px; color: #6b7185; line-height: 1.6; }
      .sps-hint code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; background: #f1f2f6; padding: 1px 5px;
        border-radius: 4px; color: #30313d; white-space: nowrap; }
      .sps-3ds { position: fixed; inset: 0; z-index: 1000; display: grid; place-items: center; background: rgba(10, 12, 25, .55); }
      .sps-3ds-box { background: #fff; border-radius: 12px; padding: 24px; width: min(380px, calc(100% - 32px));
        box-shadow: 0 20px 60px rgba(0,0,0,.3); font-family: system-ui, sans-serif; text-align: center; }
      .sps-3ds-box h3 { margin: 10px 0 6px; font-size: 18px; }
      .sps-3ds-box p { margin: 0; color: #4a4f63; font-size: 14px; }
      .sps-3ds-box .sps-testmode { display: inline-block; }
      .sps-3ds-actions { display: flex; gap: 10px; margin-top: 18px; }
      .sps-3ds-actions button { flex: 1; font: inherit; font-size: 14px; font-weight: 600; padding: 10px; border-radius: 8px;
        border: 1px solid #d5d9e2; background: #fff; cursor: pointer; }
      .sps-3ds-actions .sps-primary { background: #0570de; border-color: #0570de; color: #fff; }
      @media (max-width: 520px) { .sps { grid-template-columns: 1fr; } }`;
    document.head.append(style);
  }

  window.Stripe = (publishableKey, options) => new StripeStandIn(publishableKey, options);
  window.Stripe.version = 3;
  window.Stripe.standIn = true;
})();
