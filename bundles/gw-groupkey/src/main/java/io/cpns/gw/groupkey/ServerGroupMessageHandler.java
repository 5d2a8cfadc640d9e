package io.cpns.gw.groupkey;

import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.msg} from the Server: a message to a Service Group from a member elsewhere, or from the Server. */
@Component(property = ServerRequestHandler.TYPE + "=group.msg")
public class ServerGroupMessageHandler implements ServerRequestHandler {
    private final GroupKeyGateway groups;

    @Activate
    public ServerGroupMessageHandler(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public CompletionStage<Message> handle(Message request) {
        GroupMsg m = (GroupMsg) request;
        return groups.readyToRelay(m.groupId()).thenApply(v -> {
            groups.relay().fromServer(m);
            return new Ack();
        });
    }
}
