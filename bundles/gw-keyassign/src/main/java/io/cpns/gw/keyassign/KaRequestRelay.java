package io.cpns.gw.keyassign;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.Message;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import java.util.concurrent.CompletionStage;

/** {@code ka.req} from a PNE (seed 001 §7.x.2.3.2: "the PN GW SHALL relay"), on a protected link only. */
@Component(property = PneRequestHandler.TYPE + "=ka.req")
public class KaRequestRelay implements PneRequestHandler {
    private final KeyAssignmentGateway gateway;

    @Activate
    public KaRequestRelay(@Reference(name = "gateway") KeyAssignmentGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        if (!request.link().isProtected()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a Key Assignment Request travels only on a protected link");
        }
        return gateway.relay(request);
    }
}
