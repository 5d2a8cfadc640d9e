package io.cpns.lib.logback;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * {@code %bundle}: the symbolic name of the bundle that logged, the third column of
 * {@code 2026-11-23T21:04:05.123Z INFO  io.cpns.gw.link  message}. A Logback event does not carry the
 * bundle: Apache Felix Logback names an OSGi Log Service entry's logger after the logger the bundle
 * asked for (Declarative Services: the component's class), {@code LogService.BSN} for the legacy
 * LogService and {@code Events.Bundle.BSN} etc. for framework events; slf4j clients name theirs after
 * a class. So the column is the bundle whose jar holds that class, else the BSN in the name, else the
 * logger name itself. Called on the logging thread (Felix Log's listener thread for OSGi entries);
 * looks each logger name up once.
 */
public final class BundleConverter extends ClassicConverter {
    private static final String[] EVENT_PREFIXES = {"LogService.", "Events.Bundle.", "Events.Framework.", "Events.Service."};
    private final Map<String, String> columns = new ConcurrentHashMap<>();

    @Override
    public String convert(ILoggingEvent event) {
        String name = event.getLoggerName();
        String cached = columns.get(name);
        if (cached != null) {
            return cached;
        }
        BundleContext ctx = Activator.context();
        String column = column(name, ctx == null ? new Bundle[0] : ctx.getBundles());
        if (ctx != null) {
            columns.put(name, column);
        }
        return column;
    }

    static String column(String loggerName, Bundle[] bundles) {
        for (String p : EVENT_PREFIXES) {
            if (loggerName.startsWith(p)) {
                return loggerName.substring(p.length());
            }
        }
        String entry = loggerName.replace('.', '/') + ".class";
        for (Bundle b : bundles) {
            if (b.getBundleId() != 0 && b.getEntry(entry) != null) {
                return b.getSymbolicName();
            }
        }
        return loggerName;
    }
}
