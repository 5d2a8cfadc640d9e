package io.cpns.gw.pan;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.FailureLimiter;
import io.cpns.api.LogThrottle;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneLinkListener;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import io.cpns.api.message.PanAccess;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.TunnelClose;
import io.cpns.api.message.TunnelData;
import io.cpns.api.message.TunnelOpened;
import io.cpns.api.store.SecretStore;
import io.cpns.codec.MessageCodec;
import io.cpns.pan.spi.PanAdapter;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The PN GW's PAN side. Starts every {@link PanAdapter} service it sees (and stops it when it
 * goes: an adapter bundle can be installed, updated or removed while PNEs on the others stay
 * connected), keeps one {@link Link} per PNE connection, and the routing table from PNE ID to its
 * links. It answers discovery, pings and tunnels itself; every other request goes to the
 * {@link PneRequestHandler} registered for its type (PN establishment lives in gw-pn).
 */
@Component(configurationPid = "cpns.gw.pan", service = {PneMessenger.class, PreAssignedKeys.class, HealthContributor.class}, immediate = true)
@Designate(ocd = PanManager.Config.class)
public class PanManager implements PneMessenger, PreAssignedKeys, LinkHost, HealthContributor {
    @ObjectClassDefinition(name = "CPNS PN GW PAN side", description = "PNE links, their secure sessions, tunnels.")
    public @interface Config {
        @AttributeDefinition(description = "Time allowed for the PNE-GW message-level handshake (ms)")
        int handshakeTimeoutMillis() default 10000;

        @AttributeDefinition(description = "A PNE's EUKey tunnel to the Server closes after this long idle (ms)")
        int tunnelIdleMillis() default 30000;

        @AttributeDefinition(description = "Most EUKey tunnels open at once")
        int maxTunnels() default 16;

        @AttributeDefinition(description = "Most bytes one tunnel may carry (a bootstrap exchange needs a few KiB)")
        int tunnelMaxBytes() default 65536;

        @AttributeDefinition(description = "Suites accepted for PNE-GW message-level sessions (comma-separated)")
        String[] suites() default {"modern-v1", "legacy-v1"};

        @AttributeDefinition(description = "Failed PNE-GW message-level handshakes (wrong key, unknown PNE) per claimed Entity ID "
                + "and per source address that cost nothing; each further one doubles the wait before the next is checked "
                + "(RATE_LIMITED until then)")
        int handshakeFreeFailures() default 5;

        @AttributeDefinition(description = "Wait after the first failed handshake beyond the free ones (ms)")
        int handshakeBackoffMillis() default 1000;

        @AttributeDefinition(description = "Longest wait between handshake attempts of one Entity ID or source (ms); "
                + "a key quiet for this long after its last failure starts afresh")
        int handshakeBackoffMaxMillis() default 300000;

        @AttributeDefinition(description = "A PNE's request whose handler went away less than this long ago (ms; its bundle being"
                + " updated) waits for it to come back before it is refused UNAVAILABLE: a hot update drops no request. 0: refuse at once")
        int handlerWaitMillis() default 5000;
    }

    private final SecretStore secrets;
    private final Keys keys;
    private final Logger log;
    private final EntityId gatewayId;
    private final Settings settings;
    private final MessageCodec codec = new MessageCodec();
    private final ScheduledExecutorService timer;
    private final Map<String, PanAdapter> adapters = new ConcurrentHashMap<>();
    /** Adapters whose id was taken when they came: the next in line starts when the holder goes. */
    private final List<PanAdapter> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<PanConnection, Link> links = new ConcurrentHashMap<>();
    private final Map<EntityId, Set<Link>> routes = new ConcurrentHashMap<>();
    private final Map<String, LazyHandler<PneRequestHandler>> handlers = new ConcurrentHashMap<>();
    /** When the handler of a type went away (nanoTime): a request within handlerWait of it waits for the next one. */
    private final Map<String, Long> handlerGone = new ConcurrentHashMap<>();
    private final Object handlerCame = new Object();
    private volatile boolean stopping;
    /**
     * Adapters start and stop under this lock: SCR binds an adapter on the thread that registered it
     * while it may deactivate this manager on another (a reference reconfigured at start), and an
     * adapter started by a manager that is gone keeps its port.
     */
    private final Object lifecycle = new Object();
    /** Requests of this PN GW to PNEs, by PNE and id, with the link each was sent on. */
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    /** Every Entity ID the CPNS Server was known by (the default, and each server link's): none is a PNE's. */
    private final Set<EntityId> serverIds = new CopyOnWriteArraySet<>(Set.of(DEFAULT_SERVER_ID));
    private final LogThrottle logThrottle = new LogThrottle();
    private final FailureLimiter handshakeFailures;
    private final AtomicLong ids = new AtomicLong(1000);
    private final AtomicInteger tunnels = new AtomicInteger();

