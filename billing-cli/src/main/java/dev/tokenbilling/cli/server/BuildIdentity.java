package dev.tokenbilling.cli.server;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Which build of the CLI a JVM runs: every class path entry with its size and modification time. A
 * command server serves only clients of its own build, so a rebuilt jar never runs on an old server.
 */
final class BuildIdentity {

    private BuildIdentity() {}

    static String current() {
        return of(System.getProperty("java.class.path", ""));
    }

    static String of(String classPath) {
        StringBuilder identity = new StringBuilder();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath();
            identity.append(path);
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
                identity.append('|')
                        .append(attributes.size())
                        .append('|')
                        .append(attributes.lastModifiedTime().toMillis());
            } catch (IOException e) {
                identity.append("|missing");
            }
            identity.append('\n');
        }
        return identity.toString();
    }
}
