package io.cpns.gw.groupkey;

import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.GroupKeyPush;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.key.push} from the CPNS Server. */
@Component(property = ServerRequestHandler.TYPE + "=group.key.push")
public class PushHandler implements ServerRequestHandler {
    private final GroupKeyGateway groups;

    @Activate
    public PushHandler(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public CompletionStage<Message> handle(Message request) {
        return groups.pushed((GroupKeyPush) request);
    }
}
