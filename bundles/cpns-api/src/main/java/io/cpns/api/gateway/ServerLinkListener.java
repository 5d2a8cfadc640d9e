package io.cpns.api.gateway;

/**
 * Told each time this PN GW's link to the CPNS Server becomes authenticated, and at once when
 * registered while it is (whiteboard: register as a service): e.g. to catch up on what the Server
 * changed while the link was down or the listener's bundle was being updated. Called on a gw-link
 * thread, one listener at a time, never on the link's read loop: it may send requests.
 */
public interface ServerLinkListener {
    void authenticated();
}
