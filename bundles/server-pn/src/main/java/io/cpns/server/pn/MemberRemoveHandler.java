package io.cpns.server.pn;

import io.cpns.api.message.PnMemberRemove;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code pn.member.remove}: A PN GW removed a PNE from a PN. */
@Component(property = RequestHandler.TYPE + "=pn.member.remove")
public class MemberRemoveHandler implements RequestHandler {
    private final PnServer server;

    @Activate
    public MemberRemoveHandler(@Reference(name = "server") PnServer server) {
        this.server = server;
    }

    @Override
    public Message handle(Principal from, Envelope request) {
        return server.removeMember(from, (PnMemberRemove) request.body());
    }
}
