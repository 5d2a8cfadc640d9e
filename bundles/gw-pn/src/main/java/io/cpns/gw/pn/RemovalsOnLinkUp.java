package io.cpns.gw.pn;

import io.cpns.api.gateway.ServerLinkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The link to the Server is up (again), or gw-pn just started while it was: the expels the Server
 * has not confirmed ({@code pn.member.remove}, journaled) are sent now. Its own component, as
 * gw-groupkey's catch-up: gw-link holds its listeners, gw-pn holds the link.
 */
@Component
public class RemovalsOnLinkUp implements ServerLinkListener {
    private final PnGateway pns;

    @Activate
    public RemovalsOnLinkUp(@Reference(name = "pns") PnGateway pns) {
        this.pns = pns;
    }

    @Override
    public void authenticated() {
        pns.resendRemovals();
    }
}
