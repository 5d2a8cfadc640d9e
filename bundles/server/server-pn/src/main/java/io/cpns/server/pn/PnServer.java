package io.cpns.server.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.dispatch.LazyService;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import io.cpns.api.message.PnAuthRequest;
import io.cpns.api.message.PnAuthResponse;
import io.cpns.api.message.PnMemberRemove;
import io.cpns.api.message.PnRegisterRequest;
import io.cpns.api.message.PnRegisterResponse;
import io.cpns.api.message.PnePresence;
import io.cpns.api.message.PneKeys;
import io.cpns.api.message.PneProof;
import io.cpns.api.message.PneVerdict;
import io.cpns.api.message.Relay;
import io.cpns.api.message.RelayResponse;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RegisteredPn;
import io.cpns.api.server.GatewayInfo;
import io.cpns.api.server.PneInfo;
import io.cpns.api.LinkProtection;
import io.cpns.api.server.RequestHandler;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.ServiceGroup;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.server.store.PnStore;
import io.cpns.session.ResponderHandshake;
import io.cpns.session.SecureSession;
import io.cpns.session.SessionCounters;
import io.cpns.session.SessionSelector;
import io.cpns.api.store.SecretStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
 * The CPNS Server's part of PN Establishment (seed 004 §5.2.1.1 steps 4-5 and 10-12, and the same
 * steps of §5.2.1.2), the PN Inventory, and requests PNEs send end to end through their PN GW.
 * Every PNE of a registration must belong to the PN GW's CPNS User (TS §5.3.4): a gateway never
 * obtains a LocalEUKey for, or authenticates, another user's device.
 */
@Component(configurationPid = "cpns.server.pn", service = {PnServer.class, PnRegistry.class, RequestHandler.class}, immediate = true,
        property = {RequestHandler.TYPE + "=pn.register.req", RequestHandler.TYPE + "=pn.auth.resp",
            RequestHandler.TYPE + "=pn.member.remove", RequestHandler.TYPE + "=relay"})
@Designate(ocd = PnServer.Config.class)
public class PnServer implements PnRegistry, RequestHandler {
    static final Pattern PN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    static final int LOCAL_EUKEY_LENGTH = 32;

    @ObjectClassDefinition(name = "CPNS Server PN establishment", description = "PN Registration and PNE authentication.")
    public @interface Config {
        @AttributeDefinition(description = "A registration batch waits this long for the Authentication responses (s)")
        int pendingSeconds() default 120;

        @AttributeDefinition(description = "Most PNEs in one registration batch (larger PNs register in several batches)")
        int maxBatchPnes() default 500;
    }

    private final EntityRegistry entities;
    private final PnStore store;
    /**
     * Dynamic and optional: the endpoint dispatches to this component's request handlers, so a
     * static reference would be a cycle SCR cannot activate. Registration works without it.
     */
    private volatile ServerEndpoint endpoint;
    private final Logger log;
    private final Duration pendingTime;
    private final int maxBatch;
    private final MessageCodec codec = new MessageCodec(1024 * 1024);
    private final Map<String, PendingBatch> pending = new ConcurrentHashMap<>();
    /**
     * SK_PNE: the Server's end of each PNE's session (seed 004 step 12), for relayed requests. The
     * database holds them (sealed, with their counters: D89); this map holds those in use,
     * loaded on a PNE's first relay after a start, so a restart or an update of this bundle ends none.
     */
    private final Map<String, SecureSession> pneSessions = new ConcurrentHashMap<>(); // by PN ID + PNE: one SK_PNE per PN
    private final PneSessionSealer sealer;
    private final ScheduledExecutorService sweeper;
    /** Expels run here, off the PN GW's read loop: a group's Group Key Manager asked for the next key may be that very PN GW. */
    private final ScheduledExecutorService expeller;
    /**
     * Dynamic and optional as the endpoint, and obtained on first use (D33): server-groups' component
     * needs this one (PnRegistry), so getting it while this one activates is a cycle SCR refuses.
     */
    private volatile LazyService<GroupRegistry> groups;

    /** The wire entry points of this flow (RequestHandler, on the PN GW's session thread). */
    @Override
    public Message handle(Principal from, Envelope request) {
        return switch (request.type()) {
            case PN_REGISTER_REQUEST -> register(from, (PnRegisterRequest) request.body());
            case PN_AUTH_RESPONSE -> authenticate(from, (PnAuthResponse) request.body());
            case PN_MEMBER_REMOVE -> removeMember(from, (PnMemberRemove) request.body());
            case RELAY -> relay(from, (Relay) request.body());
            default -> throw Failures.unavailable(request.type(), "this server");
        };
    }

