package io.cpns.lib.logback;

import ch.qos.logback.core.PropertyDefinerBase;
import org.osgi.framework.BundleContext;

/**
 * {@code <define name="cpnsData" class="io.cpns.lib.logback.FrameworkProperty"><key>cpns.data</key></define>}
 * in logback.xml: a framework property of this framework (each runtime of the demo's JVM has its
 * own {@code cpns.data}). Evaluated on every (re)configuration, a scan's too, by the thread that
 * configures.
 */
public final class FrameworkProperty extends PropertyDefinerBase {
    private String key;

    public void setKey(String key) {
        this.key = key;
    }

    @Override
    public String getPropertyValue() {
        BundleContext ctx = Activator.context();
        String v = ctx == null || key == null ? null : ctx.getProperty(key);
        return v != null ? v : System.getProperty(key == null ? "" : key);
    }
}
