package io.cpns.api.gateway;

import io.cpns.api.dispatch.HandlerTable;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles the requests the CPNS Server sends to this PN GW on its session (push, e.g. Group Key
 * delivery, seed 003 B.2.1.2), of the types it owns. Register the flow component itself as this
 * service with {@value #TYPE} = the wire names of those types (multi-valued, whiteboard); gw-link
 * obtains it on the first such request ({@link HandlerTable}, D33). A ping needs no handler: the
 * link answers it. A flow that also handles PNEs' requests lists both sides' types in the one
 * property and refuses a type it takes only from PNEs with
 * {@link io.cpns.api.dispatch.Failures#unavailable}.
 *
 * <p><b>Thread</b>: called on gw-link's one thread for the Server's requests
 * ({@code cpns-gw-link-server-requests}), never on the link's read loop, one request at a time:
 * it may send requests to the Server or to PNEs, but a long block holds up every later request
 * of the Server. Return a stage and complete it from any thread.
 */
@ConsumerType
public interface ServerRequestHandler {
    /** Service property: the wire names of the handled types (one place: {@link HandlerTable#TYPE}). */
    String TYPE = HandlerTable.TYPE;

    /**
     * @param request the request's body (its type is one of the handler's types)
     * @return the response, or a stage failed with a {@link io.cpns.api.CpnsException} (sent to the Server as it
     *         is; any other failure goes as INTERNAL "internal gateway error")
     */
    CompletionStage<Message> handle(Message request);
}
