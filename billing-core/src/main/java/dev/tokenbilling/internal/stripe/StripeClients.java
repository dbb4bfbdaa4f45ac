package dev.tokenbilling.internal.stripe;

import com.stripe.StripeClient;
import dev.tokenbilling.stripe.StripeApi;

/** One {@link StripeClient} per settings, never the static API key; every base URL at the API base when one is set (FakeStripe). */
final class StripeClients {

    private StripeClients() {}

    static StripeClient create(StripeApi settings) {
        StripeClient.StripeClientBuilder builder = StripeClient.builder()
                .setApiKey(settings.secretKey())
                .setConnectTimeout((int) settings.connectTimeout().toMillis())
                .setReadTimeout((int) settings.readTimeout().toMillis())
                .setMaxNetworkRetries(settings.maxNetworkRetries());
        settings.apiBase().ifPresent(base -> {
            String url = base.toString().replaceAll("/+$", "");
            builder.setApiBase(url).setFilesBase(url).setConnectBase(url).setMeterEventsBase(url);
        });
        return builder.build();
    }
}