    @Activate
    public PnServer(@Reference(name = "entities") EntityRegistry entities, @Reference(name = "store") PnStore store,
                    @Reference(name = "secrets") SecretStore secrets,
                    @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.entities = entities;
        this.sealer = new PneSessionSealer(secrets);
        this.store = store;
        this.log = log;
        this.pendingTime = Duration.ofSeconds(config.pendingSeconds());
        this.maxBatch = config.maxBatchPnes();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-server-pn-sweeper");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, 10, 10, TimeUnit.SECONDS);
        this.expeller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-server-pn-expel");
            t.setDaemon(true);
            return t;
        });
    }

    @Reference(name = "groups", service = GroupRegistry.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindGroups")
    void bindGroups(ComponentServiceObjects<GroupRegistry> g) {
        groups = new LazyService<>(g);
    }

    void unbindGroups(ComponentServiceObjects<GroupRegistry> g) {
        LazyService<GroupRegistry> bound = groups;
        if (bound != null && bound.isFor(g)) {
            groups = null;
            bound.release();
        }
    }

    @Reference(name = "endpoint", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindEndpoint")
    void bindEndpoint(ServerEndpoint e) {
        endpoint = e;
    }

    void unbindEndpoint(ServerEndpoint e) {
        if (endpoint == e) {
            endpoint = null;
        }
    }

    private ServerEndpoint endpoint() {
        ServerEndpoint e = endpoint;
        if (e == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "the server endpoint is not running");
        }
        return e;
    }

    @Deactivate
    void deactivate() {
        sweeper.shutdownNow();
        expeller.shutdownNow();
        pending.values().forEach(PendingBatch::destroy);
        pneSessions.values().forEach(SecureSession::close);
        sealer.close();
    }

    // ---- seed 004 steps 4-5: PN Registration Request -> Authentication request ----

    PnAuthRequest register(Principal gw, PnRegisterRequest req) {
        requireGateway(gw);
        String pnId = pnId(req.pnId());
        store.pn(pnId).filter(pn -> !pn.gateway().equals(gw.entity())).ifPresent(pn -> {
            throw new CpnsException(ErrorCode.FORBIDDEN, "PN " + pnId + " belongs to another PN GW");
        });
        if (req.pnes().isEmpty() || req.pnes().size() > maxBatch) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "a registration batch holds 1.." + maxBatch + " PNEs");
        }
        // PN GW Info (step 4): kept, as the PNE Info below, for the security level check within the PN (seed 003)
        GatewayInfo gwInfo = new GatewayInfo(gw.entity(), RegistrationInfo.check("gatewayCapabilities", req.gatewayCapabilities()),
                RegistrationInfo.check("subscription", req.subscription()), Instant.now().truncatedTo(ChronoUnit.MILLIS));
        byte[] randServer = Randoms.bytes(32); // one rand_server for every PNE of the batch (step 5)
        byte[] gwKey = entities.euKey(gw.entity()).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no EUKey for " + gw.entity()));
        Map<EntityId, ResponderHandshake> handshakes = new HashMap<>();
        Map<EntityId, Map<String, String>> capabilities = new HashMap<>();
        List<PneKeys> keys = new ArrayList<>();
        try {
            for (PnePresence p : req.pnes()) {
                PneKeys k = prepare(gw, p, randServer, gwKey, handshakes);
                keys.add(k);
                if (k.status() == 0) {
                    capabilities.put(EntityId.of(p.pneId()), p.capabilities());
                }
            }
        } finally {
            Bytes.wipe(gwKey);
        }
        try {
            store.putGatewayInfo(gwInfo);
        } catch (RuntimeException e) {
            handshakes.values().forEach(ResponderHandshake::destroy);
            throw e;
        }
        PendingBatch batch = new PendingBatch(gw.entity(), pnId, req.batch(), handshakes, capabilities, Instant.now().plus(pendingTime));
        PendingBatch old = pending.put(key(gw.entity(), pnId, req.batch()), batch);
        if (old != null) {
            old.destroy();
        }
        log.info("PN {} batch {} of PN GW {}: {} PNEs, {} LocalEUKeys created", pnId, req.batch(), gw.entity(), handshakes.size(),
                keys.stream().filter(k -> k.localEuKeyForPne() != null).count());
        return new PnAuthRequest(pnId, req.batch(), randServer, keys);
    }

    /** One PNE of a batch: authorized? its LocalEUKey (two wrapped copies, step 5), and the Server's handshake half. */
    private PneKeys prepare(Principal gw, PnePresence p, byte[] randServer, byte[] gwKey, Map<EntityId, ResponderHandshake> out) {
        EntityId pne;
        CryptoSuite suite;
        try {
            pne = EntityId.of(p.pneId());
            suite = Suites.byName(p.suite());
        } catch (CpnsException e) {
            return refused(p.pneId(), e.code());
        }
        if (!endpoint().suites().contains(suite.name())) { // the operator's choice binds SK_PNE as it binds every session
            log.info("PNE {} asked for suite {}, not accepted here ({})", pne, suite.name(), endpoint().suites());
            return refused(p.pneId(), ErrorCode.UNSUPPORTED_SUITE);
        }
        try {
            RegistrationInfo.check("capabilities of " + pne, p.capabilities());
        } catch (CpnsException e) {
            log.info("PNE {} not registered: {}", pne, e.getMessage());
            return refused(p.pneId(), e.code());
        }
        Optional<EntityRecord> record = entities.find(pne);
        if (record.isEmpty()) {
            return refused(p.pneId(), ErrorCode.UNKNOWN_ENTITY);
        }
        if (record.get().kind() != EntityKind.PNE) {
            return refused(p.pneId(), ErrorCode.INVALID_ARGUMENT);
        }
        if (!gw.owns(record.get().owner())) {
            log.warn("PN GW {} of {} tried to register PNE {} of another CPNS User", gw.entity(), gw.user(), pne);
            return refused(p.pneId(), ErrorCode.FORBIDDEN);
        }
        byte[] pneKey = entities.euKey(pne).orElseThrow();
        byte[] lek = null;
        try {
            ResponderHandshake h = new ResponderHandshake(suite, endpoint().serverId(), pne, pneKey, p.randPne(), randServer);
            out.put(pne, h);
            if (!p.localEuKeyRequested()) {
                return new PneKeys(p.pneId(), 0, null, null);
            }
            lek = Randoms.bytes(LOCAL_EUKEY_LENGTH);
            return new PneKeys(p.pneId(), 0, suite.wrap(pneKey, lek), suite.wrap(gwKey, lek));
        } catch (CpnsException e) {
            return refused(p.pneId(), e.code()); // e.g. a rand_PNE of the wrong length
        } finally {
            Bytes.wipe(pneKey, lek);
        }
    }

    private static PneKeys refused(String pneId, ErrorCode why) {
        return new PneKeys(pneId, why.code(), null, null);
    }

    // ---- steps 10-12: Authentication responses -> PN Registration Response ----

    PnRegisterResponse authenticate(Principal gw, PnAuthResponse resp) {
        requireGateway(gw);
        PendingBatch batch = pending.remove(key(gw.entity(), resp.pnId(), resp.batch()));
        if (batch == null || batch.expires().isBefore(Instant.now())) {
            if (batch != null) {
                batch.destroy();
            }
            throw new CpnsException(ErrorCode.UNKNOWN_PN, "no registration pending for PN " + resp.pnId() + " batch " + resp.batch()
                    + " (expired after " + pendingTime.toSeconds() + " s?)");
        }
        store.pn(resp.pnId()).filter(pn -> !pn.gateway().equals(gw.entity())).ifPresent(pn -> {
            batch.destroy();
            throw new CpnsException(ErrorCode.FORBIDDEN, "PN " + resp.pnId() + " belongs to another PN GW");
        });
        Map<EntityId, byte[]> proofs = new HashMap<>();
        Map<EntityId, LinkProtection> protections = new HashMap<>(); // the link each answer came over (step 10), if told
        for (PneProof p : resp.results()) {
            try {
                proofs.put(EntityId.of(p.pneId()), p.hashPne());
                LinkProtection.of(p.protection()).ifPresent(l -> protections.put(EntityId.of(p.pneId()), l));
            } catch (CpnsException ignored) {
                // not one of ours
            }
        }
        List<PneVerdict> verdicts = new ArrayList<>();
        List<EntityId> authenticated = new ArrayList<>();
        Map<EntityId, ResponderHandshake.Keyed> keys = new HashMap<>(); // SK_PNE of each, wiped below
        Map<EntityId, String> suites = new HashMap<>();
        batch.handshakes().forEach((pne, h) -> {
            byte[] proof = proofs.get(pne);
            if (proof == null) {
                h.destroy();
                verdicts.add(new PneVerdict(pne.value(), false, null)); // did not answer in time
                return;
            }
            try {
                ResponderHandshake.Keyed r = h.verifyKeepingKey(proof); // step 11: hash_PNE
                keys.put(pne, r);
                suites.put(pne, h.suite().name());
                entities.confirm(pne);
                authenticated.add(pne);
                verdicts.add(new PneVerdict(pne.value(), true, r.proof())); // step 12: hash_server
            } catch (CpnsException e) {
                log.warn("PNE {} failed authentication in PN {}: {}", pne, resp.pnId(), e.getMessage());
                verdicts.add(new PneVerdict(pne.value(), false, null));
            }
        });
        boolean registered = !authenticated.isEmpty();
        try {
            if (registered) { // step 11: registered when at least one PNE authenticated
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                store.createPn(resp.pnId(), gw.entity(), gw.user(), now); // no-op if it exists: then it must be ours
                if (!store.pn(resp.pnId()).map(pn -> pn.gateway().equals(gw.entity())).orElse(false)) {
                    throw new CpnsException(ErrorCode.FORBIDDEN, "PN " + resp.pnId() + " was registered by another PN GW meanwhile");
                }
                for (EntityId pne : authenticated) {
                    store.addMember(resp.pnId(), pne, now);
                    keep(resp.pnId(), pne, suites.get(pne), keys.get(pne).sessionKey(), now);
                    store.putPneInfo(new PneInfo(pne, gw.entity(), batch.capabilities().get(pne), protections.get(pne), now));
                }
            }
        } finally {
            keys.values().forEach(k -> Bytes.wipe(k.sessionKey()));
        }
        log.info("PN {} batch {} of PN GW {}: {} of {} PNEs authenticated{}", resp.pnId(), resp.batch(), gw.entity(),
                authenticated.size(), batch.handshakes().size(), registered ? ", PN registered" : ", PN not registered");
        FaultPoints.reach("server.pn.registered"); // the PN and its members stored, the PN GW not answered (steps 11-12)
        return new PnRegisterResponse(resp.pnId(), resp.batch(), registered, verdicts);
    }

    // ---- PNE <-> Server end to end, routed by PN ID (TS 5.3.3.1) ----

    RelayResponse relay(Principal gw, Relay r) {
        requireGateway(gw);
        RegisteredPn pn = store.pn(r.pnId()).orElseThrow(() -> {
            log.warn("relayed message from PN GW {} for unknown PN {} dropped", gw.entity(), io.cpns.api.Strings.printable(r.pnId()));
            return new CpnsException(ErrorCode.UNKNOWN_PN, "no PN " + io.cpns.api.Strings.printable(r.pnId()));
        });
        if (!pn.gateway().equals(gw.entity())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "PN " + r.pnId() + " belongs to another PN GW");
        }
        Envelope outer = codec.decode(r.envelope());
        EntityId pne = outer.src();
        // TS §5.3.3.1: a relay carries what the SK_PNE session protects, PNE <-> Server, and nothing else
        EntityKind srcKind = entities.find(pne).map(EntityRecord::kind).orElse(EntityKind.PNE);
        if (SessionSelector.select(srcKind, EntityKind.SERVER).orElse(null) != SessionSelector.Pair.SERVER_PNE) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a relay carries PNE-Server messages only, not from a " + srcKind);
        }
        if (!pn.hasMember(pne) || !outer.dst().equals(endpoint().serverId())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a member of PN " + r.pnId() + " talking to this Server");
        }
        SecureSession session = pneSessions.computeIfAbsent(sessionKey(r.pnId(), pne), k -> load(r.pnId(), pne));
        if (session == null) { // a distinct code: the PNE runs PN Establishment again and retries (D89)
            throw new CpnsException(ErrorCode.SESSION_GONE, "no SK_PNE session with PNE " + pne + " in PN " + r.pnId()
                    + ": re-establish the PN");
        }
        Envelope request;
        try {
            request = session.unprotect(outer, codec);
        } catch (CpnsException e) { // the PNE's session failed, not the gateway's: do not end the gateway's session
            if (e.code() == ErrorCode.SESSION_GONE || e.code() == ErrorCode.UNAVAILABLE) {
                throw e; // removed meanwhile, or its counter could not be recorded: not the message's fault
            }
            throw new CpnsException(ErrorCode.FORBIDDEN, "relayed message from " + pne + " refused: " + e);
        }
        Message response;
        if (!request.type().isRequest() || request.type() == MessageType.RELAY || request.type().wireName().startsWith("pn.")) {
            response = ErrorMessage.of(new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, request.type().wireName() + " cannot be relayed"));
        } else {
            EntityRecord record = entities.find(pne).orElseThrow();
            try {
                response = endpoint().dispatch(new Principal(pne, EntityKind.PNE, record.owner()), request);
            } catch (CpnsException e) {
                response = ErrorMessage.of(e);
            }
        }
        return new RelayResponse(codec.encode(session.protect(request.reply(response), codec)));
    }

    /**
     * {@code pn.member.remove} with {@code expel: false}: the PN GW withdraws a PNE whose registration
     * it did not complete; it leaves that PN only.
     *
     * <p>Else the PN GW's operator expelled the PNE. Its session in the PN ends
     * now; then (off this read loop) it leaves every Service Group, each with a new Group Key
     * (TS §5.3.2), and the PN. Groups first: while the PNE is still in the PN, its PN GW is told
     * of each rekey even where it was the group's only member there.
     */
    Message removeMember(Principal gw, PnMemberRemove m) {
        requireGateway(gw);
        RegisteredPn pn = store.pn(m.pnId()).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_PN, "no PN " + m.pnId()));
        if (!pn.gateway().equals(gw.entity())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "PN " + m.pnId() + " belongs to another PN GW");
        }
        EntityId pne = EntityId.of(m.pneId());
        closeSession(m.pnId(), pne);
        if (!m.expelled()) { // its registration was not completed at the PN GW (D60): out of that PN, nothing else
            if (store.removeMember(m.pnId(), pne)) {
                log.info("PNE {} withdrawn from PN {} by PN GW {}: its registration was not completed there", pne, m.pnId(), gw.entity());
            }
            return new io.cpns.api.message.Ack();
        }
        if (pn.hasMember(pne)) {
            expeller.execute(() -> expel(gw.entity(), m.pnId(), pne));
        }
        return new io.cpns.api.message.Ack();
    }

    private void expel(EntityId gateway, String pnId, EntityId pne) {
        List<String> failed = leaveGroups(pne);
        store.removeMember(pnId, pne);
        log.info("PNE {} removed from PN {} by PN GW {}", pne, pnId, gateway);
        if (!failed.isEmpty()) {
            retryLeave(pne, 1);
        }
    }

    /** @return the groups it could not leave now (their Group Key Manager not reachable, say) */
    private List<String> leaveGroups(EntityId pne) {
        LazyService<GroupRegistry> bound = groups;
        GroupRegistry g = bound == null ? null : bound.get();
        if (g == null) {
            log.warn("PNE {} expelled while the Service Groups component is not running: it stays in its Service Groups; "
                    + "remove it with server:groupexpel", pne);
            return List.of();
        }
        List<String> failed = new ArrayList<>();
        for (ServiceGroup sg : g.groupsOf(pne)) {
            try {
                ServiceGroup now = g.expel(sg.groupId(), pne);
                log.info("PNE {} expelled by its PN GW: out of Service Group {}, Group Key epoch {}", pne, sg.groupId(), now.epoch());
            } catch (CpnsException e) {
                if (e.code() != ErrorCode.UNKNOWN_ENTITY && e.code() != ErrorCode.UNKNOWN_GROUP) { // else: gone meanwhile
                    failed.add(sg.groupId());
                    log.warn("PNE {} expelled by its PN GW, but still in Service Group {}: {} {}; tried again later", pne, sg.groupId(),
                            e.code(), e.getMessage());
                }
            }
        }
        return failed;
    }

    /** Again after 30 s, doubling up to an hour, until it is out of every group or admitted to a PN again. */
    private void retryLeave(EntityId pne, int attempt) {
        long delay = Math.min(3600, 30L << Math.min(attempt - 1, 7));
        expeller.schedule(() -> {
            if (store.pns().stream().anyMatch(pn -> pn.hasMember(pne))) {
                return; // an operator admitted it again: its memberships are theirs to decide
            }
            if (!leaveGroups(pne).isEmpty()) {
                retryLeave(pne, attempt + 1);
            }
        }, delay, TimeUnit.SECONDS);
    }

    /** For tests: waits until every expel asked for so far has been carried out (not its retries). */
    void awaitExpels() throws Exception {
        expeller.submit(() -> { }).get(30, TimeUnit.SECONDS);
    }

    private static String sessionKey(String pnId, EntityId pne) {
        return pnId + "\n" + pne.value();
    }

    private void closeSession(String pnId, EntityId pne) {
        store.deleteSession(pnId, pne);
        SecureSession s = pneSessions.remove(sessionKey(pnId, pne));
        if (s != null) {
            s.close();
        }
    }

    /** Step 12's SK_PNE, sealed into the database with counters at 0, and in use from now on. */
    private void keep(String pnId, EntityId pne, String suite, byte[] sk, Instant now) {
        if (!store.putSession(new PnStore.PneSession(pnId, pne, suite, sealer.seal(pnId, pne, sk), 0, 0, now))) {
            throw new CpnsException(ErrorCode.INTERNAL, "PNE " + pne + " is not a member of PN " + pnId + " after adding it");
        }
        SecureSession old = pneSessions.put(sessionKey(pnId, pne), resume(pnId, pne, suite, sk, 0, 0));
        if (old != null) {
            old.close();
        }
    }

    /** The stored SK_PNE of a PNE, resumed where its counters stand; null if there is none. */
    private SecureSession load(String pnId, EntityId pne) {
        Optional<PnStore.PneSession> row = store.session(pnId, pne);
        if (row.isEmpty()) {
            return null;
        }
        byte[] sk;
        try {
            sk = sealer.open(pnId, pne, row.get().sealedKey());
        } catch (CpnsException e) { // BAD_MAC would end the PN GW's session: this PNE's row is what is wrong
            log.error("the stored SK_PNE of {} in PN {} does not open ({}): tampered with or moved; answered SESSION_GONE, "
                    + "the PNE establishes its PN again", pne, pnId, e.code());
            return null;
        }
        try {
            return resume(pnId, pne, row.get().suite(), sk, row.get().sendLimit(), row.get().received());
        } finally {
            Bytes.wipe(sk);
        }
    }

    private SecureSession resume(String pnId, EntityId pne, String suite, byte[] sk, long sendFrom, long receivedUpTo) {
        return SecureSession.resume(Suites.byName(suite), endpoint().serverId(), pne, false, sk, sendFrom, receivedUpTo,
                new SessionCounters() {
                    @Override
                    public void reserveSend(long limit) {
                        if (!store.reserveSend(pnId, pne, limit)) {
                            throw gone(pnId, pne);
                        }
                    }

                    @Override
                    public void received(long seq) {
                        if (!store.received(pnId, pne, seq)) {
                            throw gone(pnId, pne);
                        }
                    }
                });
    }

    private static CpnsException gone(String pnId, EntityId pne) {
        return new CpnsException(ErrorCode.SESSION_GONE, "the SK_PNE session of " + pne + " in PN " + pnId + " was removed");
    }

    // ---- PnRegistry ----

    @Override
    public List<RegisteredPn> pns() {
        return store.pns();
    }

    @Override
    public Optional<RegisteredPn> pn(String pnId) {
        return store.pn(pnId);
    }

    @Override
    public List<RegisteredPn> pnsOfGateway(EntityId gateway) {
        return store.pnsOfGateway(gateway);
    }

    @Override
    public Optional<PneInfo> pneInfo(EntityId pne) {
        return store.pneInfo(pne);
    }

    @Override
    public Optional<GatewayInfo> gatewayInfo(EntityId gateway) {
        return store.gatewayInfo(gateway);
    }

    // ---- helpers ----

    private static void requireGateway(Principal p) {
        if (p.kind() != EntityKind.GATEWAY) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "only a PN GW may do this");
        }
    }

    private static String pnId(String id) {
        if (id == null || !PN_ID.matcher(id).matches()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "invalid PN ID");
        }
        return id;
    }

    private static String key(EntityId gw, String pnId, int batch) {
        return gw + "/" + pnId + "/" + batch;
    }

    private void sweep() {
        Instant now = Instant.now();
        pending.values().removeIf(b -> {
            if (b.expires().isBefore(now)) {
                b.destroy();
                log.info("PN {} batch {} of PN GW {} expired without Authentication responses", b.pnId(), b.batch(), b.gateway());
                return true;
            }
            return false;
        });
    }
}
