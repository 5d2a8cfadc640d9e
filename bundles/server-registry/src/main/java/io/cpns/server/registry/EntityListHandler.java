package io.cpns.server.registry;

import io.cpns.api.message.EntityList;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code entity.list.req}: the entities of the requester's own CPNS User (TS §5.3.4). */
@Component(property = RequestHandler.TYPE + "=entity.list.req")
public class EntityListHandler implements RequestHandler {
    private final EntityRegistry registry;

    @Activate
    public EntityListHandler(@Reference EntityRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return new EntityList(registry.listByOwner(from.user()).stream().map(EntityInfoHandler::toInfo).toList());
    }
}
