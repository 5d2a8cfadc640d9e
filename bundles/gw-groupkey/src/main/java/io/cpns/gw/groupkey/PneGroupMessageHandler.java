package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code group.msg} from a member PNE (TS §5.3.3.2), on a protected link only. */
@Component(property = PneRequestHandler.TYPE + "=group.msg")
public class PneGroupMessageHandler implements PneRequestHandler {
    private final GroupKeyGateway groups;

    @Activate
    public PneGroupMessageHandler(@Reference(name = "groups") GroupKeyGateway groups) {
        this.groups = groups;
    }

    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        if (!PneDelivery.protectedLink(request.link())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "group messages travel only on a protected link");
        }
        groups.relay().fromPne((GroupMsg) request.envelope().body(), request.link());
        return CompletableFuture.completedFuture(new Ack());
    }
}