    /** gw-link's default {@code serverId}: reserved even before (and while) no server link is bound. */
    static final EntityId DEFAULT_SERVER_ID = EntityId.of("cpns-server");
    /** How long a {@code tunnel.open} waits for the previous tunnel's close under way on another thread. */
    private static final long TUNNEL_CLOSE_WAIT_MILLIS = 2000;

    private volatile ServerLink serverLink;

    private record Pending(Link sentOn, CompletableFuture<PneMessage> answer) {
    }

    @Activate
    public PanManager(@Reference(name = "secrets") SecretStore secrets,
                      @Reference(name = "identity") GatewayIdentity identity,
                      @Reference(name = "log", service = LoggerFactory.class) Logger log,
                      Config config) {
        this.secrets = secrets;
        this.log = log;
        this.keys = new Keys(secrets, log);
        this.gatewayId = identity.id();
        Set<String> suites = new LinkedHashSet<>();
        for (String s : config.suites()) {
            Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(suites::add);
        }
        this.settings = new Settings(Duration.ofMillis(config.handshakeTimeoutMillis()),
                Duration.ofMillis(config.tunnelIdleMillis()), config.maxTunnels(), config.tunnelMaxBytes(), Set.copyOf(suites),
                Duration.ofMillis(Math.max(0, config.handlerWaitMillis())));
        this.handshakeFailures = new FailureLimiter(Math.max(0, config.handshakeFreeFailures()),
                Duration.ofMillis(Math.max(0, config.handshakeBackoffMillis())),
                Duration.ofMillis(Math.max(Math.max(0, config.handshakeBackoffMillis()), config.handshakeBackoffMaxMillis())));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-gw-pan-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** {@code cpns:health}: a PNE's key record that did not read back and is still in quarantine. */
    @Override
    public List<String> problems() {
        return keys.problems();
    }

    /**
     * The handler of {@code type} if it went away a moment ago (its bundle being updated) and comes
     * back within {@code handlerWait} of that; blocks the link's thread meanwhile (that PNE's requests wait, not others').
     *
     * @param going the handler the request found but could not get (SCR was unbinding it: it is released, and its
     *              service unregistered), or null; waited past, for the next one, from now
     */
    private LazyHandler<PneRequestHandler> awaitHandler(String type, LazyHandler<PneRequestHandler> going) {
        Long gone = handlerGone.get(type);
        if (gone == null && going == null) {
            return null;
        }
        long deadline = (going != null ? System.nanoTime() : gone) + settings.handlerWait().toNanos();
        synchronized (handlerCame) {
            LazyHandler<PneRequestHandler> lazy;
            while (((lazy = handlers.get(type)) == null || lazy == going) && !stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(handlerCame, left);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return lazy;
        }
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        synchronized (handlerCame) {
            handlerCame.notifyAll();
        }
        synchronized (lifecycle) { // after a start in progress: it is stopped here, and none begins after
            waiting.clear();
            adapters.values().forEach(this::stopAdapter);
            adapters.clear();
        }
        timer.shutdownNow();
        CpnsException down = new CpnsException(ErrorCode.UNAVAILABLE, "PAN side stopping");
        pending.values().forEach(p -> p.answer().completeExceptionally(down));
    }

    // optional and dynamic: while gw-link is being updated there is no link, and PNE links must stay
    @Reference(name = "serverLink", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindServerLink(ServerLink link) {
        serverIds.add(link.serverId()); // remembered: a PNE may not take the Server's ID while gw-link is away
        serverLink = link;
    }

    void unbindServerLink(ServerLink link) {
        if (serverLink == link) {
            serverLink = null;
        }
    }

    // ---- adapters (dynamic: they come and go) ----

    @Reference(name = "adapters", service = PanAdapter.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addAdapter(PanAdapter adapter) {
        synchronized (lifecycle) {
            if (!stopping) {
                startAdapter(adapter);
            }
        }
    }

    private void startAdapter(PanAdapter adapter) {
        PanAdapter running = adapters.putIfAbsent(adapter.id(), adapter);
        if (running != null) { // links, routes and the CLI name adapters by id: two would be ambiguous
            waiting.add(adapter);
            log.error("PAN adapter id '{}' is already in use by {}: {} not started (it starts if the other goes)",
                    adapter.id(), running.getClass().getName(), adapter.getClass().getName());
            return;
        }
        try {
            adapter.start(new AdapterContext());
            log.info("PAN adapter {} started ({}; {}; max frame {} bytes)", adapter.id(), adapter.addresses(), adapter.security(),
                    adapter.maxFrameBytes());
        } catch (IOException | RuntimeException e) {
            adapters.remove(adapter.id());
            log.error("PAN adapter {} failed to start: {}", adapter.id(), e.toString());
        }
    }

    /** PNE link listeners (whiteboard): told on the timer thread, so a slow one never holds up a handshake. */
    @Reference(name = "linkListeners", service = PneLinkListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, fieldOption = org.osgi.service.component.annotations.FieldOption.UPDATE)
    private final List<PneLinkListener> linkListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    void removeAdapter(PanAdapter adapter) {
        synchronized (lifecycle) {
            if (waiting.remove(adapter)) {
                return;
            }
            if (adapters.remove(adapter.id(), adapter)) {
                stopAdapter(adapter);
                waiting.stream().filter(a -> a.id().equals(adapter.id())).findFirst().ifPresent(next -> {
                    waiting.remove(next);
                    if (!stopping) {
                        startAdapter(next);
                    }
                });
            }
        }
    }

    private void stopAdapter(PanAdapter adapter) {
        try {
            adapter.stop();
        } catch (RuntimeException e) {
            log.warn("PAN adapter {} failed to stop cleanly: {}", adapter.id(), e.toString());
        }
        links.keySet().removeIf(c -> c.adapterId().equals(adapter.id())); // their closed() also cleans routes
        log.info("PAN adapter {} stopped", adapter.id());
    }

    @Reference(name = "handlers", service = PneRequestHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addHandler(ComponentServiceObjects<PneRequestHandler> h, Map<String, Object> props) {
        LazyHandler<PneRequestHandler> old = handlers.put(String.valueOf(props.get(PneRequestHandler.TYPE)), new LazyHandler<>(h));
        if (old != null) {
            old.release();
        }
        synchronized (handlerCame) {
            handlerCame.notifyAll();
        }
    }

    void removeHandler(ComponentServiceObjects<PneRequestHandler> h, Map<String, Object> props) {
        handlers.computeIfPresent(String.valueOf(props.get(PneRequestHandler.TYPE)), (type, lazy) -> {
            if (!lazy.isFor(h)) {
                return lazy;
            }
            lazy.release();
            handlerGone.put(type, System.nanoTime());
            return null;
        });
    }

    /** What each adapter is given. */
    private final class AdapterContext implements PanContext {
        @Override
        public String gatewayId() {
            return gatewayId.value();
        }

        @Override
        public byte[] psk(String pneId) {
            return isReserved(pneId) ? null : keys.pskFor(pneId).orElse(null);
        }

        @Override
        public void connected(PanConnection connection) {
            Link link = new Link(connection, PanManager.this);
            links.put(connection, link);
            connection.receiver(link);
            if (link.pne() != null) {
                identified(link);
            }
        }

        @Override
        public byte[] discovery(byte[] query) {
            try {
                Envelope e = codec.decode(query);
                if (!(e.body() instanceof DiscoveryQuery)) {
                    return null;
                }
                return codec.encode(new Envelope(gatewayId, e.src(), e.id(), announce()));
            } catch (CpnsException malformed) {
                return null; // garbage on the discovery port: no answer
            }
        }

        @Override
        public byte[] announcement() {
            return codec.encode(new Envelope(gatewayId, EntityId.BROADCAST, 0, announce()));
        }
    }

    /** CPNS Entity Discovery answer (seed 004 step 0): how to reach this PN GW on every PAN. */
    DiscoveryAnnounce announce() {
        List<PanAccess> access = new ArrayList<>();
        for (PanAdapter a : adapters.values()) {
            for (String address : a.addresses()) {
                access.add(new PanAccess(a.id(), address, a.security().sufficient()));
            }
        }
        return new DiscoveryAnnounce(gatewayId.value(), access);
    }

    // ---- LinkHost: what links report ----

    @Override
    public EntityKind kindOf(EntityId id) {
        if (id.equals(gatewayId)) {
            return EntityKind.GATEWAY;
        }
        ServerLink sl = serverLink;
        return sl != null && id.equals(sl.serverId()) ? EntityKind.SERVER : EntityKind.PNE;
    }

    @Override
    public boolean reserved(EntityId id) {
        ServerLink sl = serverLink;
        return id.equals(gatewayId) || id.equals(EntityId.BROADCAST) || serverIds.contains(id) || sl != null && id.equals(sl.serverId());
    }

    private boolean isReserved(String id) {
        try {
            return reserved(EntityId.of(id));
        } catch (CpnsException notAnId) {
            return false;
        }
    }

    @Override
    public LogThrottle logThrottle() {
        return logThrottle;
    }

    @Override
    public FailureLimiter handshakeFailures() {
        return handshakeFailures;
    }

    @Override
    public EntityId gatewayId() {
        return gatewayId;
    }

    @Override
    public MessageCodec codec() {
        return codec;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    @Override
    public Logger log() {
        return log;
    }

    @Override
    public Optional<byte[]> psk(String pneId) {
        return keys.pskFor(pneId);
    }

    @Override
    public void identified(Link link) {
        // add inside compute: a concurrent closed() of the PNE's previous link may drop an emptied set
        routes.compute(link.pne(), (k, set) -> {
            Set<Link> s = set == null ? new CopyOnWriteArraySet<>() : set;
            s.add(link);
            return s;
        });
        if (link.authenticated()) {
            log.info("PNE {} connected on {} ({}, {})", link.pne(), link.connection().adapterId(), link.connection().remote(),
                    link.info().protection());
            PneLink up = link.info();
            for (PneLinkListener l : linkListeners) {
                timer.execute(() -> {
                    try {
                        l.linkUp(up);
                    } catch (RuntimeException e) {
                        log.warn("PNE link listener {} failed for {}: {}", l.getClass().getName(), up.pneId(), e.toString());
                    }
                });
            }
        } else {
            log.debug("PNE {} connected on {} ({}, not authenticated)", link.pne(), link.connection().adapterId(),
                    link.connection().remote());
        }
    }

    @Override
    public void closed(Link link, String reason) {
        links.remove(link.connection());
        if (link.pne() != null) {
            routes.computeIfPresent(link.pne(), (k, set) -> {
                set.remove(link);
                return set.isEmpty() ? null : set;
            });
            if (link.authenticated()) {
                log.info("PNE {} link on {} closed: {}", link.pne(), link.connection().adapterId(), reason);
            } else { // like its "connected" line: a flood of claimed links must not flood the log
                log.debug("PNE {} link on {} closed: {} (not authenticated)", link.pne(), link.connection().adapterId(), reason);
            }
        }
    }

    @Override
    public void request(Link link, Envelope e) {
        MessageType type = e.type();
        switch (type) {
            case DISCOVERY_QUERY -> reply(link, e, announce());
            case PING -> reply(link, e, new Pong(((Ping) e.body()).data()));
            case TUNNEL_OPEN -> openTunnel(link, e);
            default -> dispatch(link, e);
        }
    }

    private void dispatch(Link link, Envelope e) {
        String type = e.type().wireName();
        LazyHandler<PneRequestHandler> lazy = handlers.get(type);
        PneRequestHandler h = lazy == null ? null : lazy.get();
        if (h == null) {
            // no handler, or the one found is going away with its bundle (SCR unbinds it as this request arrives:
            // getting it gives null): wait for the next one
            LazyHandler<PneRequestHandler> next = awaitHandler(type, lazy);
            h = next == null ? null : next.get();
        }
        if (h == null) {
            reply(link, e, ErrorMessage.of(new CpnsException(ErrorCode.UNAVAILABLE, "no handler for '" + e.type().wireName()
                    + "' on this PN GW (is the bundle that handles it installed and active?)")));
            return;
        }
        PneMessage request = new PneMessage(e, link.info());
        CompletionStage<Message> answer;
        try {
            answer = h.handle(request);
        } catch (RuntimeException x) {
            answer = CompletableFuture.failedFuture(x);
        }
        answer.whenComplete((response, error) -> answer(link, e, response != null ? response : errorOf(error)));
    }

    private ErrorMessage errorOf(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (c instanceof CpnsException e) {
            return ErrorMessage.of(e);
        }
        log.error("PNE request handler failed", c);
        return ErrorMessage.of(new CpnsException(ErrorCode.INTERNAL, "internal gateway error"));
    }

    /**
     * A PNE's answer to one of our requests: taken from the link the request was sent on, or from
     * an authenticated link of that PNE (seed 004 step 7: it answers over the link it just secured
     * with its new LocalEUKey). A link that only claims the PNE's identity cannot answer for another.
     */
    @Override
    public void response(Link link, Envelope e) {
        String key = key(link.pne(), e.id());
        Pending p = pending.get(key);
        if (p == null) {
            log.debug("late or unknown response {} {} from {}", e.type().wireName(), e.id(), link.pne());
            return;
        }
        if (p.sentOn() != link && !link.authenticated()) {
            link.fail(new CpnsException(ErrorCode.FORBIDDEN, "request " + e.id() + " was not sent on this link"));
            return;
        }
        if (!pending.remove(key, p)) {
            return; // timed out meanwhile
        }
        p.sentOn().movedTo(link); // it answered here what only the other link carried: the same PNE, moved
        if (e.body() instanceof ErrorMessage err) {
            p.answer().completeExceptionally(err.toException());
        } else {
            p.answer().complete(new PneMessage(e, link.info()));
        }
    }

    @Override
    public void oneWay(Link link, Envelope e) {
        Tunnel t = link.tunnel();
        if (e.body() instanceof TunnelData d) {
            if (t == null) {
                link.fail(new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "tunnel.data without an open tunnel"));
            } else {
                t.fromPne(d.data());
            }
        } else if (e.body() instanceof TunnelClose && t != null) {
            t.close("closed by the PNE");
        }
    }

    // ---- tunnels: EUKey assignment to a PNE with UI (TS 5.3.1), end-to-end TLS to the Server ----

    private void openTunnel(Link link, Envelope e) {
        ServerLink sl = serverLink;
        Tunnel old = link.tunnel();
        if (old != null) {
            try {
                old.awaitClosed(TUNNEL_CLOSE_WAIT_MILLIS); // the Server's EOF may be closing it right now
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
        }
        if (link.tunnel() != null) {
            reply(link, e, ErrorMessage.of(new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "a tunnel is already open on this link")));
            return;
        }
        if (sl == null || tunnels.incrementAndGet() > settings.maxTunnels()) {
            if (sl != null) {
                tunnels.decrementAndGet();
            }
            reply(link, e, ErrorMessage.of(new CpnsException(ErrorCode.UNAVAILABLE, sl == null
                    ? "no server link on this PN GW" : "too many tunnels open; try again later")));
            return;
        }
        InetSocketAddress server = sl.serverAddress();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(server.getHostString(), server.getPort()), 5000);
            socket.setSoTimeout((int) settings.tunnelIdle().toMillis());
            socket.setTcpNoDelay(true);
        } catch (IOException x) {
            tunnels.decrementAndGet();
            closeQuietly(socket);
            reply(link, e, ErrorMessage.of(new CpnsException(ErrorCode.UNAVAILABLE, "cannot reach the CPNS Server at " + server)));
            return;
        }
        Tunnel t = new Tunnel(link, socket, gatewayId, settings.tunnelMaxBytes(), tunnels::decrementAndGet);
        link.tunnel(t);
        reply(link, e, new TunnelOpened());
        t.start();
        log.info("PNE {} opened a tunnel to the CPNS Server for EUKey assignment", link.pne());
    }

    // ---- PneMessenger: the routing table ----

    @Override
    public CompletionStage<PneMessage> request(EntityId pne, Message message, Duration timeout) {
        Link link = best(pne).orElse(null);
        if (link == null) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "PNE " + pne + " is not connected"));
        }
        long id = ids.incrementAndGet();
        String key = key(pne, id);
        CompletableFuture<PneMessage> f = new CompletableFuture<>();
        Pending p = new Pending(link, f);
        pending.put(key, p);
        timer.schedule(() -> {
            if (pending.remove(key, p)) {
                f.completeExceptionally(new CpnsException(ErrorCode.TIMEOUT, "PNE " + pne + " did not answer "
                        + message.type().wireName() + " within " + timeout.toMillis() + " ms"));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            link.send(new Envelope(gatewayId, pne, id, message));
        } catch (IOException | RuntimeException x) {
            pending.remove(key, p);
            f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "sending to PNE " + pne + " failed: " + x.getMessage()));
        }
        return f;
    }

