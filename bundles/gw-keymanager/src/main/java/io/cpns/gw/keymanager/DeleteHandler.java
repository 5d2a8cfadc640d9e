package io.cpns.gw.keymanager;

import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupKeyDelete;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.key.delete} from the Server: a group managed here was deleted or handed to another manager. */
@Component(property = ServerRequestHandler.TYPE + "=group.key.delete")
public class DeleteHandler implements ServerRequestHandler {
    private final GroupKeyManagerComponent manager;

    @Activate
    public DeleteHandler(@Reference(name = "manager") GroupKeyManagerComponent manager) {
        this.manager = manager;
    }

    @Override
    public CompletionStage<Message> handle(Message request) {
        manager.forget(((GroupKeyDelete) request).groupId());
        return CompletableFuture.completedFuture(new Ack());
    }
}
