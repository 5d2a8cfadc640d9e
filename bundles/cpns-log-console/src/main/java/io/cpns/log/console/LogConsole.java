package io.cpns.log.console;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Writes OSGi Log Service entries as one line each:
 * {@code 2026-11-23T21:04:05.123Z INFO  gw-link  message}. Sets the Log Service's root level
 * (R7 defaults to WARN) and hides the framework's own bundle/service events below WARN.
 */
@Component(configurationPid = "cpns.log.console", immediate = true)
@Designate(ocd = LogConsole.Config.class)
public class LogConsole implements LogListener {
    @ObjectClassDefinition(name = "CPNS log console", description = "Where and how much the runtime logs.")
    public @interface Config {
        @AttributeDefinition(description = "Lowest level written: ERROR, WARN, INFO, DEBUG, TRACE")
        String level() default "INFO";

        @AttributeDefinition(description = "Append to this file instead of standard output (empty = stdout)")
        String file() default "";
    }

    @Reference
    private LogReaderService reader;

    @Reference
    private LoggerAdmin loggerAdmin;

    private volatile LogLevel level = LogLevel.INFO;
    private volatile PrintStream out = System.out;

    @Activate
    void activate(Config config) throws IOException {
        configure(config);
        reader.addLogListener(this);
    }

    @Modified
    void configure(Config config) throws IOException {
        level = LogLevel.valueOf(config.level().trim().toUpperCase());
        loggerAdmin.getLoggerContext(null).setLogLevels(Map.of(Logger.ROOT_LOGGER_NAME, level));
        PrintStream old = out;
        out = config.file().isBlank() ? System.out
                : new PrintStream(new FileOutputStream(config.file(), true), true, StandardCharsets.UTF_8);
        if (old != System.out && old != out) {
            old.close();
        }
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
        if (out != System.out) {
            out.close();
        }
    }

    /** Whether an entry passes the threshold (INFO shows ERROR, WARN and INFO, not DEBUG). */
    static boolean shown(LogLevel threshold, LogLevel entry, String loggerName) {
        if (!threshold.implies(entry)) {
            return false;
        }
        // "BundleEvent STARTED" and friends: noise unless something went wrong
        return loggerName == null || !loggerName.startsWith("Events.") || LogLevel.WARN.implies(entry);
    }

    @Override
    public void logged(LogEntry e) {
        if (!shown(level, e.getLogLevel(), e.getLoggerName())) {
            return;
        }
        Bundle b = e.getBundle();
        StringBuilder line = new StringBuilder(128)
                .append(Instant.ofEpochMilli(e.getTime())).append(' ')
                .append(String.format("%-5s ", e.getLogLevel()))
                .append(b == null ? "-" : b.getSymbolicName()).append("  ")
                .append(e.getMessage());
        Throwable t = e.getException();
        synchronized (this) {
            out.println(line);
            if (t != null && level.implies(LogLevel.DEBUG)) {
                t.printStackTrace(out);
            } else if (t != null) {
                out.println("    caused by " + t);
            }
        }
    }
}
