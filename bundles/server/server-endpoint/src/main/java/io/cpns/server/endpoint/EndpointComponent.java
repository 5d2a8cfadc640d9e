package io.cpns.server.endpoint;

import io.cpns.api.EntityId;
import io.cpns.api.LogThrottle;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.RequestHandler;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.UserRegistry;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Suites;
import io.cpns.pki.DevPki;
import io.cpns.session.tls.ServerCredentials;
import io.cpns.session.tls.TlsServerEndpoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import io.cpns.api.ErrorCode;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The CPNS Server's listener. Every connection is TLS 1.3: with the entity's EUKey as external PSK
 * (its Entity ID as PSK identity), or, for a PN GW without an EUKey yet, with the server
 * certificate (bootstrap, only EUKey assignment allowed). After PSK-TLS the spec's message-level
 * mutual authentication runs (TS §5.3.3.1.1) and every request is protected and authorized by the
 * authenticated Entity ID + User ID (§5.3.4).
 */
@Component(configurationPid = "cpns.server.endpoint", service = ServerEndpoint.class, immediate = true)
@Designate(ocd = EndpointComponent.Config.class)
public class EndpointComponent implements ServerEndpoint {
    @ObjectClassDefinition(name = "CPNS Server endpoint", description = "Where and how the CPNS Server accepts PN GWs.")
    public @interface Config {
        @AttributeDefinition(description = "Address to listen on")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "TCP port (0 = any free port)")
        int port() default 7443;

        @AttributeDefinition(description = "The Server's Entity ID")
        String serverId() default "cpns-server";

        @AttributeDefinition(description = "Server name in the bootstrap certificate (DNS name or IP the gateways dial)")
        String serverName() default "localhost";

        @AttributeDefinition(description = "PEM certificate chain for bootstrap TLS (leaf first). "
                + "Empty = a development CA and certificate generated in ${cpns.data}/pki")
        String certificateFile() default "";

        @AttributeDefinition(description = "PEM PKCS#8 EC private key matching certificateFile")
        String privateKeyFile() default "";

        @AttributeDefinition(description = "Crypto suites accepted for the message-level session (list, or comma-separated)")
        String[] suites() default {"modern-v1", "legacy-v1"};

        @AttributeDefinition(description = "Time allowed for TLS and the mutual authentication (ms)")
        int handshakeTimeoutMillis() default 10000;

        @AttributeDefinition(description = "Connection closed after this long without a message (ms)")
        int idleTimeoutMillis() default 120000;

        @AttributeDefinition(description = "Largest frame accepted (bytes; hard maximum 1 MiB)")
        int maxFrameBytes() default 65536;

