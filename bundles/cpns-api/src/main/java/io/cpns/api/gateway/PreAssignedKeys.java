package io.cpns.api.gateway;

/**
 * "Pre-assigned keys" for PNEs without UI (seed 004 R01): the key such a PNE and its PN GW share
 * from manufacturing or installation, used instead of a LocalEUKey on a PAN that does not protect
 * messages. Stored in the secret store; the caller wipes its array.
 */
public interface PreAssignedKeys {
    void set(String pneId, byte[] key);

    boolean remove(String pneId);

    boolean has(String pneId);
}
