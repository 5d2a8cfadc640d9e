package io.cpns.gw.pn;

import io.cpns.api.gateway.ServerLinkListener;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The link to the Server is up (again), or gw-pn just started while it was: the expels the Server
 * has not confirmed ({@code pn.member.remove}, journaled) are sent now. Its own component, as
 * gw-groupkey's catch-up: gw-link holds its listeners, gw-pn holds the link.
 *
 * <p>{@link PnGateway} is obtained when the link comes up (on gw-link's timer thread), not when this
 * listener is activated: gw-link activates its listeners while binding them, which may happen while
 * PnGateway is itself activating and getting the link, a cycle SCR refuses (D33). The reference still
 * keeps this listener away until PnGateway is registered.
 */
@Component
public class RemovalsOnLinkUp implements ServerLinkListener {
    @Reference(name = "pns")
    private ComponentServiceObjects<PnGateway> pns;

    @Override
    public void authenticated() {
        PnGateway p = pns.getService();
        try {
            p.resendRemovals();
        } finally {
            pns.ungetService(p);
        }
    }
}