        @AttributeDefinition(description = "Most simultaneous connections; more are refused")
        int maxConnections() default 1000;
    }

    private final UserRegistry users;
    private final EntityRegistry entities;
    private final Logger log;
    private final Dispatcher dispatcher = new Dispatcher();
    private final Map<ServerConnection, Boolean> connections = new ConcurrentHashMap<>();
    private final MessageCodec codec;
    private final Settings settings;
    private final TlsServerEndpoint tls;
    private final ServerSocket listener;
    private final ExecutorService threads;
    private final ScheduledExecutorService timer;
    private final ExecutorService notifications = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "cpns-server-session-events");
        t.setDaemon(true);
        return t;
    });
    private final java.util.List<io.cpns.api.server.SessionListener> sessionListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Semaphore slots;
    private final Path generatedCa;
    /** Lines about connections that have not authenticated, per source: a scanner cannot flood the log. */
    private final LogThrottle unauthenticated = new LogThrottle();

    @Activate
    public EndpointComponent(@Reference(name = "users") UserRegistry users,
                             @Reference(name = "entities") EntityRegistry entities,
                             @Reference(name = "log", service = LoggerFactory.class) Logger log,
                             Config config, BundleContext context) throws IOException {
        this.users = users;
        this.entities = entities;
        this.log = log;
        Set<String> suites = new LinkedHashSet<>();
        for (String s : config.suites()) { // a .cfg file gives "a,b" as one string
            Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(suites::add);
        }
        suites.forEach(Suites::byName); // fail activation on an unknown suite name
        this.settings = new Settings(EntityId.of(config.serverId()), suites, config.handshakeTimeoutMillis(),
                config.idleTimeoutMillis(), config.maxFrameBytes());
        this.codec = new MessageCodec(config.maxFrameBytes());

        ServerCredentials credentials;
        if (config.certificateFile().isBlank()) {
            Path dataDir = io.cpns.api.DataDirectory.of(context::getProperty);
            DevPki.PkiFiles pki = DevPki.ensure(dataDir.resolve("pki"), config.serverName(), Duration.ofDays(825));
            credentials = ServerCredentials.fromPem(pki.serverChain(), pki.serverKey());
            generatedCa = pki.caCert().toAbsolutePath();
            log.info("bootstrap TLS uses a generated development CA: give {} to gateways", generatedCa);
        } else {
            credentials = ServerCredentials.fromPem(Path.of(config.certificateFile()), Path.of(config.privateKeyFile()));
            generatedCa = null;
        }
        this.tls = new TlsServerEndpoint(this::euKeyFor, credentials);

        this.slots = new Semaphore(config.maxConnections());
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cpns-server-conn-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.listener = bind(config, log); // before the timer: a taken port leaves nothing behind
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-server-timer");
            t.setDaemon(true);
            return t;
        });
        Thread accept = new Thread(this::acceptLoop, "cpns-server-accept");
        accept.setDaemon(true);
        accept.start();
        log.info("CPNS Server {} listening on {} (suites {})", settings.serverId(), listenAddress(), suites);
    }

    /**
     * The listening socket. A port already taken fails activation (SCR retries on the next
     * configuration change) with one line that says what to do, besides SCR's stack trace.
     */
    private static ServerSocket bind(Config config, Logger log) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(config.host()), config.port()), 128);
            return s;
        } catch (IOException e) {
            s.close();
            log.error("CPNS Server cannot listen on {}:{}: {}: free the port, or change port in cpns.server.endpoint",
                    config.host(), config.port(), e.getMessage());
            throw e;
        }
    }

    @Reference(name = "handlers", service = RequestHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addHandler(ComponentServiceObjects<RequestHandler> h, Map<String, Object> props) {
        dispatcher.add(h, props);
        log.debug("handler for {} added", props.get(RequestHandler.TYPE));
    }

    void removeHandler(ComponentServiceObjects<RequestHandler> h, Map<String, Object> props) {
        dispatcher.remove(h, props);
    }

    @Reference(name = "sessionListeners", service = io.cpns.api.server.SessionListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addSessionListener(io.cpns.api.server.SessionListener l) {
        sessionListeners.add(l);
    }

    void removeSessionListener(io.cpns.api.server.SessionListener l) {
        sessionListeners.remove(l);
    }

    /** On the connection's thread: hand over to the one notification thread, so a slow listener never holds a session. */
    private void authenticated(io.cpns.api.server.Principal who) {
        if (sessionListeners.isEmpty()) {
            return;
        }
        try {
            notifications.execute(() -> sessionListeners.forEach(l -> {
                try {
                    l.authenticated(who);
                } catch (RuntimeException e) {
                    log.error("session listener {} failed for {}", l.getClass().getName(), who.entity(), e);
                }
            }));
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            // the endpoint is stopping: nobody to tell
        }
    }

    private byte[] euKeyFor(String identity) {
        try {
            return entities.euKey(EntityId.of(identity)).orElse(null);
        } catch (RuntimeException e) {
            return null; // not a valid Entity ID, or the database is down: no PSK, the handshake fails
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    log.error("accept failed: {}", e.toString());
                    pause(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                LogThrottle.Decision d = unauthenticated.allow(Sources.of(s.getRemoteSocketAddress()));
                if (d.log()) {
                    log.warn("connection from {} refused: maxConnections reached{}", s.getRemoteSocketAddress(), d.suffix());
                }
                closeQuietly(s);
                continue;
            }
            ServerConnection c = new ServerConnection(s, tls, codec, settings, users, entities, dispatcher, log, timer, unauthenticated,
                    this::authenticated);
            connections.put(c, Boolean.TRUE);
            threads.execute(() -> {
                try {
                    c.run();
                } finally {
                    connections.remove(c);
                    slots.release();
                }
            });
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        closeQuietly(listener);
        connections.keySet().forEach(ServerConnection::close);
        // no interrupt: a request being handled may be writing to the database, and an interrupt
        // closes that FileChannel, which makes H2 close the whole database (the Server's stores
        // failed until a restart). With its socket closed, each connection thread ends by itself.
        threads.shutdown();
        timer.shutdownNow();
        notifications.shutdown();
        if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
            log.warn("CPNS Server endpoint stopping: requests still being handled after 5 s are left to finish");
        }
        dispatcher.stop();
        log.info("CPNS Server endpoint stopped");
    }

    @Override
    public EntityId serverId() {
        return settings.serverId();
    }

    @Override
    public Set<String> suites() {
        return Set.copyOf(settings.suites());
    }

    @Override
    public InetSocketAddress listenAddress() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    @Override
    public Optional<Path> generatedOperatorCa() {
        return Optional.ofNullable(generatedCa);
    }

    @Override
    public List<SessionInfo> sessions() {
        return connections.keySet().stream().map(ServerConnection::info).toList();
    }

    @Override
    public io.cpns.api.message.Message dispatch(io.cpns.api.server.Principal from, io.cpns.api.message.Envelope request) {
        return dispatcher.dispatch(from, request);
    }

    @Override
    public java.util.concurrent.CompletionStage<io.cpns.api.message.Message> request(EntityId entity, io.cpns.api.message.Message m,
                                                                                   java.time.Duration timeout) {
        ServerConnection newest = null;
        for (ServerConnection c : connections.keySet()) { // the entity's latest session: an older one may be dying
            if (entity.equals(c.entity()) && (newest == null || c.since().isAfter(newest.since()))) {
                newest = c;
            }
        }
        if (newest == null) {
            return java.util.concurrent.CompletableFuture.failedFuture(new io.cpns.api.CpnsException(ErrorCode.UNAVAILABLE,
                    entity + " has no session with this Server"));
        }
        java.util.concurrent.CompletableFuture<io.cpns.api.message.Message> f = newest.request(m);
        return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(x -> {
            Throwable c = io.cpns.api.dispatch.Failures.cause(x);
            if (c instanceof java.util.concurrent.TimeoutException) {
                throw new io.cpns.api.CpnsException(ErrorCode.TIMEOUT, entity + " did not answer " + m.getClass().getSimpleName()
                        + " in " + timeout.toMillis() + " ms");
            }
            throw c instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(c);
        });
    }

    @Override
    public int disconnect(EntityId entity) {
        int n = 0;
        for (ServerConnection c : connections.keySet()) {
            if (entity.equals(c.entity())) {
                c.close();
                n++;
            }
        }
        return n;
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
