package io.cpns.gw.groupkey;

import io.cpns.api.gateway.ServerLinkListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The link to the Server is up (again), or this bundle was just updated while it was: catch up
 * on the changes whose push or notification this PN GW missed ({@code group.sync.req}).
 */
@Component
public class SyncOnLinkUp implements ServerLinkListener {
    private final GroupKeyGateway groups;

    @Activate
    public SyncOnLinkUp(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public void authenticated() {
        groups.sync();
    }
}
