package io.cpns.gw.mqtt;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.LogThrottle;
import io.cpns.api.Strings;
import io.cpns.moquette.BrokerEvents;
import io.moquette.broker.BrokerInternals;
import io.moquette.broker.RoutingResults;
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import io.moquette.broker.security.IAuthenticator;
import io.moquette.broker.security.IAuthorizatorPolicy;
import io.moquette.broker.subscriptions.Topic;
import io.moquette.interception.AbstractInterceptHandler;
import io.moquette.interception.messages.InterceptExceptionMessage;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttQoS;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.log.Logger;

/**
 * Moquette 0.17 in this runtime (patched in lib-moquette: decisions.md D38). Only the PN GW
 * publishes, from inside (no MQTT user can write); a PNE connects as its granted user with client
 * id = user name (so no PNE can take over another one's session) and reads only its granted
 * topics. Moquette asks the policy on every CONNECT and SUBSCRIBE and on the re-subscriptions of a
 * resumed session, without caching. Every connection the broker ends is logged in one line with
 * its reason ({@link BrokerEvents}), at most a few a minute per peer address.
 */
final class EmbeddedBroker implements GroupBrokerComponent.Backend, IAuthenticator, IAuthorizatorPolicy, BrokerEvents {
    /** The client id Moquette attributes the PN GW's own messages to (no MQTT connection has it). */
    private static final String GATEWAY = "cpns-gw";

    private final Grants grants = new Grants();
    private final Server server = new Server();
    private final Logger log;
    private final BrokerInternals internals;
    private final LogThrottle closings = new LogThrottle();
    private final LogThrottle loopErrors = new LogThrottle();
    /** Why the PN GW is dropping a client, for the line its connection's end is logged with. */
    private final Map<String, String> dropping = new ConcurrentHashMap<>();
    private final int port;
    private final String uri;

    private EmbeddedBroker(GroupBrokerComponent.Config config, int port, Logger log) throws IOException {
        this.log = log;
        String host = config.host();
        Properties p = new Properties();
        p.setProperty("host", host);
        p.setProperty("port", Integer.toString(port));
        // checked by Netty's MQTT decoder from the fixed header on (>= 4.1.134, CVE-2026-44248)
        p.setProperty("netty.mqtt.message_size", Integer.toString(config.maxMessageBytes()));
        // a home's PNEs all reconnect at once after a restart: 0.17's 128 pending TCP connections and
        // 1024 commands per session loop overflowed with ~1000 (SYNs dropped, commands lost). Each
        // queued command may hold a packet of up to maxMessageBytes: 4096 a loop bounds that memory
        p.setProperty("netty.so_backlog", "1024");
        p.setProperty("session_queue_size", "4096");
        p.setProperty("websocket_port", "disabled");
        p.setProperty("allow_anonymous", "false");
        p.setProperty("persistence_enabled", "false"); // the PN GW re-grants and republishes when it restarts
        p.setProperty("telemetry_enabled", "false");   // else Moquette reports to its authors over the Internet
        p.setProperty("netty.epoll", "false");         // the epoll transport is not shipped
        p.setProperty("immediate_buffer_flush", "true");
        try {
            server.startServer(new MemoryConfig(p), List.of(new LoopErrors()), null, this, this);
        } catch (IOException | RuntimeException e) {
            server.stopServer(); // a failed bind leaves Moquette's threads running
            throw e;
        }
        try {
            this.internals = BrokerInternals.of(server);
        } catch (IllegalStateException e) {
            server.stopServer();
            throw new IOException(e.getMessage(), e);
        }
        this.port = port;
        String h = host.contains(":") ? "[" + host + "]" : host;
        this.uri = config.advertisedUri().isBlank() ? "tcp://" + h + ":" + this.port : config.advertisedUri();
    }

