package io.cpns.launcher;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * Waits until FileInstall has turned every configuration file into a Config Admin configuration.
 * The launcher has no Config Admin API on its class path (it lives in a bundle), so it asks through
 * reflection on the service's own interface: {@code listConfigurations("(felix.fileinstall.filename=*)")}.
 */
final class ConfigWait {
    private ConfigWait() {
    }

    static void untilApplied(BundleContext ctx, List<Path> files, Duration timeout) throws Exception {
        if (files.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        int applied = 0;
        while (System.nanoTime() < deadline) {
            applied = count(ctx);
            if (applied >= files.size()) {
                return;
            }
            Thread.sleep(10);
        }
        System.err.println("warning: only " + applied + " of " + files.size() + " configuration files applied after "
                + timeout.toSeconds() + " s (a syntax error in one of " + files + "?); starting anyway");
    }

    private static int count(BundleContext ctx) throws Exception {
        ServiceReference<?> ref = ctx.getServiceReference("org.osgi.service.cm.ConfigurationAdmin");
        if (ref == null) {
            return 0;
        }
        Object cm = ctx.getService(ref);
        try {
            Class<?> api = ref.getBundle().loadClass("org.osgi.service.cm.ConfigurationAdmin");
            Method list = api.getMethod("listConfigurations", String.class);
            Object[] configs = (Object[]) list.invoke(cm, "(felix.fileinstall.filename=*)");
            return configs == null ? 0 : configs.length;
        } finally {
            ctx.ungetService(ref);
        }
    }
}
