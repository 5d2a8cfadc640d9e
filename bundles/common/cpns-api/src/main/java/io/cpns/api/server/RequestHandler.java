package io.cpns.api.server;

import io.cpns.api.dispatch.HandlerTable;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Handles the requests arriving on authenticated sessions at the Server, of the types it owns.
 * Register the flow component itself as this service with {@value #TYPE} = the wire names of
 * those types (multi-valued, whiteboard); the Server's endpoint obtains it on the first such
 * request ({@link HandlerTable}, D33), so a flow is added by installing a bundle.
 *
 * <p><b>Thread</b>: called on the session's own connection thread, synchronously: it may block
 * (on the store, on a request to another entity), but that session's next requests wait meanwhile;
 * other sessions are not held up.
 */
@ConsumerType
public interface RequestHandler {
    /** Service property: the wire names of the handled types (one place: {@link HandlerTable#TYPE}), e.g. {@code entity.info.req}. */
    String TYPE = HandlerTable.TYPE;

    /**
     * @param from    the authenticated sender (the envelope source is already checked to be it)
     * @param request the decrypted request (its type is one of the handler's types)
     * @return the response body
     * @throws io.cpns.api.CpnsException a typed error, sent back to the sender as it is; any other
     *                                   exception goes as INTERNAL "internal server error"
     */
    Message handle(Principal from, Envelope request);
}
