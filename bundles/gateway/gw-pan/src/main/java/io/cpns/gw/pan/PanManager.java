package io.cpns.gw.pan;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.FailureLimiter;
import io.cpns.api.LogThrottle;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.dispatch.HandlerTable;
import io.cpns.api.dispatch.LazyService;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneLinkListener;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PneRequestHandler;
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
import io.cpns.api.store.SecretStore;
import io.cpns.codec.MessageCodec;
import io.cpns.pan.spi.PanAdapter;
import io.cpns.pan.spi.PanConnection;
import io.cpns.pan.spi.PanContext;
import java.io.IOException;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * connected), keeps one {@link Link} per PNE connection and hears what links report. It answers
 * discovery and pings itself, hands tunnels to {@link Tunnels}, and every other request to the
 * {@link PneRequestHandler} registered for its type (PN establishment lives in gw-pn). The routing
 * table and this PN GW's requests to PNEs are {@link PneRoutes}; pre-assigned keys are their own
 * component, {@link PreAssignedKeyStore}.
 */
@Component(configurationPid = "cpns.gw.pan", service = {PneMessenger.class, HealthContributor.class}, immediate = true,
        property = {"hc.name=PAN adapters", "hc.tags=cpns", "hc.tags=readiness"})
@Designate(ocd = PanManager.Config.class)
public class PanManager implements PneMessenger, LinkHost, HealthContributor {
    @ObjectClassDefinition(name = "CPNS PN GW PAN side", description = "PNE links, their secure sessions, tunnels.")
    public @interface Config {
        @AttributeDefinition(description = "Time allowed for the PNE-GW message-level handshake (ms)")
        int handshakeTimeoutMillis() default 10000;

        @AttributeDefinition(description = "A PNE's EUKey tunnel to the Server closes after this long idle (ms)")
        int tunnelIdleMillis() default 30000;

        @AttributeDefinition(description = "Time allowed to connect an EUKey tunnel to the CPNS Server (ms); the PNE's "
                + "tunnel.open is answered UNAVAILABLE after it. Runs beside the link: its other requests are answered meanwhile")
        int tunnelConnectTimeoutMillis() default 5000;

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

        @AttributeDefinition(description = "Ids of the PAN adapters this PN GW must run (e.g. ip, or a vendor's adapter, whatever its "
                + "bundle is called): cpns:health is NOT READY while one of them is not started. Empty: only adapters that fail count")
        String[] requiredAdapters() default {};
    }

