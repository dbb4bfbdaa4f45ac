package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code billing stripe webhook-endpoint ...}: the application's webhook endpoint at Stripe. */
@Command(
        name = "webhook-endpoint",
        description =
                "The application's webhook endpoint at Stripe: 'billing stripe webhook-endpoint create --url URL'.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = WebhookEndpointCreateCommand.class)
public final class WebhookEndpointCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: missing COMMAND");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
