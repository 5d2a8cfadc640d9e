package io.cpns.launcher;

import java.lang.management.ManagementFactory;

/** Start-up phase times since JVM start, printed when {@code CPNS_TRACE_START} is set (docs/operator-guide.md). */
final class Trace {
    private static final boolean ON = System.getenv("CPNS_TRACE_START") != null;

    private Trace() {
    }

    /** Each bundle's STARTED event, to see which one costs start-up time. */
    static void bundles(org.osgi.framework.BundleContext ctx) {
        if (ON) {
            ctx.addBundleListener(e -> {
                if (e.getType() == org.osgi.framework.BundleEvent.STARTED) {
                    mark("  started " + e.getBundle().getSymbolicName());
                }
            });
        }
    }

    static void mark(String phase) {
        if (ON) {
            long ms = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.printf("[start +%5d ms] %s%n", ms, phase);
        }
    }
}
