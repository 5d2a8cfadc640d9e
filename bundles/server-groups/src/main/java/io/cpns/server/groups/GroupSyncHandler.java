package io.cpns.server.groups;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.sync.req}: a PN GW whose link is back catches up on its Service Groups. */
@Component(property = RequestHandler.TYPE + "=group.sync.req")
public class GroupSyncHandler implements RequestHandler {
    private final GroupRegistryComponent groups;

    @Activate
    public GroupSyncHandler(@Reference(name = "groups") GroupRegistryComponent groups) {
        this.groups = groups;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return groups.sync(from);
    }
}
