package dev.tokenbilling.internal.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Price;
import com.stripe.model.Product;
import com.stripe.model.SetupIntent;
import com.stripe.model.StripeCollection;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.EventListParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.PriceListParams;
import com.stripe.param.PriceUpdateParams;
import com.stripe.param.SetupIntentCreateParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.tokenbilling.model.CardSetup;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.SavedCard;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.payment.CheckoutRequest;
import dev.tokenbilling.payment.OffSessionRequest;
import dev.tokenbilling.payment.OffSessionResult;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.payment.PaymentIntentRequest;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.payment.TierSync;
import dev.tokenbilling.stripe.StripeApi;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** {@link PaymentGateway} on stripe-java: one {@link StripeClient} per settings, never the static API key. */
public final class StripePaymentGateway implements PaymentGateway {

    static final String SLUG_METADATA = "package_slug";

    private final StripeClient client;
    private final StripeProducts products;

    public StripePaymentGateway(StripeApi settings) {
        this.client = StripeClients.create(settings);
        this.products = new StripeProducts(client);
    }

    @Override
    public PaymentIntentSnapshot createPaymentIntent(PaymentIntentRequest request) {
        PaymentIntentCreateParams.Builder params = PaymentIntentCreateParams.builder()
                .setAmount(request.amount().minorUnits())
                .setCurrency(request.amount().stripeCurrency())
                .setDescription(request.description())
                .putAllMetadata(request.metadata())
                .setAutomaticPaymentMethods(PaymentIntentCreateParams.AutomaticPaymentMethods.builder()
                        .setEnabled(true)
                        .build());
        request.customerId().ifPresent(params::setCustomer);
        if (request.saveCard()) {
            params.setSetupFutureUsage(PaymentIntentCreateParams.SetupFutureUsage.OFF_SESSION);
        }
        try {
            PaymentIntent created =
                    client.v1().paymentIntents().create(params.build(), idempotent(request.idempotencyKey()));
            return snapshot(created);
        } catch (StripeException e) {
            throw StripeFailures.translate("create a PaymentIntent", e);
        }
    }

    @Override
    public PaymentIntentSnapshot retrievePaymentIntent(String paymentIntentId) {
        try {
            return snapshot(client.v1().paymentIntents().retrieve(paymentIntentId));
        } catch (StripeException e) {
            throw StripeFailures.translate("retrieve PaymentIntent " + paymentIntentId, e);
        }
    }

    @Override
    public PaymentIntentSnapshot cancelPaymentIntent(String paymentIntentId) {
        try {
            return snapshot(client.v1().paymentIntents().cancel(paymentIntentId));
        } catch (InvalidRequestException e) {
            // Stripe refuses to cancel a PaymentIntent that already succeeded or was canceled: report its state.
            if ("payment_intent_unexpected_state".equals(e.getCode())) {
                return retrievePaymentIntent(paymentIntentId);
            }
            throw StripeFailures.translate("cancel PaymentIntent " + paymentIntentId, e);
        } catch (StripeException e) {
            throw StripeFailures.translate("cancel PaymentIntent " + paymentIntentId, e);
        }
    }

    private static PaymentIntentSnapshot snapshot(PaymentIntent intent) {
        // Read from the raw response so that the API version of the account does not matter.
        if (intent.getLastResponse() != null && intent.getLastResponse().body() != null) {
            return StripeJson.paymentIntent(
                    StripeJson.parse(intent.getLastResponse().body()));
        }
        return StripeJson.paymentIntent(StripeJson.parse(intent.toJson()));
    }

    @Override
    public PackageSync syncPackage(TokenPackage pack, boolean dryRun) {
        try {
            return new CatalogSyncStep(pack, dryRun).run();
        } catch (StripeException e) {
            throw StripeFailures.translate("sync package " + pack.slug(), e);
        }
    }

