package dev.tokenbilling.doctor;

import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.stripe.StripeAccount;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the checks of README's Troubleshooting section and says, for each, what it found and how to fix it.
 * Every input is a supplier, read when its check runs, so that an unreachable database or refused
 * Stripe settings become a failed check instead of an exception: {@code TokenBilling.doctor()} gives
 * a builder wired from a built instance, {@code TokenBilling.newDoctor()} one that knows only the
 * library's event types and its Stripe client. Reads only: nothing is written, at Stripe or in the database.
 *
 * <p>Checks that need what an earlier one found missing are {@link Verdict#SKIPPED} with the reason.
 * Fixes name {@code billing} CLI commands: the CLI runs against the same database as the application.
 */
public final class Doctor {

    public static final String DATABASE = "database";
    public static final String STRIPE_KEYS = "stripe.keys";
    /** The token packages against Stripe's prices; a future catalog kind (tiers) gets a check of its own, {@code catalog.tiers}. */
    public static final String PACKAGES = "catalog.packages";

    public static final String WEBHOOK_ENDPOINT = "webhook.endpoint";
    public static final String WEBHOOK_SECRET = "webhook.secret";
    public static final String STUCK_PURCHASES = "purchases.stuck";
    public static final String FAILED_EVENTS = "webhook.events";
    public static final String LEDGER = "ledger.audit";

    /** Open purchases older than this count as stuck: the reconciler's default window ({@code billing retry --older-than}). */
    public static final Duration DEFAULT_STUCK_AFTER = Duration.ofMinutes(15);

    /** The checks, in the order they run and are reported. */
    private static final List<Check> CHECKS = List.of(
            new DatabaseCheck(),
            new StripeKeysCheck(),
            new PackagesCheck(),
            new WebhookEndpointCheck(),
            new WebhookSecretCheck(),
            new StuckPurchasesCheck(),
            new FailedEventsCheck(),
            new LedgerAuditCheck());

    private final Builder settings;

    private Doctor(Builder builder) {
        this.settings = builder.copy();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The names of every check, in order. */
    public static List<String> checkNames() {
        return CHECKS.stream().map(Check::name).toList();
    }

    /** Runs every check; never throws for what it examines (a failure is a failed check). */
    public Diagnosis diagnose() {
        Examination exam = new Examination(settings);
        List<CheckResult> results = new ArrayList<>();
        for (Check check : CHECKS) {
            results.add(check.run(exam));
        }
        return new Diagnosis(results);
    }

    /** One check: its name, and what it finds in an examination (which it may update for later checks). */
    interface Check {
        String name();

        CheckResult run(Examination exam);
    }

    /** What the doctor is given. Absent inputs skip the checks that need them. */
    public static final class Builder {
        Supplier<SchemaStatus> schema;
        Supplier<TokenBillingService> service;
        Supplier<Optional<StripeApi>> stripe = Optional::empty;
        Function<StripeApi, StripeAccount> stripeAccount;
        Supplier<WebhookVerification> webhooks;
        Optional<String> webhookUrl = Optional.empty();
        Set<String> eventTypes = Set.of();
        Duration stuckAfter = DEFAULT_STUCK_AFTER;
        Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Where the schema stands; throws {@code STORE_UNAVAILABLE} when the database cannot be reached. Absent for a store that is not the library's PostgreSQL one. */
        public Builder schema(Supplier<SchemaStatus> schema) {
            this.schema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /** The library's services, for the catalog, purchases, events and the audit. */
        public Builder service(Supplier<TokenBillingService> service) {
            this.service = Objects.requireNonNull(service, "service");
            return this;
        }

        /** The Stripe settings: empty without a key; throwing a {@code BillingException} (or another exception with a message) when they are refused. */
        public Builder stripe(Supplier<Optional<StripeApi>> stripe) {
            this.stripe = Objects.requireNonNull(stripe, "stripe");
            return this;
        }

        /** How to talk to the Stripe account of given settings. */
        public Builder stripeAccount(Function<StripeApi, StripeAccount> stripeAccount) {
            this.stripeAccount = Objects.requireNonNull(stripeAccount, "stripeAccount");
            return this;
        }

        /** The webhook settings (from {@code STRIPE_WEBHOOK_SECRET}); may throw when they are refused. */
        public Builder webhooks(Supplier<WebhookVerification> webhooks) {
            this.webhooks = Objects.requireNonNull(webhooks, "webhooks");
            return this;
        }

        /** The public URL Stripe should deliver this application's events to; without it the endpoint check is skipped. */
        public Builder webhookUrl(String url) {
            this.webhookUrl = Optional.ofNullable(url).map(String::trim).filter(u -> !u.isEmpty());
            return this;
        }

        /** The event types the library acts on: the webhook endpoint must send each. */
        public Builder eventTypes(Set<String> eventTypes) {
            this.eventTypes = Set.copyOf(eventTypes);
            return this;
        }

        /** Open purchases older than this count as stuck; default {@link #DEFAULT_STUCK_AFTER}. */
        public Builder stuckAfter(Duration stuckAfter) {
            if (Objects.requireNonNull(stuckAfter, "stuckAfter").isNegative() || stuckAfter.isZero()) {
                throw new IllegalArgumentException("stuckAfter must be positive, was " + stuckAfter);
            }
            this.stuckAfter = stuckAfter;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Doctor build() {
            return new Doctor(this);
        }

        private Builder copy() {
            Builder copy = new Builder();
            copy.schema = schema;
            copy.service = service;
            copy.stripe = stripe;
            copy.stripeAccount = stripeAccount;
            copy.webhooks = webhooks;
            copy.webhookUrl = webhookUrl;
            copy.eventTypes = eventTypes;
            copy.stuckAfter = stuckAfter;
            copy.clock = clock;
            return copy;
        }
    }
}
