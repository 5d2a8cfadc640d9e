package io.cpns.server.keyassign;

import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.KaRegisterRequest;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code ka.register.req}: Subscription & Registration (seed 001 §7.x.2.1). */
@Component(property = RequestHandler.TYPE + "=ka.register.req")
public class RegisterHandler implements RequestHandler {
    private final KeyAssignmentServer server;

    @Activate
    public RegisterHandler(@Reference(name = "server") KeyAssignmentServer server) {
        this.server = server;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        server.register(from, (KaRegisterRequest) request.body());
        return new Ack();
    }
}
