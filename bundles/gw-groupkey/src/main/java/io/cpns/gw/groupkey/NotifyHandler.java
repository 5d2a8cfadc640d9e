package io.cpns.gw.groupkey;

import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.GroupNotify;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.notify} from the CPNS Server. */
@Component(property = ServerRequestHandler.TYPE + "=group.notify")
public class NotifyHandler implements ServerRequestHandler {
    private final GroupKeyGateway groups;

    @Activate
    public NotifyHandler(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public CompletionStage<Message> handle(Message request) {
        return groups.notified((GroupNotify) request);
    }
}
