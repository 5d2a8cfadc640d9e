package io.cpns.gw.pan;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.FailureLimiter;
import io.cpns.api.LogThrottle;
import io.cpns.api.message.Envelope;
import io.cpns.codec.MessageCodec;
import java.util.Optional;
import org.osgi.service.log.Logger;

/** What a {@link Link} needs from the component that owns it. Called on the adapter's reader thread of the link. */
interface LinkHost {
    EntityId gatewayId();

    /** What an Entity ID names, as far as this PN GW knows: itself, its CPNS Server, or else a PNE. */
    EntityKind kindOf(EntityId id);

    /** An Entity ID no PNE may use: the PN GW's, the CPNS Server's (any it was linked to, and {@code cpns-server}), {@code cpns.broadcast}. */
    boolean reserved(EntityId id);

    MessageCodec codec();

    Settings settings();

    Logger log();

    /** One budget of log lines per source address, shared by every link from it. */
    LogThrottle logThrottle();

    /** Failed PNE-GW message-level handshakes, per claimed Entity ID and per source. */
    FailureLimiter handshakeFailures();

    Optional<byte[]> psk(String pneId);

    /** The link now knows which PNE it carries (claimed, or proven if authenticated). */
    void identified(Link link);

    /** A PNE's request to this PN GW (inbound; this PN GW's requests to PNEs are {@code PneMessenger.request}). */
    void requestFromPne(Link link, Envelope request);

    /** A PNE's answer to a request this PN GW sent it. */
    void responseFromPne(Link link, Envelope response);

    void oneWayFromPne(Link link, Envelope message);

    void closed(Link link, String reason);
}
