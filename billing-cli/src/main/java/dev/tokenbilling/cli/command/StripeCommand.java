package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code billing stripe ...}: Stripe-only operations. */
@Command(
        name = "stripe",
        description = "Stripe operations: 'billing stripe sync', 'billing stripe webhook-endpoint create'.",
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {StripeSyncCommand.class, WebhookEndpointCommand.class})
public final class StripeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: missing COMMAND");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
