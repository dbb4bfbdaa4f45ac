package dev.tokenbilling.cli.command;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.service.TokenBillingService;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand has: the shared context, its spec, and the output renderer. */
abstract class BaseCommand implements Callable<Integer> {

    protected final CliContext context;

    @Spec
    protected CommandSpec spec;

    private Output output;

    BaseCommand(CliContext context) {
        this.context = context;
    }

    protected Output out() {
        if (output == null) {
            output = context.output(spec);
        }
        return output;
    }

    protected TokenBillingService service() {
        out();
        return context.billing().service();
    }

    protected TokenBilling billingWithStripe(boolean writes) {
        out();
        return context.billingWithStripe(writes);
    }

    @Override
    public final Integer call() throws Exception {
        out();
        return run();
    }

    protected abstract int run() throws Exception;
}
