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
 * <p>Its own component, not GroupKeyGateway's (which is its own handler and PNE link listener):
 * this registration is the gate, present only while the PN Inventory is. GroupKeyGateway is
 * obtained when the link comes up (on gw-link's timer thread) and the PN Inventory only waited
 * for, never obtained here: a listener obtained while either is activating and getting the link
 * is a cycle SCR refuses (D33; gw-link obtains its listeners lazily too, since issue 13).
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
