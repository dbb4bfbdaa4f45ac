package dev.tokenbilling.cli.command;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code billing completion}: a bash completion script, which zsh loads through bashcompinit. */
@Command(
        name = "completion",
        description = {
            "Print a bash/zsh completion script.",
            "Load it in bash with 'source <(billing completion)' (or save it to /etc/bash_completion.d/billing), in zsh with"
                    + " 'autoload -U +X bashcompinit && bashcompinit && source <(billing completion)'."
        })
public final class CompletionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String script = AutoComplete.bash(spec.root().name(), spec.root().commandLine());
        spec.commandLine().getOut().print(script);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
