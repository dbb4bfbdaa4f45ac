package dev.tokenbilling.doctor;

import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.stripe.StripeAccount;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every active token package can be bought: there is at least one ("Failed to load token packages"),
 * each has a Stripe price id ("Missing Stripe price IDs"), and with a Stripe key, that price exists,
 * is active and charges the package's amount and currency.
 */
final class PackagesCheck implements Doctor.Check {

    private static final int SHOWN = 3;
    private static final String SYNC = "billing stripe sync";

    @Override
    public String name() {
        return Doctor.PACKAGES;
    }

    @Override
    public CheckResult run(Examination exam) {
        if (exam.service().isEmpty()) {
            return CheckResult.skipped(name(), exam.databaseSkipReason());
        }
        List<TokenPackage> active = exam.service().get().catalog().packages();
        if (active.isEmpty()) {
            return CheckResult.fail(
                    name(),
                    "no active token package: the buy dialog has nothing to show (\"Failed to load token packages\")",
                    "billing seed --with-stripe (or billing seed --catalog FILE --with-stripe)");
        }
        List<String> problems = new ArrayList<>();
        for (TokenPackage pack : active) {
            if (pack.stripePriceId().isEmpty()) {
                problems.add(pack.slug() + " has no Stripe price (\"Missing Stripe price IDs\")");
            }
        }
        Optional<String> skip = exam.stripe().skipReason();
        if (skip.isEmpty()) {
            try {
                StripeAccount account = exam.stripe().account().orElseThrow();
                for (TokenPackage pack : active) {
                    pack.stripePriceId()
                            .flatMap(id -> priceProblem(account, pack, id))
                            .ifPresent(problems::add);
                }
            } catch (BillingException e) {
                return CheckResult.fail(
                        name(),
                        "cannot read the packages' prices at Stripe: " + e.getMessage(),
                        "see " + Doctor.STRIPE_KEYS + ", then run 'billing doctor' again");
            }
        }
        if (!problems.isEmpty()) {
            return CheckResult.fail(name(), summary(problems), SYNC);
        }
        String count = active.size() + " active package" + (active.size() == 1 ? "" : "s");
        return CheckResult.ok(
                name(),
                skip.isEmpty()
                        ? count + ", each with an active Stripe price of its amount and currency"
                        : count + ", each with a Stripe price id; not verified at Stripe: " + skip.get());
    }

    private static Optional<String> priceProblem(StripeAccount account, TokenPackage pack, String priceId) {
        Optional<StripeAccount.Price> found = account.price(priceId);
        if (found.isEmpty()) {
            return Optional.of(pack.slug() + "'s price " + priceId
                    + " does not exist at Stripe (deleted, or made with a key of another account or mode)");
        }
        StripeAccount.Price price = found.get();
        if (!price.active()) {
            return Optional.of(pack.slug() + "'s price " + priceId + " is archived at Stripe");
        }
        boolean sameCurrency = pack.price().stripeCurrency().equalsIgnoreCase(String.valueOf(price.currency()));
        boolean sameAmount = price.unitAmount().isPresent()
                && price.unitAmount().getAsLong() == pack.price().minorUnits();
        if (!sameCurrency || !sameAmount) {
            String stripeAmount = price.unitAmount().isPresent()
                    ? price.unitAmount().getAsLong() + " " + price.currency()
                    : "no fixed amount";
            return Optional.of(pack.slug() + " sells for " + pack.price() + " ("
                    + pack.price().minorUnits() + " "
                    + pack.price().stripeCurrency() + ") but its Stripe price " + priceId + " charges "
                    + stripeAmount);
        }
        return Optional.empty();
    }

    private static String summary(List<String> problems) {
        String shown = String.join("; ", problems.subList(0, Math.min(SHOWN, problems.size())));
        return problems.size() > SHOWN ? shown + "; and " + (problems.size() - SHOWN) + " more" : shown;
    }
}
