package dev.tokenbilling.boot.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code billing.stripe.secret-key} has text (an empty {@code STRIPE_SECRET_KEY} does not count). */
class OnStripeConfiguredCondition extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String key = Binder.get(context.getEnvironment())
                .bind("billing.stripe.secret-key", String.class)
                .orElse(null);
        return BillingProperties.hasText(key)
                ? ConditionOutcome.match("billing.stripe.secret-key is set")
                : ConditionOutcome.noMatch("billing.stripe.secret-key (STRIPE_SECRET_KEY) is not set");
    }
}