    @Override
    public OffSessionResult chargeOffSession(OffSessionRequest request) {
        PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
                .setAmount(request.amount().minorUnits())
                .setCurrency(request.amount().stripeCurrency())
                .setDescription(request.description())
                .putAllMetadata(request.metadata())
                .setCustomer(request.customerId())
                .setPaymentMethod(request.paymentMethodId())
                .setOffSession(true)
                .setConfirm(true)
                .build();
        try {
            return new OffSessionResult.Paid(
                    snapshot(client.v1().paymentIntents().create(params, idempotent(request.idempotencyKey()))));
        } catch (CardException e) {
            Optional<PaymentIntentSnapshot> intent = Optional.ofNullable(e.getStripeError())
                    .map(error -> error.getPaymentIntent())
                    .map(pi -> StripeJson.paymentIntent(StripeJson.parse(pi.toJson())));
            String code = e.getDeclineCode() != null ? e.getDeclineCode() : String.valueOf(e.getCode());
            if ("authentication_required".equals(e.getCode()) || "authentication_required".equals(code)) {
                if (intent.isPresent()) {
                    return new OffSessionResult.NeedsAuthentication(intent.get());
                }
            }
            return new OffSessionResult.Declined(code, StripeFailures.sanitize(e.getMessage()), intent);
        } catch (StripeException e) {
            throw StripeFailures.translate("charge a saved card", e);
        }
    }

    @Override
    public CardSetup createCardSetup(String customerId, String idempotencyKey) {
        try {
            SetupIntent setup = client.v1()
                    .setupIntents()
                    .create(
                            SetupIntentCreateParams.builder()
                                    .setCustomer(customerId)
                                    .setUsage(SetupIntentCreateParams.Usage.OFF_SESSION)
                                    .setAutomaticPaymentMethods(
                                            SetupIntentCreateParams.AutomaticPaymentMethods.builder()
                                                    .setEnabled(true)
                                                    .build())
                                    .build(),
                            idempotent(idempotencyKey));
            return new CardSetup(setup.getId(), setup.getClientSecret());
        } catch (StripeException e) {
            throw StripeFailures.translate("create a SetupIntent", e);
        }
    }

    @Override
    public List<SavedCard> savedCards(String customerId) {
        try {
            JsonNode body = StripeJson.parse(client.v1()
                    .customers()
                    .paymentMethods()
                    .list(
                            customerId,
                            com.stripe.param.CustomerPaymentMethodListParams.builder()
                                    .setType(com.stripe.param.CustomerPaymentMethodListParams.Type.CARD)
                                    .build())
                    .getLastResponse()
                    .body());
            List<SavedCard> cards = new ArrayList<>();
            for (JsonNode method : body.path("data")) {
                JsonNode card = method.path("card");
                cards.add(new SavedCard(
                        StripeJson.required(method, "id"),
                        StripeJson.text(card, "brand").orElse("card"),
                        StripeJson.text(card, "last4").orElse("????"),
                        card.path("exp_month").asInt(),
                        card.path("exp_year").asInt()));
            }
            return cards;
        } catch (StripeException e) {
            throw StripeFailures.translate("list the saved cards of a customer", e);
        }
    }

    @Override
    public void removeCard(String paymentMethodId) {
        try {
            client.v1().paymentMethods().detach(paymentMethodId);
        } catch (StripeException e) {
            throw StripeFailures.translate("remove a saved card", e);
        }
    }

    @Override
    public TierSync syncTier(SubscriptionTier tier, boolean dryRun) {
        try {
            return new TierCatalogSync(client, products, tier, dryRun).run();
        } catch (StripeException e) {
            throw StripeFailures.translate("sync tier " + tier.slug(), e);
        }
    }

    @Override
    public String createCustomer(UserId userId, String idempotencyKey) {
        try {
            return client.v1()
                    .customers()
                    .create(
                            CustomerCreateParams.builder()
                                    .putMetadata("user_id", userId.value())
                                    .build(),
                            idempotent(idempotencyKey))
                    .getId();
        } catch (StripeException e) {
            throw StripeFailures.translate("create a Customer", e);
        }
    }

