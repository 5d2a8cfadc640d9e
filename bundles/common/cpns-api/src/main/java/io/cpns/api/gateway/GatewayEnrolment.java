package io.cpns.api.gateway;

import org.osgi.annotation.versioning.ProviderType;

/**
 * EUKey assignment to this PN GW (TS §5.3.1): done once, before the first mutual authentication
 * with the CPNS Server, after the Server authenticated the CPNS User who owns the gateway.
 */
@ProviderType
public interface GatewayEnrolment {
    /** Whether this gateway already holds an EUKey (then assignment SHALL NOT happen, §5.3.1). */
    boolean hasEuKey();

    /**
     * Obtains the EUKey from the Server and stores it encrypted at rest. The password is wiped
     * before this method returns.
     *
     * @throws io.cpns.api.CpnsException {@code ALREADY_ASSIGNED} if this gateway or the Server
     *         already has a key for it, {@code AUTH_FAILED} for a wrong User ID or password,
     *         {@code UNAVAILABLE} if the Server cannot be reached
     */
    void assignEuKey(String userId, char[] password);

    /**
     * The password encrypted with PSK1, this PN GW's EUKey (seed 001 §7.x.2.1.1 step 2), for the
     * Subscription & Registration Request; the key never leaves gw-link. The caller wipes
     * {@code password}.
     *
     * @throws io.cpns.api.CpnsException {@code UNAVAILABLE} while this PN GW has no EUKey
     */
    byte[] encryptWithPsk1(byte[] nonce, String userId, char[] password);
}
