package io.cpns.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.osgi.framework.BundleContext;

/** The runtime's log file as etc/ROLE/logback.xml writes it: {@code <cpns.data>/log/cpns.log}. */
record LogFile(Path path) {
    static LogFile of(BundleContext ctx) {
        return new LogFile(Path.of(ctx.getProperty("cpns.data"), "log", "cpns.log"));
    }

    List<String> lines() {
        try {
            return Files.exists(path) ? Files.readAllLines(path) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String text() {
        return String.join("\n", lines());
    }

    long count(String part) {
        return lines().stream().filter(l -> l.contains(part)).count();
    }
}
