package io.cpns.pne;

import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link PneClient}'s collaborators need of its current link to the PN GW: requests with the
 * configured timeout, one-way messages, and whether the link is protected (PSK-TLS, the PNE-GW
 * session, or a secure PAN). The link may change underneath (a reconnect with a new key).
 */
interface GatewayLink {
    /** A request to the PN GW with the configured timeout; completes with its response envelope. */
    CompletableFuture<Envelope> request(Message m);

    /** A request with its own timeout (a PN Setup Request waits for the Server and the invitees). */
    CompletableFuture<Envelope> request(Message m, Duration timeout);

    /** The request's answer, waited for: the failure as {@link Futures#join} gives it. Blocks. */
    default Message call(Message m) {
        return Futures.join(request(m)).body();
    }

    /** A one-way message to the PN GW (no answer expected). */
    void send(Message oneway) throws IOException;

    boolean secured();

    /** Whether the PAN itself protects messages (then the PNE-GW link needs no key of its own). */
    boolean panSecure();
}
