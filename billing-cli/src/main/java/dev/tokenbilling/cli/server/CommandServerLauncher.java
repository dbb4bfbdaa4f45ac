package dev.tokenbilling.cli.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a command server for a {@code BILLING_HOME} in the background, detached from the command
 * that starts it (its own session when {@code setsid} is there, so a closing terminal does not end it).
 */
public final class CommandServerLauncher {

    /** What the server keeps of the environment: none of the caller's secrets; each command brings its own. */
    private static final List<String> KEPT_VARIABLES =
            List.of("PATH", "HOME", "USER", "LANG", "LC_ALL", "TZ", "TMPDIR");

    private static final Path SETSID = Path.of("/usr/bin/setsid");

    private CommandServerLauncher() {}

    /**
     * Launches {@code mainClass} (which serves {@code files.home()}) on this JVM's class path, unless
     * a server already runs there or commands may not use one; returns at once.
     */
    public static void startInBackground(CommandServerFiles files, Map<String, String> environment, String mainClass) {
        if (!CommandServerFiles.enabled(environment)
                || !files.socketPathFits()
                || files.runningServer().isPresent()) {
            return;
        }
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.isEmpty()) {
            return;
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            command.add(SETSID.toString());
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Long-lived but small: the serial collector, a modest heap, the JDK's class-data sharing.
        command.addAll(List.of("-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto", "-XX:-UsePerfData"));
        command.addAll(List.of("-cp", classPath, mainClass, files.home().toString()));
        try {
            CommandServer.createPrivateDirectory(files.directory());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(files.log().toFile()))
                    .redirectErrorStream(true);
            builder.environment().keySet().retainAll(KEPT_VARIABLES);
            builder.start().getOutputStream().close(); // no input
        } catch (IOException | RuntimeException e) {
            // No server: every command runs in its own process, as with BILLING_COMMAND_SERVER=0.
        }
    }
}