    @Override
    public void reply(PneMessage request, Message response) {
        PneLink from = request.link();
        Link origin = links.values().stream().filter(l -> l.info().since().equals(from.since())
                        && l.connection().adapterId().equals(from.adapter()) && l.connection().remote().equals(from.remote()))
                .findFirst().orElse(null);
        if (origin == null) {
            log.info("answer to {} {} of PNE {} lost: its link closed", request.envelope().type().wireName(), request.envelope().id(),
                    request.envelope().src());
            return;
        }
        answer(origin, request.envelope(), response);
    }

    /**
     * An answer goes back on the link its request came on: a link that only claims an identity
     * never receives, nor spoils, an answer meant for another link of a PNE with that ID. It
     * follows the PNE only where the PNE proved it moved: to the authenticated link on which it
     * answered a request sent on the first one (seed 004: it secures a new link with its new
     * LocalEUKey and answers {@code pne.auth.req} there; its {@code pn.setup.resp} follows), or,
     * if an authenticated link closed, to another authenticated link of that PNE.
     */
    private void answer(Link origin, Envelope request, Message response) {
        Link to = origin.current();
        if (response instanceof ErrorMessage err) {
            to.refused(request, err);
        }
        if (!to.isClosed() && deliver(to, request, response)) {
            return;
        }
        Link proven = !to.authenticated() ? null : routes.getOrDefault(request.src(), Set.of()).stream()
                .filter(l -> l != to && l.authenticated() && !l.isClosed())
                .max(Comparator.comparing(l -> l.info().since())).orElse(null);
        if (proven == null || !deliver(proven, request, response)) {
            log.info("answer to {} {} of PNE {} lost: its link closed", request.type().wireName(), request.id(), request.src());
        }
    }

