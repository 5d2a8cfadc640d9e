package io.cpns.testkit;

import java.lang.reflect.Proxy;
import java.util.Map;
import org.osgi.framework.BundleContext;

/** A {@link BundleContext} that answers only {@code getProperty}: all a component reads from it at activation. */
public final class BundleContexts {
    private BundleContexts() {
    }

    /** Framework properties {@code properties}; any other call returns {@code null} (or fails for a primitive). */
    public static BundleContext withProperties(Map<String, String> properties) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "getProperty" -> properties.get((String) args[0]);
                    case "toString" -> "BundleContext" + properties;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> null;
                });
    }
}
