package io.cpns.keystore.internal;

import java.nio.file.Path;
import org.osgi.framework.BundleContext;

final class DataDir {
    private DataDir() {
    }

    /** The runtime's data directory: framework property {@code cpns.data}, else {@code ./data}. */
    static Path of(BundleContext context) {
        String d = context.getProperty("cpns.data");
        return Path.of(d == null || d.isBlank() ? "data" : d);
    }
}
