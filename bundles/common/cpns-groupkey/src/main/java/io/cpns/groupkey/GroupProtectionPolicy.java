package io.cpns.groupkey;

/**
 * TS §5.3.3.2: a message to a Service Group is protected with the Group Key, except towards a
 * member PNE that meets <em>both</em> conditions: (1) it reaches its PN GW over a secure PAN
 * (authenticity, integrity and confidentiality), and (2) that PN GW holds a credential module
 * (SIM/USIM/ISIM) and uses it with the CPNS Server. Either alone is not enough.
 */
public final class GroupProtectionPolicy {
    private GroupProtectionPolicy() {
    }

    /**
     * @param pneOnSecurePan           the PNE's link to its PN GW is on a PAN that protects every message
     * @param gatewayUsesCredentialModule the PN GW's credential module secures its Server link (configured per PN GW)
     * @return whether the Group Key protection may be left out for this PNE
     */
    public static boolean mayOmitGroupKey(boolean pneOnSecurePan, boolean gatewayUsesCredentialModule) {
        return pneOnSecurePan && gatewayUsesCredentialModule;
    }
}
