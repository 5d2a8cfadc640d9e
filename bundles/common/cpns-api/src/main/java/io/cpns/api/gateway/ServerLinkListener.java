package io.cpns.api.gateway;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told each time this PN GW's link to the CPNS Server becomes authenticated, and at once when
 * registered while it is (whiteboard: register as a service, typically the flow component itself;
 * gw-link obtains it when it first tells it, D33): e.g. to catch up on what the Server changed
 * while the link was down or the listener's bundle was being updated.
 *
 * <p><b>Thread</b>: called on gw-link's timer thread ({@code cpns-gw-link-timer}), never on the
 * link's read loop, one listener at a time: it may send requests to the Server and wait for
 * them, but a long block delays the other listeners and gw-link's reconnect timing.
 */
@ConsumerType
public interface ServerLinkListener {
    void authenticated();
}
