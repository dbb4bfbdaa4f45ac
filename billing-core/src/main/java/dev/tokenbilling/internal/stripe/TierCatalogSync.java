package dev.tokenbilling.internal.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Price;
import com.stripe.model.Product;
import com.stripe.net.RequestOptions;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.PriceListParams;
import com.stripe.param.PriceUpdateParams;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.TierSync;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** One tier's sync: its Product, then a recurring Price per interval it is sold by. */
final class TierCatalogSync {

    static final String TIER_METADATA = "tier_slug";

    private final StripeClient client;
    private final StripeProducts products;
    private final SubscriptionTier tier;
    private final boolean dryRun;
    private final List<String> changes = new ArrayList<>();

    TierCatalogSync(StripeClient client, StripeProducts products, SubscriptionTier tier, boolean dryRun) {
        this.client = client;
        this.products = products;
        this.tier = tier;
        this.dryRun = dryRun;
    }

    /** The lookup key of a tier's price: a colon keeps it apart from package slugs, which cannot hold one. */
    static String lookupKey(String slug, BillingInterval interval) {
        return "tier:" + slug + ":" + interval.wireName();
    }

    TierSync run() throws StripeException {
        if (tier.free()) {
            return new TierSync(tier.slug(), PackageSync.Change.UNCHANGED, "", "", "", "free tier, not sold on Stripe");
        }
        Optional<Product> existing = products.find(tier.stripeProductId());
        if (!tier.active()) {
            return archive(existing);
        }
        boolean created = existing.isEmpty();
        String productId = created
                ? products.create(wanted(), dryRun, changes)
                : products.update(existing.get(), wanted(), dryRun, changes);
        String monthly = ensurePrice(productId, BillingInterval.MONTH, tier.monthlyPrice());
        String yearly = tier.yearlyPrice().isPresent()
                ? ensurePrice(
                        productId, BillingInterval.YEAR, tier.yearlyPrice().get())
                : retireYearlyPrice();
        PackageSync.Change change = created
                ? PackageSync.Change.CREATED
                : changes.isEmpty() ? PackageSync.Change.UNCHANGED : PackageSync.Change.UPDATED;
        return new TierSync(tier.slug(), change, productId, monthly, yearly, String.join("; ", changes));
    }

    private StripeProducts.Wanted wanted() {
        return new StripeProducts.Wanted(
                tier.name(),
                tier.description(),
                TIER_METADATA,
                tier.slug(),
                "tb-tier-product-" + tier.slug() + "-" + tier.id());
    }

    private String ensurePrice(String productId, BillingInterval interval, Money amount) throws StripeException {
        Optional<Price> current = dryRun && productId.startsWith("(") ? Optional.empty() : activePrice(interval);
        if (current.isPresent() && matches(current.get(), productId, interval, amount)) {
            return current.get().getId();
        }
        changes.add(interval.wireName() + "ly price "
                + (current.isPresent()
                        ? "replaced (" + current.get().getUnitAmount() + " → " + amount.minorUnits() + ")"
                        : "created"));
        if (dryRun) {
            return "(new price)";
        }
        // Prices are immutable: a new one takes over the lookup key, then the old one is archived.
        String key = "tb-tier-price-" + tier.slug() + "-" + interval.wireName() + "-" + amount.minorUnits() + "-"
                + amount.stripeCurrency() + "-" + productId + "-"
                + current.map(Price::getId).orElse("first");
        Price created = client.v1()
                .prices()
                .create(
                        PriceCreateParams.builder()
                                .setProduct(productId)
                                .setUnitAmount(amount.minorUnits())
                                .setCurrency(amount.stripeCurrency())
                                .setRecurring(PriceCreateParams.Recurring.builder()
                                        .setInterval(
                                                interval == BillingInterval.MONTH
                                                        ? PriceCreateParams.Recurring.Interval.MONTH
                                                        : PriceCreateParams.Recurring.Interval.YEAR)
                                        .build())
                                .setLookupKey(lookupKey(tier.slug(), interval))
                                .setTransferLookupKey(true)
                                .putMetadata(TIER_METADATA, tier.slug())
                                .build(),
                        idempotent(key));
        if (current.isPresent()) {
            deactivate(current.get());
        }
        return created.getId();
    }

    /** A tier no longer sold per year: its yearly price is archived (existing subscribers keep it). */
    private String retireYearlyPrice() throws StripeException {
        if (tier.stripeYearlyPriceId().isEmpty()) {
            return "";
        }
        Optional<Price> current = activePrice(BillingInterval.YEAR);
        if (current.isPresent()) {
            changes.add("yearly price archived");
            if (!dryRun) {
                deactivate(current.get());
            }
        }
        return "";
    }

    private void deactivate(Price price) throws StripeException {
        client.v1()
                .prices()
                .update(
                        price.getId(),
                        PriceUpdateParams.builder().setActive(false).build());
    }

    private Optional<Price> activePrice(BillingInterval interval) throws StripeException {
        return client
                .v1()
                .prices()
                .list(PriceListParams.builder()
                        .addLookupKey(lookupKey(tier.slug(), interval))
                        .setActive(true)
                        .build())
                .getData()
                .stream()
                .findFirst();
    }

    private static boolean matches(Price price, String productId, BillingInterval interval, Money amount) {
        return Objects.equals(price.getUnitAmount(), amount.minorUnits())
                && amount.stripeCurrency().equals(price.getCurrency())
                && productId.equals(price.getProduct())
                && "recurring".equals(price.getType())
                && price.getRecurring() != null
                && interval.wireName().equals(price.getRecurring().getInterval());
    }

    private TierSync archive(Optional<Product> product) throws StripeException {
        if (product.isEmpty()) {
            return new TierSync(tier.slug(), PackageSync.Change.UNCHANGED, "", "", "", "inactive, not on Stripe");
        }
        String monthly = tier.stripeMonthlyPriceId().orElse("");
        String yearly = tier.stripeYearlyPriceId().orElse("");
        if (!products.archive(product.get(), dryRun)) {
            return new TierSync(
                    tier.slug(),
                    PackageSync.Change.UNCHANGED,
                    product.get().getId(),
                    monthly,
                    yearly,
                    "already archived");
        }
        return new TierSync(
                tier.slug(), PackageSync.Change.ARCHIVED, product.get().getId(), monthly, yearly, "product archived");
    }

    private static RequestOptions idempotent(String key) {
        return RequestOptions.builder().setIdempotencyKey(key).build();
    }
}
