package io.cpns.gw.groupkey;

import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.ServerLinkListener;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The link to the Server is up (again), or this bundle was just updated while it was: catch up
 * on the changes whose push or notification this PN GW missed ({@code group.sync.req}), then bring
 * the key trees in line. Not before the PN Inventory is there: which members receive by broadcast
 * is in it, and a catch-up decided without it would drop key trees (issue 10). When gw-pn comes
 * (back) while the link is up, this listener registers then, and the catch-up runs then.
 *
 * <p>GroupKeyGateway is obtained when the link comes up (on gw-link's timer thread), and the PN
 * Inventory is only waited for, never obtained here: gw-link activates its listeners while binding
 * them, which may happen while either is itself activating and getting the link, a cycle SCR refuses
 * (D33; seen with gw-pn's RemovalsOnLinkUp at a restart of the secret store). The references still
 * keep this listener away until both are registered.
 */
@Component(reference = @Reference(name = "inventory", service = PnInventory.class)) // only waited for
public class SyncOnLinkUp implements ServerLinkListener {
    @Reference(name = "groups")
    private ComponentServiceObjects<GroupKeyGateway> groups;

    @Override
    public void authenticated() {
        GroupKeyGateway g = groups.getService();
        try {
            g.sync();
        } finally {
            groups.ungetService(g);
        }
    }
}
