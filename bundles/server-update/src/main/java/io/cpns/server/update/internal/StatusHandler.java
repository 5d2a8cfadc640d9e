package io.cpns.server.update.internal;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code update.status} from a PN GW: recorded once per (gateway, rollout, state), answered with
 * ack (also for a repeat). Called on the gateway's session thread; blocks on the database only.
 */
@Component(property = RequestHandler.TYPE + "=update.status")
public class StatusHandler implements RequestHandler {
    private final UpdateComponent updates;

    @Activate
    public StatusHandler(@Reference(name = "updates") UpdateComponent updates) {
        this.updates = updates;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return updates.status(from, (UpdateStatus) request.body());
    }
}
