package io.cpns.server.pn;

import io.cpns.api.message.PnRegisterRequest;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code pn.register.req}: PN Registration Request (seed 004 step 4), answered with the Authentication request (step 5). */
@Component(property = RequestHandler.TYPE + "=pn.register.req")
public class RegisterHandler implements RequestHandler {
    private final PnServer server;

    @Activate
    public RegisterHandler(@Reference(name = "server") PnServer server) {
        this.server = server;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return server.register(from, (PnRegisterRequest) request.body());
    }
}
