package io.cpns.api.gateway;

import io.cpns.api.EntityId;

/**
 * The aliases of the PN GW's encrypted key store ({@code SecretStore}, files
 * {@code data/gateway/keystore/<alias>.sec}): its on-disk format, so every bundle names them here
 * and nowhere else (docs/architecture.md, "State"). A prefix is followed by an Entity ID, a PN ID or
 * a Service Group ID. No prefix is a prefix of another, so {@code aliases(prefix)} lists one kind.
 */
public final class KeyStoreAliases {
    /** This PN GW's EUKey: {@code euk.<gateway id>} (gw-link; TS §5.3.3.1.1). */
    public static final String EUKEY = "euk.";
    /** A PNE's LocalEUKey: {@code lek.<pne>} (written by gw-pn, read by gw-pan for the PNE-GW session). */
    public static final String LOCAL_EUKEY = "lek.";
    /** A LocalEUKey change not yet settled: {@code lekp.<pne>}, the previous key or "none" (gw-pn, D31). */
    public static final String LOCAL_EUKEY_PENDING = "lekp.";
    /** A PNE's pre-assigned key (PNEs without UI): {@code pak.<pne>} (gw-pan). */
    public static final String PRE_ASSIGNED = "pak.";
    /** The PN Inventory: {@code pn.<pnId>} (gw-pn). */
    public static final String PN_INVENTORY = "pn.";
    /** A PN registration under way: {@code pnreg.<pnId>} (gw-pn, D60). */
    public static final String PN_REGISTRATION = "pnreg.";
    /** An expel the Server has not confirmed: {@code pnrm.<pne>} (gw-pn). */
    public static final String PN_EXPEL = "pnrm.";
    /** A withdrawal the Server has not confirmed: {@code pnwd.<pne>} (gw-pn). */
    public static final String PN_WITHDRAWAL = "pnwd.";
    /** A Service Group's Group Key held for its members: {@code gk.<group>} (gw-groupkey). */
    public static final String GROUP_KEY = "gk.";
    /** A Service Group's key tree and last broadcast: {@code gt.<group>} (gw-groupkey). */
    public static final String GROUP_TREE = "gt.";
    /** A former member not yet told it left: {@code gko.<pne>} (gw-groupkey, D98). */
    public static final String GROUP_OWED = "gko.";
    /** The key of a group this PN GW manages: {@code gkm.<group>} (gw-keymanager). */
    public static final String MANAGED_GROUP_KEY = "gkm.";
    /** The Ed25519 key broadcasts are signed with (gw-groupkey). */
    public static final String BROADCAST_SIGNER = "gwb.signer";
    /** The key each PNE's broker password is derived from (gw-groupkey). */
    public static final String BROADCAST_BROKER = "gwb.broker";

    private KeyStoreAliases() {
    }

    /** {@code euk.<gateway>}: exact, so gw-1 never lists the key of gw-10. */
    public static String euKey(EntityId gateway) {
        return EUKEY + gateway.value();
    }

    /** {@code lek.<pne>}. */
    public static String localEuKey(String pneId) {
        return LOCAL_EUKEY + pneId;
    }

    /** {@code pak.<pne>}. */
    public static String preAssigned(String pneId) {
        return PRE_ASSIGNED + pneId;
    }
}
