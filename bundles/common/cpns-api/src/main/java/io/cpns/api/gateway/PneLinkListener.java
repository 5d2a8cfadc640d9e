package io.cpns.api.gateway;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when a PNE's link to this PN GW becomes authenticated (whiteboard: register as a service,
 * typically the flow component itself; gw-pan obtains it on the first link up, D33), e.g. to give
 * a returning PNE what it missed while away.
 *
 * <p><b>Thread</b>: called on gw-pan's timer thread ({@code cpns-gw-pan-timer}), never on the
 * link's reader thread, one listener and one link at a time: return quickly (hand long work to
 * an executor of your own); a block delays every other listener and gw-pan's timeouts.
 */
@ConsumerType
public interface PneLinkListener {
    void linkUp(PneLink link);
}
