package io.cpns.gw.groupkey;

import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.key.req} from a member PNE: it pulls the Group Key it needs (fetched from the Server first for a group delivered on request). */
@Component(property = PneRequestHandler.TYPE + "=group.key.req")
public class PneKeyRequestHandler implements PneRequestHandler {
    private final GroupKeyGateway groups;

    @Activate
    public PneKeyRequestHandler(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        return groups.pulledByPne(request);
    }
}