    private final Keys keys;
    private final Logger log;
    private final EntityId gatewayId;
    private final Settings settings;
    private final MessageCodec codec = new MessageCodec();
    private final ScheduledExecutorService timer;
    private final Map<String, PanAdapter> adapters = new ConcurrentHashMap<>();
    /** Adapters whose id was taken when they came: the next in line starts when the holder goes. */
    private final List<PanAdapter> waiting = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Adapters whose start failed, by id, with why: the health check "PAN adapters" (any vendor's adapter counts here). */
    private final Map<String, String> failed = new ConcurrentHashMap<>();
    private final Set<String> required;
    private final ReservedIds reservedIds;
    private final PneRoutes routes;
    /** The flows' entry points for PNEs' requests (whiteboard, io.cpns.api.dispatch). */
    private final HandlerTable<PneRequestHandler> handlers;
    private final Tunnels tunnels;
    private volatile boolean stopping;
    /**
     * Adapters start and stop under this lock: SCR binds an adapter on the thread that registered it
     * while it may deactivate this manager on another (a reference reconfigured at start), and an
     * adapter started by a manager that is gone keeps its port.
     */
    private final Object lifecycle = new Object();
    private final LogThrottle logThrottle = new LogThrottle();
    private final FailureLimiter handshakeFailures;

    private volatile ServerLink serverLink;

    @Activate
    public PanManager(@Reference(name = "secrets") SecretStore secrets,
                      @Reference(name = "identity") GatewayIdentity identity,
                      @Reference(name = "log", service = LoggerFactory.class) Logger log,
                      Config config) {
        this.log = log;
        this.keys = new Keys(secrets, log);
        this.gatewayId = identity.id();
        Set<String> suites = new LinkedHashSet<>();
        for (String s : config.suites()) {
            Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).forEach(suites::add);
        }
        this.required = Arrays.stream(config.requiredAdapters()).flatMap(s -> Arrays.stream(s.split(","))).map(String::trim)
                .filter(x -> !x.isEmpty()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        this.settings = new Settings(Duration.ofMillis(config.handshakeTimeoutMillis()),
                Duration.ofMillis(config.tunnelIdleMillis()), Duration.ofMillis(Math.max(1, config.tunnelConnectTimeoutMillis())),
                config.maxTunnels(), config.tunnelMaxBytes(), Set.copyOf(suites),
                Duration.ofMillis(Math.max(0, config.handlerWaitMillis())));
        this.handshakeFailures = new FailureLimiter(Math.max(0, config.handshakeFreeFailures()),
                Duration.ofMillis(Math.max(0, config.handshakeBackoffMillis())),
                Duration.ofMillis(Math.max(Math.max(0, config.handshakeBackoffMillis()), config.handshakeBackoffMaxMillis())));
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-gw-pan-timer");
            t.setDaemon(true);
            return t;
        });
        this.reservedIds = new ReservedIds(gatewayId);
        this.routes = new PneRoutes(gatewayId, log, timer);
        this.handlers = new HandlerTable<>("this PN GW", settings.handlerWait());
        this.tunnels = new Tunnels(gatewayId, settings, () -> serverLink, routes::replyOn, log);
    }

    /**
     * {@code cpns:health}: a PNE's key record that did not read back and is still in quarantine; a PAN
     * adapter that failed to start or waits for its id; a required adapter that is not running.
     */
    @Override
    public List<String> problems() {
        List<String> problems = new java.util.ArrayList<>(keys.problems());
        failed.forEach((id, why) -> problems.add("PAN adapter " + id + " failed to start: " + why
                + " (fix its configuration or bundle; it starts again when its service comes back)"));
        for (PanAdapter a : waiting) {
            problems.add("PAN adapter " + a.getClass().getName() + " not started: its id '" + a.id() + "' is in use by another adapter");
        }
        for (String id : required) {
            if (!adapters.containsKey(id)) {
                problems.add("PAN adapter " + id + " is required (cpns.gw.pan requiredAdapters) and not running: is its bundle "
                        + "installed and active?");
            }
        }
        return problems;
    }


    @Deactivate
    void deactivate() {
        stopping = true;
        handlers.stop();
        synchronized (lifecycle) { // after a start in progress: it is stopped here, and none begins after
            waiting.clear();
            adapters.values().forEach(this::stopAdapter);
            adapters.clear();
        }
        timer.shutdownNow();
        tunnels.stop();
        routes.stop();
    }

    // optional and dynamic: while gw-link is being updated there is no link, and PNE links must stay
    @Reference(name = "serverLink", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindServerLink(ServerLink link) {
        reservedIds.server(link.serverId()); // remembered: a PNE may not take the Server's ID while gw-link is away
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
            failed.remove(adapter.id());
            log.info("PAN adapter {} started ({}; {}; max frame {} bytes)", adapter.id(), adapter.addresses(), adapter.security(),
                    adapter.maxFrameBytes());
        } catch (IOException | RuntimeException e) {
            adapters.remove(adapter.id());
            failed.put(adapter.id(), e.toString());
            log.error("PAN adapter {} failed to start: {}", adapter.id(), e.toString());
        }
    }

    /**
     * PNE link listeners (whiteboard): told on the timer thread, so a slow one never holds up a
     * handshake; obtained when first told, as the handlers are (D33: they are flow components).
     */
    private final List<LazyService<PneLinkListener>> linkListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Reference(name = "linkListeners", service = PneLinkListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeLinkListener")
    void addLinkListener(ComponentServiceObjects<PneLinkListener> l) {
        linkListeners.add(new LazyService<>(l));
    }

    void removeLinkListener(ComponentServiceObjects<PneLinkListener> l) {
        LazyService.unbind(linkListeners, l);
    }

    void removeAdapter(PanAdapter adapter) {
        synchronized (lifecycle) {
            if (waiting.remove(adapter)) {
                return;
            }
            if (!adapters.containsKey(adapter.id())) {
                failed.remove(adapter.id()); // a failed adapter that went away is no longer a problem
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
        routes.adapterStopped(adapter.id());
        log.info("PAN adapter {} stopped", adapter.id());
    }

    @Reference(name = "handlers", service = PneRequestHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void addHandler(ComponentServiceObjects<PneRequestHandler> h, Map<String, Object> props) {
        handlers.add(h, props);
    }

    void removeHandler(ComponentServiceObjects<PneRequestHandler> h, Map<String, Object> props) {
        handlers.remove(h, props);
    }

    /** What each adapter is given. */
    private final class AdapterContext implements PanContext {
        @Override
        public String gatewayId() {
            return gatewayId.value();
        }

        @Override
        public byte[] psk(String pneId) {
            return reservedIds.reserved(pneId) ? null : keys.pskFor(pneId).orElse(null);
        }

        @Override
        public void connected(PanConnection connection) {
            Link link = new Link(connection, PanManager.this);
            routes.opened(link);
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
        return reservedIds.reserved(id);
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
        routes.identified(link);
        if (link.authenticated()) {
            log.info("PNE {} connected on {} ({}, {})", link.pne(), link.connection().adapterId(), link.connection().remote(),
                    link.info().protectionName());
            PneLink up = link.info();
            for (LazyService<PneLinkListener> lazy : linkListeners) {
                timer.execute(() -> {
                    PneLinkListener l = lazy.get();
                    if (l == null) {
                        return; // going away with its bundle
                    }
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
        routes.closed(link);
        if (link.pne() != null) {
            if (link.authenticated()) {
                log.info("PNE {} link on {} closed: {}", link.pne(), link.connection().adapterId(), reason);
            } else { // like its "connected" line: a flood of claimed links must not flood the log
                log.debug("PNE {} link on {} closed: {} (not authenticated)", link.pne(), link.connection().adapterId(), reason);
            }
        }
    }

    @Override
    public void requestFromPne(Link link, Envelope e) {
        MessageType type = e.type();
        switch (type) {
            case DISCOVERY_QUERY -> routes.replyOn(link, e, announce());
            case PING -> routes.replyOn(link, e, new Pong(((Ping) e.body()).data()));
            case TUNNEL_OPEN -> tunnels.open(link, e);
            default -> dispatch(link, e);
        }
    }

    /** On the link's reader thread: may wait up to handlerWait for a handler being updated (that PNE's frames wait, not others'). */
    private void dispatch(Link link, Envelope e) {
        CompletionStage<Message> answer;
        try {
            answer = handlers.find(e.type()).handle(new PneMessage(e, link.info()));
        } catch (RuntimeException x) {
            answer = CompletableFuture.failedFuture(x);
        }
        answer.whenComplete((response, error) -> routes.answer(link, e, response != null ? response : errorOf(e, error)));
    }

    private ErrorMessage errorOf(Envelope request, Throwable t) {
        CpnsException wire = Failures.toWire(t, "internal gateway error");
        if (Failures.isBug(wire)) {
            log.error("handler for {} failed", request.type().wireName(), wire.getCause());
        }
        return ErrorMessage.of(wire);
    }

    @Override
    public void responseFromPne(Link link, Envelope e) {
        routes.responseFromPne(link, e);
    }

    @Override
    public void oneWayFromPne(Link link, Envelope e) {
        tunnels.oneWayFromPne(link, e);
    }

    // ---- PneMessenger: the routing table, PneRoutes ----

    @Override
    public CompletionStage<PneMessage> request(EntityId pne, Message message, Duration timeout) {
        return routes.requestToPne(pne, message, timeout);
    }

    @Override
    public void reply(PneMessage request, Message response) {
        routes.reply(request, response);
    }

    @Override
    public List<PneLink> links() {
        return routes.links().stream().map(Link::info).sorted(Comparator.comparing(PneLink::pneId)).toList();
    }

    @Override
    public Optional<PneLink> link(EntityId pne) {
        return routes.best(pne).map(Link::info);
    }

    @Override
    public int disconnect(EntityId pne) {
        return routes.disconnect(pne);
    }
}
