package io.cpns.api.gateway;

import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;

/**
 * Handles one type of request arriving from PNEs at the PN GW. Register as an OSGi service with
 * {@value #TYPE} = the wire name (whiteboard), like the Server's handlers. A handler may complete
 * much later (a PN Setup Request is answered when the whole establishment is done).
 */
public interface PneRequestHandler {
    String TYPE = "cpns.message.type";

    /** @return the response, or a stage failed with a {@link io.cpns.api.CpnsException} */
    CompletionStage<Message> handle(PneMessage request);
}
