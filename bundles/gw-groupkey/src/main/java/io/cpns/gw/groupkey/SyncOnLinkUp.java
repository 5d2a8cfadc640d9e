package io.cpns.gw.groupkey;

import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.ServerLinkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The link to the Server is up (again), or this bundle was just updated while it was: catch up
 * on the changes whose push or notification this PN GW missed ({@code group.sync.req}), then bring
 * the key trees in line. Not before the PN Inventory is there: which members receive by broadcast
 * is in it, and a catch-up decided without it would drop key trees (issue 10). When gw-pn comes
 * (back) while the link is up, this listener registers then, and the catch-up runs then.
 */
@Component
public class SyncOnLinkUp implements ServerLinkListener {
    private final GroupKeyGateway groups;

    @Activate
    public SyncOnLinkUp(@Reference(name = "groups") GroupKeyGateway groups, @Reference(name = "inventory") PnInventory inventory) {
        this.groups = groups;
    }

    @Override
    public void authenticated() {
        groups.sync();
    }
}
