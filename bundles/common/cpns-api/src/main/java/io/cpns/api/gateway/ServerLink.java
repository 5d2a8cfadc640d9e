package io.cpns.api.gateway;

import io.cpns.api.message.Message;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The PN GW's secure link to the CPNS Server (TS §5.3.3.1: the GW-Server secure session). Requests
 * are sent protected by the message-level session over PSK-TLS.
 */
@ProviderType
public interface ServerLink {
    LinkStatus status();

    /**
     * Sends {@code request} to the Server and completes with its response body. Completes
     * exceptionally with a {@link io.cpns.api.CpnsException}: the peer's typed error,
     * {@code UNAVAILABLE} when the link is not authenticated, {@code TIMEOUT} after {@code timeout}.
     */
    CompletionStage<Message> request(Message request, Duration timeout);

    /** Drops the current connection and reconnects at once (operator command). */
    void reconnect();

    /** Where the CPNS Server listens (the bootstrap endpoint PNE tunnels lead to). */
    java.net.InetSocketAddress serverAddress();

    /** The CPNS Server's Entity ID. */
    io.cpns.api.EntityId serverId();

    /**
     * The credential module ({@link io.cpns.api.credential.CredentialModule#description()}) the
     * current session with the Server was established with, while that module is still present and
     * holds the EUKey; empty when there is no session, or it was established from the keystore's
     * EUKey. TS §5.3.3.2 condition 2: the PN GW "uses the module for secure communication with CPNS
     * Server". Called from any thread; does not block beyond one query of the module.
     */
    default java.util.Optional<String> credentialModule() {
        return java.util.Optional.empty();
    }
}
