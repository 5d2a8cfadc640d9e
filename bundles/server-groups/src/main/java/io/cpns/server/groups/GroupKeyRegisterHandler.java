package io.cpns.server.groups;

import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.GroupKeyRegister;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code group.key.register}: a group's Group Key Manager renewed the key itself and registers it
 * (seed 003 §5.3.2). Called on the manager's session thread; never waits for the group.
 */
@Component(property = RequestHandler.TYPE + "=group.key.register")
public class GroupKeyRegisterHandler implements RequestHandler {
    private final GroupRegistryComponent groups;

    @Activate
    public GroupKeyRegisterHandler(@Reference(name = "groups") GroupRegistryComponent groups) {
        this.groups = groups;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        groups.register(from, (GroupKeyRegister) request.body());
        return new Ack();
    }
}
