package io.cpns.gw.groupkey;

import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneLinkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** A returning PNE gets the Group Keys (or group trees) it may have missed, unasked. */
@Component
public class LinkUpHandler implements PneLinkListener {
    private final GroupKeyGateway groups;

    @Activate
    public LinkUpHandler(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public void linkUp(PneLink link) {
        groups.linkUp(link);
    }
}
