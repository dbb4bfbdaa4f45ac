package dev.tokenbilling.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/** {@code main} of the {@code billing} command, and the factory tests use with an injected environment. */
public final class BillingCli {

    private BillingCli() {}

    public static void main(String[] args) {
        System.exit(newCommandLine(CliEnvironment.system()).execute(args));
    }

    /**
     * A ready {@code billing} command line: commands get the shared {@link CliContext} through their
     * constructor; failures map to {@link ExitCodes}; resources close after each execution.
     */
    public static CommandLine newCommandLine(CliEnvironment environment) {
        CliContext context = new CliContext(environment);
        CommandLine commandLine = new CommandLine(BillingCommand.class, new Factory(context));
        Failures failures = context.failures();
        commandLine.setExecutionExceptionHandler(failures);
        commandLine.setExitCodeExceptionMapper(failures);
        commandLine.setParameterExceptionHandler(failures);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(
                environment.terminal()
                                && environment.variable(CliContext.NO_COLOR).isEmpty()
                        ? CommandLine.Help.Ansi.AUTO
                        : CommandLine.Help.Ansi.OFF));
        commandLine.setExecutionStrategy(parseResult -> {
            if (context.options().verbose()) {
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            }
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } finally {
                context.close();
            }
        });
        return commandLine;
    }

    /** Creates commands with the shared context when they take one. */
    static final class Factory implements CommandLine.IFactory {

        private final CliContext context;

        Factory(CliContext context) {
            this.context = context;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> constructor = type.getDeclaredConstructor(CliContext.class);
                constructor.setAccessible(true);
                return constructor.newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
