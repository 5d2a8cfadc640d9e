package io.cpns.api.server;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;

/**
 * Handles one type of request arriving on an authenticated session at the Server. Register as an
 * OSGi service with property {@value #TYPE} = the wire name of the request type; the Server's
 * endpoint dispatches to it (whiteboard), so a flow is added by installing a bundle.
 */
public interface RequestHandler {
    /** Service property: wire name of the handled message type, e.g. {@code entity.info.req}. */
    String TYPE = "cpns.message.type";

    /**
     * @param from    the authenticated sender (the envelope source is already checked to be it)
     * @param request the decrypted request
     * @return the response body
     * @throws io.cpns.api.CpnsException a typed error, sent back to the sender
     */
    Message handle(Principal from, Envelope request);
}
