package io.cpns.api.gateway;

import org.osgi.annotation.versioning.ProviderType;

/**
 * "Pre-assigned keys" for PNEs without UI (seed 004 R01): the key such a PNE and its PN GW share
 * from manufacturing or installation, used instead of a LocalEUKey on a PAN that does not protect
 * messages. Stored in the secret store; the caller wipes its array.
 */
@ProviderType
public interface PreAssignedKeys {
    void set(String pneId, byte[] key);

    boolean remove(String pneId);

    boolean has(String pneId);

    /** A copy of a PNE's pre-assigned key: PSK2 of Key Assignment without UI (seed 001 §7.x.2.2.1). The caller wipes it. */
    java.util.Optional<byte[]> get(String pneId);
}
