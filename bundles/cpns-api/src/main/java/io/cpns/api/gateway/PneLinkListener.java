package io.cpns.api.gateway;

/**
 * Told when a PNE's link to this PN GW becomes authenticated (whiteboard: register as a service),
 * e.g. to give a returning PNE what it missed while away. Called on a PN GW thread, not the
 * link's, one listener at a time: return quickly.
 */
public interface PneLinkListener {
    void linkUp(PneLink link);
}
