package io.cpns.server.groups;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.GroupKeyRequest;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.key.req}: a PN GW pulls a Group Key (seed 003 B.2.1.1 steps 9-10). */
@Component(property = RequestHandler.TYPE + "=group.key.req")
public class GroupKeyRequestHandler implements RequestHandler {
    private final GroupRegistryComponent groups;

    @Activate
    public GroupKeyRequestHandler(@Reference(name = "groups") GroupRegistryComponent groups) {
        this.groups = groups;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return groups.pull(from, ((GroupKeyRequest) request.body()).groupId());
    }
}
