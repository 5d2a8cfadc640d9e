package io.cpns.gw.keymanager;

import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.message.GroupKeyCreate;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.key.create} from the Server's SMF (seed 003 §5.3.2, distributed topology). */
@Component(property = ServerRequestHandler.TYPE + "=group.key.create")
public class CreateHandler implements ServerRequestHandler {
    private final GroupKeyManagerComponent manager;

    @Activate
    public CreateHandler(@Reference(name = "manager") GroupKeyManagerComponent manager) {
        this.manager = manager;
    }

    @Override
    public CompletionStage<Message> handle(Message request) {
        return CompletableFuture.completedFuture(manager.create((GroupKeyCreate) request));
    }
}
