package io.cpns.server.keyassign;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code ka.req}: a Key Assignment Request relayed by the PNE's PN GW (seed 001 §7.x.2.3.2-3). */
@Component(property = RequestHandler.TYPE + "=ka.req")
public class KeyRequestHandler implements RequestHandler {
    private final KeyAssignmentServer server;

    @Activate
    public KeyRequestHandler(@Reference(name = "server") KeyAssignmentServer server) {
        this.server = server;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return server.assign(from, (KaRequest) request.body());
    }
}
