package io.cpns.server.pn;

import io.cpns.api.message.PnAuthResponse;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code pn.auth.resp}: Authentication responses (seed 004 step 10), answered with the PN Registration Response (steps 11-12). */
@Component(property = RequestHandler.TYPE + "=pn.auth.resp")
public class AuthResponseHandler implements RequestHandler {
    private final PnServer server;

    @Activate
    public AuthResponseHandler(@Reference(name = "server") PnServer server) {
        this.server = server;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return server.authenticate(from, (PnAuthResponse) request.body());
    }
}
