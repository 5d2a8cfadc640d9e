package io.cpns.gw.pn;

import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code pn.setup.req}: PNE initiated PN Establishment (seed 004 §5.2.1.1). */
@Component(property = PneRequestHandler.TYPE + "=pn.setup.req")
public class SetupRequestHandler implements PneRequestHandler {
    private final PnGateway gateway;

    @Activate
    public SetupRequestHandler(@Reference(name = "gateway") PnGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        return gateway.pneInitiated(request);
    }
}
