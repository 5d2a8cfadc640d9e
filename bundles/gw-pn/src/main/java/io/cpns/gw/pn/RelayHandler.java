package io.cpns.gw.pn;

import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code relay}: a PNE's end-to-end message to the Server, routed by PN ID (TS §5.3.3.1). */
@Component(property = PneRequestHandler.TYPE + "=relay")
public class RelayHandler implements PneRequestHandler {
    private final PnGateway gateway;

    @Activate
    public RelayHandler(@Reference(name = "gateway") PnGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        return gateway.relay(request);
    }
}
