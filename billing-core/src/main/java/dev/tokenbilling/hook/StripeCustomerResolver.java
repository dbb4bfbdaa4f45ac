package dev.tokenbilling.hook;

import dev.tokenbilling.model.UserId;
import java.util.Optional;

/** Optional host hook: the Stripe customer a user's PaymentIntents should belong to. */
@FunctionalInterface
public interface StripeCustomerResolver {

    Optional<String> customerFor(UserId userId);
}