    /** Built-in answers (discovery, ping, tunnels): on the link the request came on. */
    private void reply(Link link, Envelope request, Message response) {
        if (response instanceof ErrorMessage err) {
            link.refused(request, err);
        }
        deliver(link, request, response);
    }

    private boolean deliver(Link link, Envelope request, Message response) {
        try {
            link.send(new Envelope(gatewayId, request.src(), request.id(), response));
            return true;
        } catch (IOException | RuntimeException x) {
            log.debug("answer to PNE {} on {} failed: {}", request.src(), link.describe(), x.toString());
            return false;
        }
    }

    /** An authenticated link first, then the newest one. */
    private Optional<Link> best(EntityId pne) {
        Set<Link> set = routes.get(pne);
        if (set == null) {
            return Optional.empty();
        }
        return set.stream().max(Comparator.comparing(Link::authenticated).thenComparing(l -> l.info().since()));
    }

    @Override
    public List<PneLink> links() {
        return links.values().stream().map(Link::info).sorted(Comparator.comparing(PneLink::pneId)).toList();
    }

    @Override
    public Optional<PneLink> link(EntityId pne) {
        return best(pne).map(Link::info);
    }

    @Override
    public int disconnect(EntityId pne) {
        Set<Link> set = routes.getOrDefault(pne, Set.of());
        int n = set.size();
        set.forEach(l -> l.connection().close());
        return n;
    }

    // ---- pre-assigned keys (seed 004 R01) ----

    @Override
    public void set(String pneId, byte[] key) {
        if (key.length < 16) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "a pre-assigned key needs at least 16 bytes");
        }
        if (isReserved(pneId)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, pneId + " is reserved (the PN GW, the CPNS Server or cpns.broadcast), not a PNE");
        }
        secrets.put(Keys.PRE_ASSIGNED + EntityId.of(pneId).value(), key);
        log.info("pre-assigned key set for PNE {}", pneId);
    }

    @Override
    public boolean remove(String pneId) {
        return secrets.delete(Keys.PRE_ASSIGNED + EntityId.of(pneId).value());
    }

    @Override
    public Optional<byte[]> get(String pneId) {
        return keys.read(Keys.PRE_ASSIGNED, EntityId.of(pneId).value());
    }

    @Override
    public boolean has(String pneId) {
        String alias = Keys.PRE_ASSIGNED + EntityId.of(pneId).value();
        return secrets.aliases(alias).contains(alias);
    }

    private static String key(EntityId pne, long id) {
        return pne + "#" + id;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
