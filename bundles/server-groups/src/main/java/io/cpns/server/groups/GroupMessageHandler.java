package io.cpns.server.groups;

import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.msg}: a PN GW passes up a member's message to a Service Group, for the members behind other PN GWs. */
@Component(property = RequestHandler.TYPE + "=group.msg")
public class GroupMessageHandler implements RequestHandler {
    private final GroupRegistryComponent groups;

    @Activate
    public GroupMessageHandler(@Reference(name = "groups") GroupRegistryComponent groups) {
        this.groups = groups;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        groups.forwardMessage(from, (GroupMsg) request.body());
        return new Ack();
    }
}
