package io.cpns.gw.pn;

/** Where the PN GW keeps each PNE's LocalEUKey (gw-pan reads the same alias for the PNE-GW session). */
final class LocalKeys {
    private LocalKeys() {
    }

    static String alias(String pneId) {
        return "lek." + pneId;
    }
}