    /**
     * Port 0 (tests, a second gateway on one host) means a free port chosen here, tried up to three
     * times: Moquette reports the port it bound for 0 only through a HashMap its event loop writes
     * (no happens-before for the reader), and a reader once waited 5 s in vain on a loaded machine.
     */
    static EmbeddedBroker start(GroupBrokerComponent.Config config, Logger log) {
        String host = config.host();
        int port = config.port();
        if (config.maxMessageBytes() < 256 || config.maxMessageBytes() > 268_435_455) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "cpns.gw.broker maxMessageBytes must be 256 to 268435455 (MQTT's "
                    + "largest), not " + config.maxMessageBytes());
        }
        long t0 = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            int p = port;
            try {
                p = port != 0 ? port : freePort(host);
                EmbeddedBroker b = new EmbeddedBroker(config, p, log);
                log.info("MQTT broker (embedded Moquette {}) listening on {}:{}, started in {} ms, PNEs connect to {}",
                        Server.MOQUETTE_VERSION, host, b.port, (System.nanoTime() - t0) / 1_000_000, b.uri);
                return b;
            } catch (IOException | RuntimeException e) {
                if (port != 0 || attempt == 3) { // a configured port in use is the operator's to fix
                    throw new CpnsException(ErrorCode.UNAVAILABLE, "MQTT broker cannot listen on " + host + ":" + p, e);
                }
            }
        }
    }

    private static int freePort(String host) throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return s.getLocalPort();
        }
    }

    @Override
    public String uri() {
        return uri;
    }

    /** For tests that reach into Moquette's session loops. */
    BrokerInternals internals() {
        return internals;
    }

    /**
     * At QoS 0 and never retained (decisions.md D42). Moquette 0.17 releases the buffer of a retained
     * message it sends at QoS 1 once too often: the subscriber's PUBACK then hits a freed buffer
     * (IllegalReferenceCountException) and the session event loop thread handling it dies, so its
     * clients get nothing more (2 of the 2 loops died in a 200-PNE load run). Any subscriber could
     * set that off with a QoS 1 subscription, and Moquette stores no retained message published at
     * QoS 0, so this broker keeps none: members catch up by unicast when they reconnect.
     */
    @Override
    public void publish(String topic, byte[] payload, boolean retain) {
        RoutingResults r;
        try {
            r = server.internalPublish(MqttMessageBuilders.publish().topicName(topic).retained(false)
                    .qos(MqttQoS.AT_MOST_ONCE).payload(Unpooled.copiedBuffer(payload)).build(), GATEWAY);
        } catch (IllegalStateException stopped) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the embedded MQTT broker is stopped", stopped);
        }
        if (!r.isAllSuccess()) {
            log.warn("MQTT message on {} not queued for every subscriber (their queues are full)", topic);
        }
    }

    /** The granted users subscribed to {@code topic} on a live connection (the client id is the user name). */
    @Override
    public Optional<Set<String>> subscribers(String topic) {
        try {
            return Optional.of(internals.connectedSubscribers(topic));
        } catch (IllegalStateException stopped) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the embedded MQTT broker is stopped", stopped);
        }
    }

    @Override
    public void grant(String user, char[] password, Set<String> topics) {
        Grants.Grant next = Grants.of(password, topics);
        // the new grant is in force before the connection closes, so the reconnect meets it
        if (grants.put(user, next).map(before -> before.narrowedBy(next)).orElse(false)) {
            drop(user, "its grant changed");
        }
    }

    @Override
    public void revoke(String user) {
        grants.remove(user);
        drop(user, "its grant was revoked");
    }

    /**
     * Closes the connection of a client and purges its session, on the session event loop thread
     * Moquette serialises that client's work on. Its Server.disconnectClient and
     * disconnectAndPurgeClientState run on the caller's thread instead: they race with that loop.
     */
    private void drop(String clientId, String why) {
        boolean queued = internals.onSessionLoop(clientId, "cpns drop", () -> {
            try {
                // Moquette cannot drop an offline session (NullPointerException); an offline
                // persistent one has its subscriptions checked against the grant when it resumes
                if (server.listConnectedClients().stream().anyMatch(c -> c.getClientID().equals(clientId))) {
                    dropping.put(clientId, why);
                    server.disconnectAndPurgeClientState(clientId);
                }
            } catch (RuntimeException e) {
                log.warn("MQTT client {} not disconnected: {}", Strings.printable(clientId), e.toString());
            } finally {
                dropping.remove(clientId);
            }
            return null;
        });
        if (!queued) {
            log.error("MQTT client {} not disconnected ({}): the broker's session queue is full", Strings.printable(clientId), why);
        }
    }

    @Override
    public void close() {
        server.stopServer();
        log.info("MQTT broker (embedded) on {} stopped", uri);
    }

    /** {@link IAuthenticator}: what Moquette would ask without {@link #refusal}. */
    @Override
    public boolean checkValid(String clientId, String user, byte[] password) {
        return refusal(clientId, user, password) == null;
    }

    /** {@link BrokerEvents}: called on every CONNECT; the reason is logged with the connection's end. */
    @Override
    public String refusal(String clientId, String user, byte[] password) {
        if (!grants.authenticates(user, password)) {
            return "unknown user or wrong password";
        }
        if (!user.equals(clientId)) {
            return "the client id must be the user name"; // else one PNE could take over another's session
        }
        return null;
    }

    /** {@link BrokerEvents}: one line per connection the broker ends, peer strings escaped, a few a minute per address. */
    @Override
    public void closing(String clientId, String user, SocketAddress peer, String reason) {
        String why = clientId == null ? null : dropping.get(clientId);
        String from = peer instanceof InetSocketAddress a ? a.getHostString() : String.valueOf(peer);
        LogThrottle.Decision d = closings.allow(from);
        if (d.log()) {
            log.info("MQTT connection from {} (client {}, user {}) closed by the broker: {}{}", peer, printable(clientId),
                    printable(user), why != null ? why : Strings.printable(reason), d.suffix());
        }
    }

    private static String printable(String peerString) {
        return peerString == null ? "-" : "'" + Strings.printable(peerString) + "'";
    }

    /** {@link IAuthorizatorPolicy}: nobody publishes over MQTT, the PN GW publishes internally. */
    @Override
    public boolean canWrite(Topic topic, String user, String client) {
        return false;
    }

    /** {@link BrokerEvents}: the same, decided where the PUBLISH is read, before it takes room in a queue. */
    @Override
    public boolean mayPublish(String user, String topic) {
        return false;
    }

    @Override
    public boolean canRead(Topic topic, String user, String client) {
        return grants.mayRead(user, topic.toString());
    }

    /** A command on one of Moquette's session loops failed: the patched loop goes on, the PN GW says so once in a while. */
    private final class LoopErrors extends AbstractInterceptHandler {
        @Override
        public String getID() {
            return "cpns-loop-errors";
        }

        @Override
        public Class<?>[] getInterceptedMessageTypes() {
            return new Class<?>[] {InterceptExceptionMessage.class};
        }

        @Override
        public void onSessionLoopError(Throwable error) {
            LogThrottle.Decision d = loopErrors.allow(error.getClass().getName());
            if (d.log()) {
                log.warn("MQTT broker: a session command failed and was skipped: {}{}", Strings.printable(String.valueOf(error)), d.suffix());
            }
        }
    }
}
