package io.cpns.api.server;

import io.cpns.api.EntityId;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** The Server's network endpoint, for operators and tools. */
@ProviderType
public interface ServerEndpoint {
    /** The Server's own Entity ID (destination of every message to the Server). */
    EntityId serverId();

    /** The crypto suites it accepts for secure sessions, PNE sessions (SK_PNE) included. */
    java.util.Set<String> suites();

    /** Where it listens (the real port, also when configured as 0). */
    InetSocketAddress listenAddress();

    /** The operator CA certificate PN GWs need for bootstrap, when the Server generated a development PKI. */
    Optional<Path> generatedOperatorCa();

    /** Live connections. */
    List<SessionInfo> sessions();

    /**
     * A request of the Server's own to a connected PN GW (or PNE) on its latest session: push
     * delivery (seed 003 B.2.1.2). Completes with the answer; {@code UNAVAILABLE} if the entity
     * has no session, {@code TIMEOUT} if it does not answer in time, or the entity's typed error.
     */
    java.util.concurrent.CompletionStage<io.cpns.api.message.Message> request(EntityId entity, io.cpns.api.message.Message request,
                                                                            java.time.Duration timeout);

    /** Closes every connection of {@code entity}; returns how many. */
    int disconnect(EntityId entity);

    /**
     * Dispatches a request to the handler of its type, as if it had arrived on a session of
     * {@code from}: how requests relayed end to end from a PNE are served (TS §5.3.3.1).
     *
     * @throws io.cpns.api.CpnsException the handler's typed error, or {@code UNAVAILABLE}
     */
    io.cpns.api.message.Message dispatch(Principal from, io.cpns.api.message.Envelope request);
}
