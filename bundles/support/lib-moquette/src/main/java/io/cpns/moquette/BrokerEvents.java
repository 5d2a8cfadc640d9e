package io.cpns.moquette;

import java.net.SocketAddress;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What the patched Moquette 0.17 of this bundle tells the broker's owner (a CPNS addition; see
 * lib-moquette's pom for the patched classes). The {@code IAuthenticator} given to
 * {@code Server.startServer} may also implement this interface: then its {@link #refusal} decides
 * every CONNECT, and it is told once of every connection the broker closes, with the reason.
 * Called on Netty's and Moquette's threads: implementations return quickly and never throw.
 */
@ConsumerType
public interface BrokerEvents {
    /**
     * Why a CONNECT with these credentials is refused, or {@code null} to accept it (in place of
     * {@code IAuthenticator.checkValid}, which can only say no).
     */
    String refusal(String clientId, String user, byte[] password);

    /**
     * The broker closes a connection: the client id and user name its CONNECT gave (null before
     * one was read; peer-supplied, so to be escaped before logging), and a short reason, which may
     * quote a decoder's message (peer-supplied too). Once per connection.
     */
    void closing(String clientId, String user, SocketAddress peer, String reason);

    /**
     * Whether a PUBLISH from this user is looked at at all. {@code false}: it is dropped where it is
     * read, never queued on a session loop (a client flooding PUBLISHes then costs no broker memory);
     * a QoS 1 or 2 one gets no acknowledgement, as a PUBLISH the authorizator refuses.
     */
    default boolean mayPublish(String user, String topic) {
        return true;
    }
}
