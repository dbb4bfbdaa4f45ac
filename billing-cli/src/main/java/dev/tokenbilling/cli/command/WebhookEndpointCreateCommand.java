package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.DatabaseUrl;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.stripe.StripeAccount;
import dev.tokenbilling.stripe.StripeAccount.CreatedWebhookEndpoint;
import dev.tokenbilling.stripe.StripeAccount.WebhookEndpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code billing stripe webhook-endpoint create --url URL}: registers the endpoint with exactly the
 * event types the library acts on and prints its signing secret, the one time Stripe shows it.
 */
@Command(
        name = "create",
        description = {
            "Register the application's webhook endpoint at Stripe with exactly the events the library needs.",
            "Prints the signing secret once (Stripe never shows it again): set it as STRIPE_WEBHOOK_SECRET."
                    + " Refused when an endpoint at the URL exists already."
        })
public final class WebhookEndpointCreateCommand extends BaseCommand {

    @Option(
            names = "--url",
            required = true,
            paramLabel = "URL",
            description = "The public URL of the application's webhook, e.g. https://shop.example/api/billing/webhook.")
    String url;

    @Option(
            names = "--description",
            paramLabel = "TEXT",
            defaultValue = "token-billing",
            description = "Shown in the Stripe Dashboard (default: ${DEFAULT-VALUE}).")
    String description;

    public WebhookEndpointCreateCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        String target = checkedUrl(url);
        StripeAccount account = TokenBilling.stripeAccount(context.stripeApi(true));
        Optional<WebhookEndpoint> existing = account.webhookEndpoints().stream()
                .filter(endpoint -> target.equals(endpoint.url()))
                .findFirst();
        if (existing.isPresent()) {
            // A second endpoint signs with a secret of its own: half the deliveries would fail with "Invalid
            // signature".
            throw CliException.failed("Stripe has a webhook endpoint at " + target + " already ("
                    + existing.get().id() + "): 'billing doctor --webhook-url " + target
                    + "' checks it; to start over, delete it in Stripe Dashboard > Developers > Webhooks first");
        }
        Set<String> events = new TreeSet<>(TokenBilling.handledEventTypes());
        CreatedWebhookEndpoint created = account.createWebhookEndpoint(target, events, description);
        WebhookEndpoint endpoint = created.endpoint();
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("id", endpoint.id());
            json.put("url", endpoint.url());
            json.put("status", endpoint.status());
            ArrayNode array = json.putArray("enabledEvents");
            endpoint.enabledEvents().forEach(array::add);
            json.put("secret", created.secret());
            out().document(json);
            return ExitCodes.OK;
        }
        out().line(
                        Style.GREEN,
                        "✅ Registered webhook endpoint " + endpoint.id() + " at " + endpoint.url() + " for "
                                + endpoint.enabledEvents().size() + " event types:");
        endpoint.enabledEvents().forEach(type -> out().line("   " + type));
        out().line("");
        out().line("Signing secret, shown this once (Stripe never shows it again):");
        out().line("   " + created.secret());
        out().line("Set it where the application runs: STRIPE_WEBHOOK_SECRET=<the secret above>");
        return ExitCodes.OK;
    }

    /** An absolute http(s) URL; Stripe itself refuses plain http for live endpoints. */
    private static String checkedUrl(String text) {
        try {
            URI uri = new URI(text.trim());
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new URISyntaxException(text, "not an http(s) URL");
            }
            return uri.toString();
        } catch (URISyntaxException e) {
            throw CliException.usage("--url '" + DatabaseUrl.redact(text)
                    + "' is not an http(s) URL, e.g. https://shop.example/api/billing/webhook");
        }
    }
}
