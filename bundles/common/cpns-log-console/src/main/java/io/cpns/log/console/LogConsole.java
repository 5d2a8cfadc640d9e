package io.cpns.log.console;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
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
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Writes OSGi Log Service entries as one line each:
 * {@code 2026-11-23T21:04:05.123Z INFO  gw-link  message}. Sets the Log Service's root level
 * (R7 defaults to WARN) and hides the framework's own bundle/service events below WARN.
 *
 * <p>This bundle starts with the other CPNS bundles, after its configuration (where to write) is
 * in place, so bundles that start before it have logged already: it first writes the Log
 * Service's history, oldest first, then what arrives, each entry once ({@link Replay}). The
 * history must be large enough ({@code org.apache.felix.log.maxSize}) and the level right from the
 * first bundle on ({@code org.osgi.service.log.admin.loglevel}): both are framework properties of
 * the role (etc/ROLE/role.properties).
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

    static final String HISTORY_SIZE = "org.apache.felix.log.maxSize";

    @Reference
    private LogReaderService reader;

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Reference(service = LogReaderService.class, name = "readerId")
    private Map<String, Object> readerProps;

    @Reference
    private LoggerAdmin loggerAdmin;

    private volatile LogLevel level = LogLevel.INFO;
    private volatile PrintStream out = System.out;
    private Replay replay;
    /** Sequences of replayed entries that may still arrive live (logged while we registered); null once past them. */
    private Set<Long> replayed;

    @Activate
    void activate(Config config, BundleContext context) throws IOException {
        configure(config);
        replay = new Replay(context.getDataFile("replayed"), context.getProperty(Constants.FRAMEWORK_UUID) + "/" + readerProps.get(Constants.SERVICE_ID));
        synchronized (this) { // live entries wait until the history is out
            reader.addLogListener(this);
            replayed = new HashSet<>();
            List<LogEntry> history = replay.unwritten(reader);
            for (LogEntry e : history) {
                write(e);
                replayed.add(e.getSequence());
            }
            if (replay.overflowed(history.size(), context.getProperty(HISTORY_SIZE))) {
                log.warn("the Log Service's history was full ({} entries) when this log console started: earlier lines may be "
                        + "missing; raise the framework property {} in etc/<role>/role.properties", history.size(), HISTORY_SIZE);
            }
        }
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
        replay.remember(); // an updated log console does not write these again
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

    /**
     * Felix Log hands entries to listeners in the order they entered its history: the ones that
     * were replayed already are a prefix of what arrives here.
     */
    @Override
    public synchronized void logged(LogEntry e) {
        if (replayed != null) {
            if (replayed.remove(e.getSequence())) {
                return;
            }
            replayed = null;
        }
        write(e);
    }

    private synchronized void write(LogEntry e) {
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
        out.println(line);
        if (t != null && level.implies(LogLevel.DEBUG)) {
            t.printStackTrace(out);
        } else if (t != null) {
            out.println("    caused by " + t);
        }
        replay.written(e);
    }
}
