package io.cpns.server.pn;

import io.cpns.api.message.Relay;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code relay}: A PNE's request to the Server, carried end to end by its PN GW (TS 5.3.3.1). */
@Component(property = RequestHandler.TYPE + "=relay")
public class RelayHandler implements RequestHandler {
    private final PnServer server;

    @Activate
    public RelayHandler(@Reference(name = "server") PnServer server) {
        this.server = server;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return server.relay(from, (Relay) request.body());
    }
}
