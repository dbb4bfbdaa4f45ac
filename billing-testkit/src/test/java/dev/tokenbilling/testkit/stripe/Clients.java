package dev.tokenbilling.testkit.stripe;

import com.stripe.StripeClient;

/** stripe-java clients pointed at a FakeStripe, as users configure them. */
final class Clients {
    private Clients() {}

    static StripeClient secret(FakeStripe fake) {
        return withKey(fake, fake.secretKey());
    }

    static StripeClient withKey(FakeStripe fake, String key) {
        return StripeClient.builder()
                .setApiKey(key)
                .setApiBase(fake.apiBase())
                .setConnectBase(fake.apiBase())
                .setFilesBase(fake.apiBase())
                .build();
    }

    static StripeClient withReadTimeout(FakeStripe fake, int millis) {
        return StripeClient.builder()
                .setApiKey(fake.secretKey())
                .setApiBase(fake.apiBase())
                .setReadTimeout(millis)
                .setMaxNetworkRetries(0)
                .build();
    }
}