    @Override
    public CheckoutSession createCheckoutSession(CheckoutRequest request) {
        SessionCreateParams.Builder params = SessionCreateParams.builder()
                .setMode(
                        request.subscription()
                                ? SessionCreateParams.Mode.SUBSCRIPTION
                                : SessionCreateParams.Mode.PAYMENT)
                .addLineItem(SessionCreateParams.LineItem.builder()
                        .setPrice(request.priceId())
                        .setQuantity(1L)
                        .build())
                .setCustomer(request.customerId())
                .setSuccessUrl(request.successUrl())
                .setCancelUrl(request.cancelUrl())
                .setClientReferenceId(request.clientReferenceId())
                .putAllMetadata(request.metadata());
        if (request.subscription()) {
            params.setSubscriptionData(SessionCreateParams.SubscriptionData.builder()
                    .putAllMetadata(request.metadata())
                    .build());
        } else {
            params.setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder()
                    .putAllMetadata(request.metadata())
                    .build());
        }
        try {
            Session session =
                    client.v1().checkout().sessions().create(params.build(), idempotent(request.idempotencyKey()));
            return new CheckoutSession(session.getId(), session.getUrl(), Optional.empty());
        } catch (StripeException e) {
            throw StripeFailures.translate("create a Checkout Session", e);
        }
    }

    @Override
    public String createPortalSession(String customerId, String returnUrl) {
        try {
            return client.v1()
                    .billingPortal()
                    .sessions()
                    .create(com.stripe.param.billingportal.SessionCreateParams.builder()
                            .setCustomer(customerId)
                            .setReturnUrl(returnUrl)
                            .build())
                    .getUrl();
        } catch (StripeException e) {
            throw StripeFailures.translate("create a Customer Portal session", e);
        }
    }

    @Override
    public String retrieveSubscription(String subscriptionId) {
        try {
            return rawJson(client.v1().subscriptions().retrieve(subscriptionId));
        } catch (StripeException e) {
            throw StripeFailures.translate("retrieve Subscription " + subscriptionId, e);
        }
    }

    @Override
    public String setCancelAtPeriodEnd(String subscriptionId, boolean cancelAtPeriodEnd) {
        try {
            return rawJson(client.v1()
                    .subscriptions()
                    .update(
                            subscriptionId,
                            SubscriptionUpdateParams.builder()
                                    .setCancelAtPeriodEnd(cancelAtPeriodEnd)
                                    .build()));
        } catch (StripeException e) {
            throw StripeFailures.translate("update Subscription " + subscriptionId, e);
        }
    }

    @Override
    public List<String> listPaidInvoices(String subscriptionId, int limit) {
        try {
            StripeCollection<Invoice> page = client.v1()
                    .invoices()
                    .list(InvoiceListParams.builder()
                            .setSubscription(subscriptionId)
                            .setStatus(InvoiceListParams.Status.PAID)
                            .setLimit((long) limit)
                            .build());
            List<String> invoices = new ArrayList<>();
            for (JsonNode invoice :
                    StripeJson.parse(page.getLastResponse().body()).path("data")) {
                invoices.add(invoice.toString());
            }
            return invoices;
        } catch (StripeException e) {
            throw StripeFailures.translate("list the invoices of " + subscriptionId, e);
        }
    }

    /** The object as Stripe sent it (any API version), or as stripe-java re-encodes it. */
    private static String rawJson(com.stripe.model.StripeObject object) {
        if (object.getLastResponse() != null && object.getLastResponse().body() != null) {
            return object.getLastResponse().body();
        }
        return object.toJson();
    }

    /** Stripe takes at most this many types in one events list call. */
    private static final int MAX_TYPES_PER_LIST = 20;

    @Override
    public List<String> listEvents(Instant since, Set<String> types) {
        List<String> sorted = new ArrayList<>(new java.util.TreeSet<>(types));
        List<JsonNode> events = new ArrayList<>();
        for (int from = 0; from < sorted.size(); from += MAX_TYPES_PER_LIST) {
            events.addAll(listEvents(since, sorted.subList(from, Math.min(sorted.size(), from + MAX_TYPES_PER_LIST))));
        }
        // Stripe lists newest first, one call per group of types: process oldest first, all groups merged.
        events.sort(java.util.Comparator.comparingLong(
                (JsonNode event) -> event.path("created").asLong()));
        List<String> raw = new ArrayList<>();
        try {
            for (JsonNode event : events) {
                raw.add(StripeJson.MAPPER.writeValueAsString(event));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not re-encode a Stripe event", e);
        }
        return raw;
    }

    /** The events of some types since {@code since}, oldest first. */
    private List<JsonNode> listEvents(Instant since, List<String> types) {
        List<JsonNode> events = new ArrayList<>();
        String startingAfter = null;
        try {
            while (true) {
                EventListParams.Builder params = EventListParams.builder()
                        .setLimit(100L)
                        .setCreated(EventListParams.Created.builder()
                                .setGte(since.getEpochSecond())
                                .build());
                types.forEach(params::addType);
                if (startingAfter != null) {
                    params.setStartingAfter(startingAfter);
                }
                StripeCollection<Event> page = client.v1().events().list(params.build());
                JsonNode body = StripeJson.parse(page.getLastResponse().body());
                for (JsonNode event : body.path("data")) {
                    events.add(event);
                    startingAfter = event.path("id").asText();
                }
                if (!body.path("has_more").asBoolean(false) || body.path("data").isEmpty()) {
                    break;
                }
            }
        } catch (StripeException e) {
            throw StripeFailures.translate("list events", e);
        }
        Collections.reverse(events);
        return events;
    }

    private static RequestOptions idempotent(String key) {
        return RequestOptions.builder().setIdempotencyKey(key).build();
    }

    /** One package's sync: its Product, then its Price. */
    private final class CatalogSyncStep {
        private final TokenPackage pack;
        private final boolean dryRun;
        private final List<String> changes = new ArrayList<>();

        CatalogSyncStep(TokenPackage pack, boolean dryRun) {
            this.pack = pack;
            this.dryRun = dryRun;
        }

        PackageSync run() throws StripeException {
            Optional<Product> existing = products.find(pack.stripeProductId());
            if (!pack.active()) {
                return archive(existing);
            }
            boolean created = existing.isEmpty();
            String productId = created
                    ? products.create(wanted(), dryRun, changes)
                    : products.update(existing.get(), wanted(), dryRun, changes);
            String priceId = ensurePrice(productId);
            PackageSync.Change change = created
                    ? PackageSync.Change.CREATED
                    : changes.isEmpty() ? PackageSync.Change.UNCHANGED : PackageSync.Change.UPDATED;
            return new PackageSync(pack.slug(), change, productId, priceId, String.join("; ", changes));
        }

        private StripeProducts.Wanted wanted() {
            return new StripeProducts.Wanted(
                    pack.name(),
                    pack.description(),
                    SLUG_METADATA,
                    pack.slug(),
                    "tb-product-" + pack.slug() + "-" + pack.id());
        }

        private String ensurePrice(String productId) throws StripeException {
            Optional<Price> current = dryRun && productId.startsWith("(") ? Optional.empty() : activePrice();
            if (current.isPresent() && matches(current.get(), productId)) {
                return current.get().getId();
            }
            changes.add(
                    current.isPresent()
                            ? "price replaced (" + current.get().getUnitAmount() + " → "
                                    + pack.price().minorUnits() + ")"
                            : "price created");
            if (dryRun) {
                return "(new price)";
            }
            // Prices are immutable: a new one takes over the lookup key, then the old one is archived.
            String key = "tb-price-" + pack.slug() + "-" + pack.price().minorUnits() + "-"
                    + pack.price().stripeCurrency() + "-" + productId + "-"
                    + current.map(Price::getId).orElse("first");
            Price created = client.v1()
                    .prices()
                    .create(
                            PriceCreateParams.builder()
                                    .setProduct(productId)
                                    .setUnitAmount(pack.price().minorUnits())
                                    .setCurrency(pack.price().stripeCurrency())
                                    .setLookupKey(pack.slug())
                                    .setTransferLookupKey(true)
                                    .putMetadata(SLUG_METADATA, pack.slug())
                                    .build(),
                            idempotent(key));
            if (current.isPresent()) {
                client.v1()
                        .prices()
                        .update(
                                current.get().getId(),
                                PriceUpdateParams.builder().setActive(false).build());
            }
            return created.getId();
        }

        private Optional<Price> activePrice() throws StripeException {
            return client
                    .v1()
                    .prices()
                    .list(PriceListParams.builder()
                            .addLookupKey(pack.slug())
                            .setActive(true)
                            .build())
                    .getData()
                    .stream()
                    .findFirst();
        }

        private boolean matches(Price price, String productId) {
            return Objects.equals(price.getUnitAmount(), pack.price().minorUnits())
                    && pack.price().stripeCurrency().equals(price.getCurrency())
                    && productId.equals(price.getProduct())
                    && "one_time".equals(price.getType());
        }

        private PackageSync archive(Optional<Product> product) throws StripeException {
            if (product.isEmpty()) {
                return new PackageSync(pack.slug(), PackageSync.Change.UNCHANGED, "", "", "inactive, not on Stripe");
            }
            String priceId = pack.stripePriceId().orElse("");
            if (!products.archive(product.get(), dryRun)) {
                return new PackageSync(
                        pack.slug(), PackageSync.Change.UNCHANGED, product.get().getId(), priceId, "already archived");
            }
            return new PackageSync(
                    pack.slug(), PackageSync.Change.ARCHIVED, product.get().getId(), priceId, "product archived");
        }
    }
}
