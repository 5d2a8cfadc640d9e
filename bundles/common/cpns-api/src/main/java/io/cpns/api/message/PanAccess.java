package io.cpns.api.message;

import java.util.Objects;

/**
 * How to reach a PN GW on one PAN.
 *
 * @param adapter PAN adapter id ({@code ip}, {@code serial}, ...)
 * @param address adapter-specific address ({@code host:port} for ip)
 * @param secure  whether the PAN itself gives authenticity, integrity and confidentiality
 */
public record PanAccess(String adapter, String address, boolean secure) {
    public PanAccess {
        Objects.requireNonNull(adapter, "adapter");
        Objects.requireNonNull(address, "address");
    }
}
