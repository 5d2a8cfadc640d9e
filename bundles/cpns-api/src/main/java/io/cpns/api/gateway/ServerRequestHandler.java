package io.cpns.api.gateway;

import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;

/**
 * Handles one type of request the CPNS Server sends to this PN GW on its session (push, e.g.
 * Group Key delivery, seed 003 B.2.1.2). Register as an OSGi service with {@value #TYPE} = the
 * wire name (whiteboard). A ping needs no handler: the link answers it.
 */
public interface ServerRequestHandler {
    String TYPE = "cpns.message.type";

    /** @return the response, or a stage failed with a {@link io.cpns.api.CpnsException} */
    CompletionStage<Message> handle(Message request);
}
