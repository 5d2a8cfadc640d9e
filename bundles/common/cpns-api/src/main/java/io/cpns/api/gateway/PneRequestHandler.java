package io.cpns.api.gateway;

import io.cpns.api.dispatch.HandlerTable;
import io.cpns.api.message.Message;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles the requests PNEs send to this PN GW, of the types it owns. Register the flow component
 * itself as this service with {@value #TYPE} = the wire names of those types (multi-valued,
 * whiteboard); gw-pan obtains it on the first such request ({@link HandlerTable}, D33). A flow that
 * also handles the Server's requests lists both sides' types in the one property and refuses a
 * type it takes only from the Server with {@link io.cpns.api.dispatch.Failures#unavailable}.
 *
 * <p><b>Thread</b>: called on the PAN adapter's reader thread of the PNE's link. Do not block:
 * that PNE's next frames wait meanwhile. Return a stage and complete it later from any thread
 * (a PN Setup Request is answered when the whole establishment is done).
 */
@ConsumerType
public interface PneRequestHandler {
    /** Service property: the wire names of the handled types (one place: {@link HandlerTable#TYPE}). */
    String TYPE = HandlerTable.TYPE;

    /**
     * @param request the request, with the link it came on ({@code request.envelope().type()} is one of the handler's types)
     * @return the response, or a stage failed with a {@link io.cpns.api.CpnsException} (sent to the PNE as it is;
     *         any other failure goes as INTERNAL "internal gateway error")
     */
    CompletionStage<Message> handle(PneMessage request);
}
