package io.cpns.api.message;

import java.util.Objects;

/**
 * One bundle of a gateway's {@link GatewayInventory}.
 *
 * @param state the OSGi state: {@code ACTIVE}, {@code RESOLVED}, {@code INSTALLED}, {@code STARTING}, {@code STOPPING}
 * @param managed whether it came from a committed release (else from the distribution or deploy/)
 */
public record InstalledBundle(String symbolicName, String version, String state, int startLevel, boolean managed) {
    public InstalledBundle {
        Objects.requireNonNull(symbolicName, "symbolicName");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(state, "state");
    }
}
