package io.cpns.gw.groupkey;

import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.tree.req} from a broadcast member that missed Rekeys: its path again, by unicast. */
@Component(property = PneRequestHandler.TYPE + "=group.tree.req")
public class PneTreeRequestHandler implements PneRequestHandler {
    private final GroupKeyGateway groups;

    @Activate
    public PneTreeRequestHandler(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        return CompletableFuture.completedFuture(groups.treeForPne(request));
    }
}
