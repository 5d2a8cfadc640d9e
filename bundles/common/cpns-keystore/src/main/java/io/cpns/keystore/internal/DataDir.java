package io.cpns.keystore.internal;

import java.nio.file.Path;
import org.osgi.framework.BundleContext;

final class DataDir {
    private DataDir() {
    }

    /** The runtime's data directory ({@link io.cpns.api.DataDirectory}). */
    static Path of(BundleContext context) {
        return io.cpns.api.DataDirectory.of(context::getProperty);
    }
}
