package io.cpns.server.registry;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.EntityList;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The entity queries on the wire ({@code entity.info.req}, {@code entity.list.req}), authorized by
 * Entity ID + User ID (TS §5.3.4): an entity may read the entities of its own CPNS User, never
 * another user's. Called on the asking session's thread.
 */
@Component(property = {RequestHandler.TYPE + "=entity.info.req", RequestHandler.TYPE + "=entity.list.req"})
public class EntityRequests implements RequestHandler {
    private final EntityRegistry registry;

    @Activate
    public EntityRequests(@Reference EntityRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return switch (request.type()) {
            case ENTITY_INFO_REQUEST -> info(from, (EntityInfoRequest) request.body());
            case ENTITY_LIST_REQUEST -> new EntityList(registry.listByOwner(from.user()).stream().map(EntityRequests::toInfo).toList());
            default -> throw Failures.unavailable(request.type(), "this server");
        };
    }

    private EntityInfo info(Principal from, EntityInfoRequest req) {
        EntityId target;
        try {
            target = EntityId.of(req.entityId());
        } catch (CpnsException e) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, e.getMessage());
        }
        EntityRecord r = registry.find(target)
                .orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no entity " + target));
        if (!from.owns(r.owner())) {
            throw new CpnsException(ErrorCode.FORBIDDEN,
                    from.entity() + " (user " + from.user() + ") may not act on entities of another CPNS User");
        }
        return toInfo(r);
    }

    static EntityInfo toInfo(EntityRecord r) {
        return new EntityInfo(r.id().value(), r.kind(), r.owner().value());
    }
}
