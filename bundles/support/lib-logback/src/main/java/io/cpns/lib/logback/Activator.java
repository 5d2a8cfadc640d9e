package io.cpns.lib.logback;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.util.StatusPrinter2;
import java.io.File;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.slf4j.LoggerFactory;

/**
 * Configures this framework's Logback from {@code etc/ROLE/logback.xml} (framework property
 * {@value #CONFIG}) as this bundle starts, first of start level 1, before Apache Felix Logback and
 * any bundle that logs. A framework property, not Logback's system property
 * {@code logback.configurationFile}: the demo runs a gateway and a server in one JVM, each framework
 * with its own copy of this bundle and its own role's file. Called by the framework on its
 * start-level thread; reads one small file.
 */
public final class Activator implements BundleActivator {
    /** Framework property: the logback.xml of this role (etc/ROLE/role.properties). */
    public static final String CONFIG = "cpns.log.config";

    private static volatile BundleContext context;

    /** This framework's context while the bundle is active, else null (for {@link FrameworkProperty}, {@link BundleConverter}). */
    static BundleContext context() {
        return context;
    }

    @Override
    public void start(BundleContext ctx) {
        context = ctx;
        String file = ctx.getProperty(CONFIG);
        LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
        if (file != null && !file.isBlank()) {
            configure(logback, new File(file.trim()));
        }
    }

    @Override
    public void stop(BundleContext ctx) {
        removeJulBridge(ctx);
        ((LoggerContext) LoggerFactory.getILoggerFactory()).stop(); // closes the files, ends the scan task
        context = null;
    }

    /**
     * Apache Felix Logback routes java.util.logging into Logback by adding its {@code SLF4JBridgeHandler}
     * to JUL's root logger, JVM-wide, when its activator class loads, and never removes it. Left there
     * once this framework's Logback is gone (this bundle updated, the framework stopped), every JUL
     * call (Paho, the JDK, a PNE in the same JVM) throws NoClassDefFoundError in its caller's thread.
     * Only this framework's bridge goes: another framework in the JVM (the demo) keeps its own.
     */
    static void removeJulBridge(BundleContext ctx) {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        for (java.util.logging.Handler h : root.getHandlers()) {
            org.osgi.framework.Bundle owner = org.osgi.framework.FrameworkUtil.getBundle(h.getClass());
            if (h.getClass().getName().equals(JUL_BRIDGE) && owner != null && ctx.getBundle(owner.getBundleId()) == owner) {
                root.removeHandler(h);
            }
        }
    }

    private static final String JUL_BRIDGE = "org.slf4j.bridge.SLF4JBridgeHandler";

    /** Replaces Logback's configuration by the file's; Logback prints its status (standard output) when the file has errors or warnings. */
    static void configure(LoggerContext logback, File file) {
        logback.reset();
        JoranConfigurator joran = new JoranConfigurator();
        joran.setContext(logback);
        try {
            joran.doConfigure(file);
        } catch (JoranException e) {
            // printed below with Logback's own status messages
        }
        new StatusPrinter2().printInCaseOfErrorsOrWarnings(logback);
    }
}
