package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.DatabaseUrl;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.embedded.EmbeddedServer;
import dev.tokenbilling.stripe.StripeKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;

/** {@code billing config}: the settings the CLI would use, secrets masked; connects to nothing. */
@Command(
        name = "config",
        description = {"Show the database and Stripe settings in effect, secrets masked.", "Connects to nothing."})
public final class ConfigCommand extends BaseCommand {

    public ConfigCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        Optional<DatabaseUrl> url = context.databaseUrl();
        String database = url.map(DatabaseUrl::toString)
                .orElse("embedded PostgreSQL in "
                        + EmbeddedServer.of(context.environment().variables()).dataDirectory());
        String user = url.flatMap(DatabaseUrl::user).orElse(url.isPresent() ? "(driver default)" : "postgres");
        String password = url.flatMap(DatabaseUrl::password).map(p -> "(set)").orElse("(none)");
        String key = context.stripeKey().map(StripeKeys::mask).orElse("(not set)");
        List<String> secrets =
                context.webhookSecrets().stream().map(StripeKeys::mask).toList();
        String mode = context.stripeKey().map(StripeKeys::mode).orElse("-");
        String publishable = context.publishableKey().map(StripeKeys::mask).orElse("(not set)");
        String problem =
                context.stripeSettingsProblem().map(context.failures()::redact).orElse(null);
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("database", database);
            json.put("databaseUser", user);
            json.put("databasePassword", password);
            json.put("schema", context.options().schema());
            json.put("stripeSecretKey", key);
            json.put("stripeMode", mode);
            var array = json.putArray("stripeWebhookSecrets");
            secrets.forEach(array::add);
            json.put("stripeApiBase", context.stripeLocation());
            json.put("stripePublishableKey", publishable);
            json.put("stripeSettingsError", problem);
            out().document(json);
            return ExitCodes.OK;
        }
        List<String[]> pairs = new ArrayList<>();
        pairs.add(new String[] {"Database", database});
        pairs.add(new String[] {"Database user", user});
        pairs.add(new String[] {"Database password", password});
        pairs.add(new String[] {"Schema", context.options().schema()});
        pairs.add(new String[] {"STRIPE_SECRET_KEY", key + (mode.equals("-") ? "" : " (" + mode + " mode)")});
        pairs.add(new String[] {"STRIPE_WEBHOOK_SECRET", secrets.isEmpty() ? "(not set)" : String.join(", ", secrets)});
        pairs.add(new String[] {"Stripe API", context.stripeLocation()});
        pairs.add(new String[] {"Publishable key", publishable});
        if (problem != null) {
            pairs.add(new String[] {"Stripe settings", out().paint(Output.Style.RED, problem)});
        }
        out().pairs(pairs);
        return ExitCodes.OK;
    }
}
