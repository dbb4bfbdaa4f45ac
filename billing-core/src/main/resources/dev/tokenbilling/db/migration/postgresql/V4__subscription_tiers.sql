-- Subscription tiers: plans with a token allowance per billing period, sold as Stripe subscriptions
-- beside the packs. Each paid period's allowance is a ledger entry of kind 'allowance' and a lot
-- that expires at the period's end; its posting reference names the invoice that paid it, so it is
-- granted once per invoice whatever the order or repetition of events.

-- The tier catalog (reference data, like token_package). A free tier (monthly price 0) has no
-- Stripe price: the library grants its allowance itself, once per calendar month.
-- rollover_cap: unused allowance carried into the next period, at most this many tokens; NULL
-- means unused allowance expires with its period.
CREATE SEQUENCE subscription_tier_id_seq;
CREATE TABLE subscription_tier (
    id                      bigint      PRIMARY KEY DEFAULT nextval('subscription_tier_id_seq'),
    slug                    text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name                    text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    monthly_price_minor     bigint      NOT NULL CHECK (monthly_price_minor >= 0),
    yearly_price_minor      bigint      CHECK (yearly_price_minor > 0),
    currency                char(3)     NOT NULL,
    tokens_per_period       bigint      NOT NULL CHECK (tokens_per_period > 0),
    rollover_cap            bigint      CHECK (rollover_cap >= 0),
    description             text        NOT NULL DEFAULT '',
    active                  boolean     NOT NULL DEFAULT true,
    sort_order              integer     NOT NULL DEFAULT 0,
    stripe_product_id       text,
    stripe_monthly_price_id text,
    stripe_yearly_price_id  text,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    CONSTRAINT subscription_tier_free_has_no_yearly_price CHECK (monthly_price_minor > 0 OR yearly_price_minor IS NULL)
);

-- The Stripe customer the library made (or the host named) for each user: reused for every checkout.
CREATE TABLE billing_customer (
    user_id            text        PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 255),
    stripe_customer_id text        NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX billing_customer_by_stripe_id ON billing_customer (stripe_customer_id);

-- A user's Stripe subscription as last seen. stripe_changed_at is the time of the event (or
-- retrieval) the row was last taken from: an older snapshot never overwrites a newer one.
CREATE TABLE user_subscription (
    user_id                text        NOT NULL CHECK (length(user_id) BETWEEN 1 AND 255),
    stripe_subscription_id text        NOT NULL CHECK (length(stripe_subscription_id) BETWEEN 1 AND 255),
    stripe_customer_id     text,
    tier_id                bigint      NOT NULL REFERENCES subscription_tier (id),
    billing_interval       text        NOT NULL CHECK (billing_interval IN ('month', 'year')),
    status                 text        NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing', 'active',
                                           'past_due', 'canceled', 'unpaid', 'paused')),
    current_period_start   timestamptz,
    current_period_end     timestamptz,
    cancel_at_period_end   boolean     NOT NULL DEFAULT false,
    canceled_at            timestamptz,
    ended_at               timestamptz,
    stripe_changed_at      timestamptz NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    PRIMARY KEY (user_id, stripe_subscription_id)
);
-- Webhooks find a subscription by its Stripe id before they know the user.
CREATE INDEX user_subscription_by_stripe_id ON user_subscription (stripe_subscription_id);
CREATE INDEX user_subscription_by_status ON user_subscription (status, current_period_end);

-- Allowances are a ledger kind and a lot source of their own, counted with grants in the totals.
ALTER TABLE token_transaction DROP CONSTRAINT token_transaction_kind_check;
ALTER TABLE token_transaction ADD CONSTRAINT token_transaction_kind_check
    CHECK (kind IN ('purchase', 'usage', 'grant', 'allowance', 'adjustment', 'refund', 'dispute', 'dispute_reversal',
                    'refund_reversal', 'expiry', 'void')) NOT VALID;
ALTER TABLE token_transaction VALIDATE CONSTRAINT token_transaction_kind_check;

ALTER TABLE token_lot DROP CONSTRAINT token_lot_source_check;
ALTER TABLE token_lot ADD CONSTRAINT token_lot_source_check
    CHECK (source IN ('purchase', 'grant', 'allowance', 'adjustment', 'dispute_reversal', 'refund_reversal', 'migration')) NOT VALID;
ALTER TABLE token_lot VALIDATE CONSTRAINT token_lot_source_check;
