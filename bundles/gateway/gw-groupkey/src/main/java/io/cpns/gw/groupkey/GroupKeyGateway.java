package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FailureLimiter;
import io.cpns.api.FaultPoints;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GatewayGroup;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.GroupBroadcastInfo;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.GroupKeyManager;
import io.cpns.api.gateway.GroupKeyTraffic;
import io.cpns.api.gateway.MemberDelivery;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PneExpelListener;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneLinkListener;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyPush;
import io.cpns.api.message.GroupKeyRequest;
import io.cpns.api.message.GroupMembership;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.GroupNotify;
import io.cpns.api.message.GroupSync;
import io.cpns.api.message.GroupSyncRequest;
import io.cpns.api.message.GroupTree;
import io.cpns.api.message.GroupTreeRequest;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.groupkey.GroupProtectionPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
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
 * The PN GW's end of Group Key delivery (TS §5.3.2 "deliver", seed 003 B.2.1). From the Server: a
 * pushed key is stored; a notification is answered by pulling the key when this PN GW does not
 * hold that epoch yet (and did not create it as the group's Group Key Manager: then it takes its
 * own, seed 003 §5.3.2); a group without members here, or deleted, is forgotten with its key. To the
 * member PNEs, hybrid per member: by MQTT broadcast over the group's key tree to the members whose
 * Device Capabilities say they receive it ({@value #CAPABILITY}={@code broadcast}) while a broker
 * runs, by unicast over each PNE's protected link to the rest. A PNE whose link comes back gets
 * what it missed unasked. An expelled PNE ({@code gw:expel}) gets nothing more from the moment it
 * is expelled: no key, no tree, no group message, no broker access.
 *
 * <p>What it holds survives what a home router meets (issue 10): a record that does not read back
 * costs only its group, resynced from the Server; a record the disk cannot take stays in force and
 * is written again until it is; a restart never drops a key tree because the PN Inventory is not
 * there yet. Each shows in {@code cpns:health} until it is over.
 */
@Component(configurationPid = "cpns.gw.groupkey", immediate = true,
        service = {GatewayGroups.class, GroupKeyGateway.class, HealthContributor.class, PneExpelListener.class,
            PneRequestHandler.class, ServerRequestHandler.class, PneLinkListener.class},
        // one list for both sides: from PNEs group.key.req, group.tree.req, group.msg; from the Server group.notify,
        // group.key.push, group.msg (each handle method refuses the other side's types)
        property = {"hc.name=Group Keys", "hc.tags=cpns", "hc.tags=readiness", PneRequestHandler.TYPE + "=group.key.req", PneRequestHandler.TYPE + "=group.tree.req",
            PneRequestHandler.TYPE + "=group.msg", PneRequestHandler.TYPE + "=group.notify", PneRequestHandler.TYPE + "=group.key.push"})
@Designate(ocd = GroupKeyGateway.Config.class)
public class GroupKeyGateway implements GatewayGroups, HealthContributor, PneExpelListener, PneRequestHandler, ServerRequestHandler,
        PneLinkListener {
    @ObjectClassDefinition(name = "CPNS PN GW Group Keys", description = "Group Keys delivered by the CPNS Server.")
    public @interface Config {
        @AttributeDefinition(description = "The CPNS Server answers a Group Key pull within this long (ms)")
        int pullTimeoutMillis() default 10000;

        @AttributeDefinition(description = "A member PNE acknowledges a unicast Group Key within this long (ms)")
        int pneTimeoutMillis() default 10000;

        @AttributeDefinition(description = "Broadcast Group Keys over MQTT to the PNEs that can receive them (false: unicast to all)")
        boolean broadcast() default true;

        @AttributeDefinition(description = "MQTT topic of a group's broadcasts: this prefix, then the Service Group ID")
        String topicPrefix() default "cpns/group/";

        @AttributeDefinition(description = "Apply TS 5.3.3.2's exemption: messages to a Service Group may go without Group Key "
                + "protection to member PNEs on a secure PAN, only while this PN GW's session with the CPNS Server uses a credential "
                + "module (SIM-like; e.g. cpns.gw.credential.pkcs11) that holds its EUKey. Without one the setting is refused "
                + "(log, cpns:health)")
        boolean credentialModule() default false;

        @AttributeDefinition(description = "A Group Key or key tree the keystore could not write (e.g. a full disk) stays in force "
                + "and is written again this often (s); a failed catch-up with the Server (group.sync.req) is retried from this "
                + "interval on, doubling up to 5 minutes")
        int storeRetrySeconds() default 5;

        @AttributeDefinition(description = "Service Groups delivered on request (seed 003 B.2.1.1: a key is delivered only when a PNE "
                + "needs it): this PN GW fetches such a group's Group Key from the CPNS Server, and hands it to a member PNE, only when "
                + "that member asks for it (group.key.req), never at a change. Service Group IDs (comma-separated), or * for every "
                + "group; the others get each new key at once, every member", required = false)
        String[] onRequestGroups() default {};
    }

    /** The Device Capability (seed 004 PN Setup) by which a PNE says it receives Group Keys by broadcast. */
    public static final String CAPABILITY = "groupKeyDelivery";

    private final GroupKeyStore store;
    private final Logger log;
    private final Duration pullTimeout;

    // optional and dynamic: a gw-link update must not drop the keys this PN GW holds
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink server;

    // optional and dynamic too: an update of gw-pan (PNE links) leaves the keys where they are
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PneMessenger pnes;

    // optional and dynamic: the PN Inventory (members' capabilities) may be updated on its own
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PnInventory inventory;

    // optional and dynamic: present when this PN GW is a Group Key Manager (gw-keymanager, seed 003 §5.3.2)
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile GroupKeyManager manager;

    private volatile GroupBroker broker;

    private final PneDelivery toPnes;
    private final BroadcastKeys broadcastKeys;
    private final BroadcastDelivery broadcast;
    private final DeliveryStatus status = new DeliveryStatus();
    private final boolean broadcastEnabled;
    private final CredentialModuleGate credentialModule;
    private final GroupMessageRelay relay;
    private final Records records;
    private final ScheduledExecutorService timer;
    private final Duration retry;
    private final FailureLimiter syncFailures;
    private final AtomicBoolean resyncQueued = new AtomicBoolean();
    /** Service Groups delivered on request ({@code onRequestGroups}); {@code *} is every group. */
    private final Set<String> onRequest;
    /**
     * The Server's word on each group with members here: its newest epoch and members here (every
     * notification, push, pull answer and sync). Whether a key is held or not (on request), this says
     * which groups a PNE still belongs to. In memory: the sync at each link-up gives it all again.
     */
    private final Map<String, GroupNotify> announced = new ConcurrentHashMap<>();
    /** At least one sync with the Server since this component started: {@link #announced} is complete. */
    private volatile boolean synced;
    /** PNEs that may hold the key of a group they are no longer in here (persistent). */
    private final OwedDeletions owed;
    /** PNEs whose link came up before the first sync: told their groups after it. */
    private final Set<String> owedMembership = ConcurrentHashMap.newKeySet();
    /** Fetches on request in flight: members asking at once cost one request to the Server. */
    private final Map<String, CompletableFuture<GatewayGroup>> fetching = new ConcurrentHashMap<>();
    /** Expelled here; out of every group until an operator admits it to a PN again (kept in memory: the Server's rekey follows). */
    private final Set<String> expelled = ConcurrentHashMap.newKeySet();

    /**
     * The wire entry points of this flow from PNEs (PneRequestHandler, on the PNE link's reader
     * thread): a member pulls its Group Key or key tree, or sends a group message (seed 003).
     */
    @Override
    public CompletionStage<Message> handle(PneMessage request) {
        return switch (request.envelope().type()) {
            case GROUP_KEY_REQUEST -> pulledByPne(request);
            case GROUP_TREE_REQUEST -> CompletableFuture.completedFuture(treeForPne(request));
            case GROUP_MSG -> {
                if (!PneDelivery.protectedLink(request.link())) {
                    throw new CpnsException(ErrorCode.FORBIDDEN, "group messages travel only on a protected link");
                }
                relay().fromPne((GroupMsg) request.envelope().body(), request.link());
                yield CompletableFuture.completedFuture(new Ack());
            }
            default -> throw Failures.unavailable(request.envelope().type(), "this PN GW");
        };
    }

    /**
     * The wire entry points of this flow from the Server (ServerRequestHandler, on gw-link's thread
     * for the Server's requests): a Group Key notified or pushed (seed 003 B.2.1.2), a group message
     * to relay to the members here.
     */
    @Override
    public CompletionStage<Message> handle(Message request) {
        MessageType type = MessageType.of(request.getClass());
        return switch (type) {
            case GROUP_NOTIFY -> notified((GroupNotify) request);
            case GROUP_KEY_PUSH -> pushed((GroupKeyPush) request);
            case GROUP_MSG -> {
                GroupMsg m = (GroupMsg) request;
                yield readyToRelay(m.groupId()).thenApply(v -> {
                    relay().fromServer(m);
                    return new Ack();
                });
            }
            default -> throw Failures.unavailable(type, "this PN GW");
        };
    }

    @Activate
    public GroupKeyGateway(@Reference(name = "secrets") SecretStore secrets,
                           @Reference(name = "identity") GatewayIdentity identity,
                           @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.log = log;
        this.retry = Duration.ofSeconds(Math.max(1, config.storeRetrySeconds()));
        this.syncFailures = new FailureLimiter(0, retry, Duration.ofMinutes(5).compareTo(retry) > 0 ? Duration.ofMinutes(5) : retry);
        this.records = new Records(secrets, log, retry);
        this.store = new GroupKeyStore(records);
        this.pullTimeout = Duration.ofMillis(config.pullTimeoutMillis());
        Duration pneTimeout = Duration.ofMillis(config.pneTimeoutMillis());
        this.owed = new OwedDeletions(records);
        this.toPnes = new PneDelivery(() -> pnes, log, pneTimeout, status, owed);
        this.broadcastKeys = new BroadcastKeys(secrets, log);
        TreeStore trees = new TreeStore(records);
        if (broadcastKeys.renewed()) {
            trees.deleteAll(); // made under keys this PN GW no longer has: rebuilt once synchronised (reconcile)
        }
        this.broadcast = new BroadcastDelivery(trees, broadcastKeys, identity.id().value(), config.topicPrefix(),
                this::brokerForTrees, () -> pnes, status, log, pneTimeout);
        this.broadcastEnabled = config.broadcast();
        this.credentialModule = new CredentialModuleGate(config.credentialModule(), log);
        // a .cfg file gives one string: "sg-a, sg-b" is two groups there, as in a typed list
        this.onRequest = config.onRequestGroups() == null ? Set.of() : java.util.Arrays.stream(config.onRequestGroups())
                .flatMap(g -> java.util.Arrays.stream(g.split(","))).map(String::trim).filter(g -> !g.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        this.relay = new GroupMessageRelay(() -> pnes, () -> server, this::withoutExpelled, store::key, this::groupKeyRequired, log,
                pneTimeout);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-gw-groupkey");
            t.setDaemon(true);
            return t;
        });
        records.onQuarantine(this::quarantined); // records found bad while loading need nothing more: the link-up's sync brings them
        timer.scheduleWithFixedDelay(records::retry, retry.toMillis(), retry.toMillis(), TimeUnit.MILLISECONDS);
        // TS 5.3.3.2 condition 2 followed as it changes (module gone, token pulled): logged when it does, not only when asked
        timer.scheduleWithFixedDelay(() -> credentialModule.applies(server), retry.toMillis(), retry.toMillis(), TimeUnit.MILLISECONDS);
        log.info("Group Keys loaded: {} Service Groups", store.all().size());
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        broadcastKeys.wipe();
        List<String> unwritten = records.problems();
        if (!unwritten.isEmpty()) {
            log.warn("stopping with {} Group Key problem(s) not resolved; the Server gives the keys again at the next sync: {}",
                    unwritten.size(), unwritten);
        }
    }

    /** Writes the records the keystore could not take before (the timer does it every {@code storeRetrySeconds}). */
    void retryWrites() {
        records.retry();
    }

    /** {@code cpns:health}: records set aside or not yet written, each with where and how it recovers. */
    @Override
    public List<String> problems() {
        List<String> refused = credentialModule.problems(server);
        return refused.isEmpty() ? records.problems()
                : java.util.stream.Stream.concat(records.problems().stream(), refused.stream()).toList();
    }

    /**
     * {@code gw:expel} (TS §5.3.2): the PNE is out of every group here at once. Its broker access
     * is revoked now; it gets no key, tree or group message from here on; the key trees drop it
     * (off this thread). The Server's rekey of each group without it follows (pn.member.remove).
     */
    @Override
    public void expelled(String pneId) {
        expelled.add(pneId);
        GroupBroker b = broker;
        if (b != null) {
            try {
                b.revoke(pneId);
            } catch (RuntimeException e) {
                log.warn("MQTT broker access of expelled PNE {} not revoked: {}", pneId, e.toString());
            }
        }
        List<String> in = store.all().stream().filter(g -> g.members().contains(pneId)).map(GatewayGroup::groupId).toList();
        for (GatewayGroup g : store.all()) {
            status.retain(g.groupId(), g.members().stream().filter(p -> !p.equals(pneId)).toList());
        }
        log.info("PNE {} expelled: its MQTT broker access revoked, no Group Key or group message for it here any more (Service Groups {}); "
                + "the CPNS Server rekeys them without it", pneId, in);
        timer.execute(this::reconcile);
    }

    /** Expelled, and not admitted to a PN here again since (a new PN Establishment lifts it). */
    private boolean isExpelled(String pne) {
        if (!expelled.contains(pne)) {
            return false;
        }
        PnInventory inv = inventory;
        if (inv != null && !inv.pnsOf(pne).isEmpty()) {
            expelled.remove(pne);
            return false;
        }
        return true;
    }

    /** A group as messages are relayed in it: without its expelled members. */
    private Optional<GatewayGroup> withoutExpelled(String groupId) {
        return store.get(groupId).map(g -> expelled.isEmpty() ? g : new GatewayGroup(g.groupId(), g.epoch(), g.keyFingerprint(),
                g.members().stream().filter(p -> !isExpelled(p)).toList(), g.received()));
    }

    /** The broker as the key trees use it: whatever a tree still holds, an expelled PNE is never granted again. */
    private GroupBroker brokerForTrees() {
        GroupBroker b = broker;
        if (b == null || expelled.isEmpty()) {
            return b;
        }
        return new GroupBroker() {
            @Override
            public String uri() {
                return b.uri();
            }

            @Override
            public void publish(String topic, byte[] payload, boolean retain) {
                b.publish(topic, payload, retain);
            }

            @Override
            public void grant(String user, char[] password, Set<String> topics) {
                if (isExpelled(user)) {
                    b.revoke(user);
                } else {
                    b.grant(user, password, topics);
                }
            }

            @Override
            public void revoke(String user) {
                b.revoke(user);
            }
        };
    }

    /** A record set aside while running: a Group Key's group is no longer held; the Server gives it again. */
    private void quarantined(String alias) {
        if (alias.startsWith(GroupKeyStore.PREFIX)) {
            store.lost(alias.substring(GroupKeyStore.PREFIX.length()));
        }
        timer.execute(this::sync);
    }

    /** The broker (gw-mqtt) may come and go on its own; when it comes it learns the grants again and gets the last broadcasts. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindBroker(GroupBroker b) {
        broker = b;
        broadcast.brokerUp();
        welcomeWaiting();
    }

    /**
     * Broadcast members whose welcome could not go while there was no broker (they got the key by
     * unicast meanwhile) get it now, if connected; the others have their tree, and catch up by
     * unicast once they are subscribed again.
     */
    private synchronized void welcomeWaiting() {
        for (GatewayGroup g : store.all()) {
            List<String> waiting = status.of(g.groupId()).stream()
                    .filter(d -> d.mode() != MemberDelivery.Mode.BROADCAST || !d.reached())
                    .map(MemberDelivery::pneId).filter(p -> broadcast.has(g.groupId(), p) && !isExpelled(p)).toList();
            if (waiting.isEmpty()) {
                continue;
            }
            byte[] key = store.key(g.groupId()).orElse(null);
            if (key != null) {
                try {
                    waiting.forEach(p -> broadcast.welcome(g.groupId(), p, g.epoch(), key));
                } finally {
                    Bytes.wipe(key);
                }
            }
        }
    }

    void unbindBroker(GroupBroker b) {
        if (broker == b) {
            broker = null;
        }
    }

    @Override
    public List<GatewayGroup> groups() {
        return store.all();
    }

    @Override
    public Optional<GatewayGroup> group(String groupId) {
        return store.get(groupId);
    }

    @Override
    public List<MemberDelivery> deliveries(String groupId) {
        return status.of(groupId);
    }

    @Override
    public boolean groupKeyRequired(String pneId) {
        PneMessenger m = pnes;
        boolean securePan = m != null && m.link(io.cpns.api.EntityId.of(pneId)).map(PneLink::onSecurePan).orElse(false);
        return !GroupProtectionPolicy.mayOmitGroupKey(securePan, securePan && credentialModule.applies(server));
    }

    @Override
    public Optional<GroupBroadcastInfo> broadcast(String groupId) {
        return broadcast.info(groupId);
    }

    @Override
    public Optional<GroupKeyTraffic> traffic(String groupId) {
        GroupNotify a = announced.get(groupId);
        Optional<GatewayGroup> held = store.get(groupId);
        if (a == null && held.isEmpty()) {
            return Optional.empty();
        }
        long epoch = Math.max(a == null ? 0 : a.epoch(), held.map(GatewayGroup::epoch).orElse(0L));
        return Optional.of(new GroupKeyTraffic(groupId, onRequest(groupId), epoch, status.fromServerCount(groupId),
                status.sentCounts(groupId)));
    }

    /** Whether the group is delivered on request ({@code onRequestGroups}, seed 003 B.2.1.1). */
    boolean onRequest(String groupId) {
        return onRequest.contains(groupId) || onRequest.contains("*");
    }

    /** The Server's newest word on a group (an older epoch never replaces a newer one). */
    private void announce(GroupNotify n) {
        announced.merge(n.groupId(), n, (old, x) -> old.epoch() > x.epoch() ? old : x);
    }

    /** {@code group.key.push} (seed 003 B.2.1.2 step 8). */
    CompletionStage<Message> pushed(GroupKeyPush p) {
        status.fromServer(p.groupId());
        announce(new GroupNotify(p.groupId(), p.epoch(), p.members(), false));
        try {
            accept(p.groupId(), p.epoch(), p.members(), p.groupKey(), "pushed");
        } finally {
            Bytes.wipe(p.groupKey());
        }
        return CompletableFuture.completedFuture(new Ack());
    }

    /** {@code group.notify} (seed 003 B.2.1.1 step 7): forget, or pull what this PN GW lacks (steps 8-11). */
    CompletionStage<Message> notified(GroupNotify n) {
        if (n.deleted() || n.members().isEmpty()) {
            announced.remove(n.groupId());
            List<String> former = store.get(n.groupId()).map(GatewayGroup::members).orElse(List.of());
            if (store.get(n.groupId()).isPresent()) {
                forget(n.groupId(), former);
                log.info("Service Group {} {}: its Group Key deleted here", n.groupId(), n.deleted() ? "deleted" : "has no member here");
            }
            return CompletableFuture.completedFuture(new Ack());
        }
        announce(n);
        if (store.get(n.groupId()).map(g -> g.epoch() >= n.epoch()).orElse(false)) {
            return CompletableFuture.completedFuture(new Ack());
        }
        GroupKeyManager m = manager;
        Optional<byte[]> own = m == null ? Optional.empty() : m.groupKey(n.groupId(), n.epoch());
        if (own.isPresent()) { // direct delivery (seed 003 §5.3.2): the key was created here, no need to ask for it
            try {
                accept(n.groupId(), n.epoch(), n.members(), own.get(), "created here as Group Key Manager");
            } finally {
                Bytes.wipe(own.get());
            }
            return CompletableFuture.completedFuture(new Ack());
        }
        if (onRequest(n.groupId())) {
            awaitRequest(n);
            return CompletableFuture.completedFuture(new Ack());
        }
        return pull(n.groupId()).thenApply(k -> new Ack());
    }

    /**
     * On request (seed 003 B.2.1.1): a new epoch is only noted; the key is fetched when a member
     * asks. The key held until now is dropped at once: it is of an older epoch, which a member that
     * left may know, so it neither relays nor answers any more. Who left is told to delete it.
     */
    private synchronized void awaitRequest(GroupNotify n) {
        GatewayGroup held = store.get(n.groupId()).orElse(null);
        if (held != null) {
            store.forget(n.groupId());
            relay.forget(n.groupId());
            broadcast.forget(n.groupId());
            toPnes.delete(n.groupId(), held.members().stream().filter(p -> !n.members().contains(p)).toList());
        }
        status.retain(n.groupId(), n.members());
        log.info("Service Group {}: Group Key epoch {} announced ({} members here); fetched when a member asks for it (on request)",
                n.groupId(), n.epoch(), n.members().size());
    }

    /**
     * {@code group.sync.req} after the link to the Server comes up: what changed while this PN GW
     * was away. A listed group at a newer epoch is handled as its notification would have been; a
     * held group no longer listed (deleted, or no member here any more) is forgotten.
     */
    CompletionStage<Void> sync() {
        ServerLink link = server;
        if (link == null) {
            return CompletableFuture.completedFuture(null);
        }
        return link.request(new GroupSyncRequest(), pullTimeout).thenCompose(m -> {
            GroupSync s = (GroupSync) m;
            Set<String> listed = s.groups().stream().map(GroupNotify::groupId).collect(Collectors.toSet());
            announced.keySet().retainAll(listed);
            s.groups().forEach(this::announce);
            for (GatewayGroup held : store.all()) {
                if (!listed.contains(held.groupId())) {
                    forget(held.groupId(), held.members());
                    log.info("Service Group {}: deleted or without member here while the link was down, its Group Key deleted",
                            held.groupId());
                }
            }
            long behind = s.groups().stream().filter(n -> store.get(n.groupId()).map(g -> g.epoch() < n.epoch()).orElse(true)).count();
            log.info("Group Keys: synchronised with the Server, {} Service Groups with members here, {} behind", listed.size(), behind);
            synced = true;
            tellOwedMemberships();
            return CompletableFuture.allOf(s.groups().stream().map(n -> notified(n).toCompletableFuture()).toArray(CompletableFuture[]::new));
        }).handle((v, x) -> {
            if (x == null) {
                syncFailures.succeeded("sync");
            } else {
                Duration next = syncFailures.failed("sync");
                log.warn("Group Keys: synchronisation with the Server failed ({}); tried again in {} s", Records.rootCause(x),
                        next.toSeconds());
                resyncIn(next);
            }
            reconcile();
            return null;
        });
    }

    /** Another {@code group.sync.req} after {@code delay}, while the link is up (one queued at a time). */
    private void resyncIn(Duration delay) {
        if (server != null && resyncQueued.compareAndSet(false, true)) {
            timer.schedule(() -> {
                resyncQueued.set(false);
                sync();
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Each group's key tree holds exactly its members here that receive by broadcast: a tree that
     * was lost (quarantined, made under renewed broadcast keys) is rebuilt and its members welcomed,
     * a member that joined while the PN Inventory was not there joins the tree, an expelled one
     * leaves it. The Group Key stays the same; only the tree changes.
     */
    synchronized void reconcile() {
        for (GatewayGroup g : store.all()) {
            List<String> here = g.members().stream().filter(p -> !isExpelled(p)).toList();
            Set<String> want = onRequest(g.groupId()) ? Set.of()
                    : here.stream().filter(p -> receivesBroadcast(g.groupId(), p)).collect(Collectors.toSet());
            long inTree = broadcast.info(g.groupId()).map(GroupBroadcastInfo::members).orElse(0);
            if (inTree == want.size() && want.stream().allMatch(p -> broadcast.has(g.groupId(), p))) {
                continue;
            }
            Optional<byte[]> key = store.key(g.groupId());
            if (key.isEmpty()) {
                continue;
            }
            try {
                log.info("Service Group {}: key tree brought in line with its members here ({} by broadcast, {} in the tree before)",
                        g.groupId(), want.size(), inTree);
                broadcast.update(g.groupId(), g.epoch(), key.get(), want);
                status.retain(g.groupId(), here);
            } catch (RuntimeException e) {
                log.warn("Service Group {}: key tree not brought in line: {}", g.groupId(), e.toString());
            } finally {
                Bytes.wipe(key.get());
            }
        }
    }

    /** Asks the Server for the current Group Key of a group (seed 003 B.2.1.1 steps 9-10). */
    CompletionStage<GatewayGroup> pull(String groupId) {
        ServerLink link = server;
        if (link == null) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "no server link on this PN GW"));
        }
        return link.request(new GroupKeyRequest(groupId), pullTimeout).thenApply(m -> {
            GroupKey k = (GroupKey) m;
            status.fromServer(groupId);
            announce(new GroupNotify(k.groupId(), k.epoch(), k.members(), false));
            try {
                accept(k.groupId(), k.epoch(), k.members(), k.groupKey(), onRequest(groupId) ? "fetched on request" : "pulled");
            } finally {
                Bytes.wipe(k.groupKey());
            }
            return store.get(groupId).orElseThrow();
        });
    }

    private synchronized void accept(String groupId, long epoch, List<String> members, byte[] key, String how) {
        List<String> former = store.get(groupId).map(GatewayGroup::members).orElse(List.of());
        if (members.isEmpty()) {
            forget(groupId, former);
            log.info("Service Group {} epoch {}: no member here any more, its Group Key deleted", groupId, epoch);
        } else if (store.put(groupId, epoch, members, key)) {
            FaultPoints.reach("groupkey.stored"); // held (on disk unless it is full), not yet delivered to any member
            log.info("Service Group {}: Group Key epoch {} {} ({} members here)", groupId, epoch, how, members.size());
            toPnes.delete(groupId, former.stream().filter(p -> !members.contains(p)).toList());
            if (onRequest(groupId)) { // no key tree and nothing unasked: each member gets it when it asks (pulledByPne)
                broadcast.forget(groupId);
                status.retain(groupId, members);
                return;
            }
            // an expelled PNE the Server still lists (its removal not processed yet) gets nothing
            List<String> here = members.stream().filter(p -> !isExpelled(p)).toList();
            Set<String> byBroadcast = here.stream().filter(p -> receivesBroadcast(groupId, p)).collect(Collectors.toSet());
            boolean published = broadcast.update(groupId, epoch, key, byBroadcast);
            // hybrid: unicast for the rest, and for everyone while the broadcast cannot reach the broker
            toPnes.deliver(groupId, epoch, published ? here.stream().filter(p -> !byBroadcast.contains(p)).toList() : here, key);
            status.retain(groupId, here);
        } else {
            log.debug("Service Group {}: epoch {} {} but not newer than the one held", groupId, epoch, how);
        }
    }

    private synchronized void forget(String groupId, List<String> former) {
        announced.remove(groupId);
        store.forget(groupId);
        relay.forget(groupId);
        broadcast.forget(groupId);
        status.forget(groupId);
        toPnes.delete(groupId, former);
    }

    /**
     * Whether a member receives by broadcast: broadcast is on and its Device Capabilities say so.
     * While the PN Inventory is not there (starting, being updated) or does not know the PNE, what
     * the group's key tree knows stands: a transient absence never drops a tree (issue 10).
     */
    private boolean receivesBroadcast(String groupId, String pne) {
        if (!broadcastEnabled || isExpelled(pne)) {
            return false;
        }
        PnInventory inv = inventory;
        Optional<String> said = inv == null ? Optional.empty() : inv.pnsOf(pne).stream().flatMap(pn -> pn.members().stream())
                .filter(m -> m.pneId().equals(pne)).findFirst().map(m -> String.valueOf(m.capabilities().get(CAPABILITY)));
        return said.map("broadcast"::equals).orElseGet(() -> broadcast.has(groupId, pne));
    }

    /** PneLinkListener (gw-pan's timer thread): a PNE's link is up: it gets what it may have missed, by its mode, without asking. */
    @Override
    public synchronized void linkUp(PneLink link) {
        if (!PneDelivery.protectedLink(link)) {
            return;
        }
        String pne = link.pneId();
        if (isExpelled(pne)) {
            return;
        }
        if (synced) {
            tellMembership(pne);
        } else {
            owedMembership.add(pne); // told once the Server has said which groups still exist
        }
        for (GatewayGroup g : store.all()) {
            if (!g.members().contains(pne) || onRequest(g.groupId())) { // on request: it asks when it needs the key
                continue;
            }
            byte[] key = store.key(g.groupId()).orElse(null);
            if (key == null) {
                continue;
            }
            try {
                if (broadcast.has(g.groupId(), pne)) {
                    broadcast.welcome(g.groupId(), pne, g.epoch(), key);
                } else {
                    toPnes.deliver(g.groupId(), g.epoch(), List.of(pne), key);
                }
            } finally {
                Bytes.wipe(key);
            }
        }
    }

    /**
     * {@code group.membership} (TS §5.3.2 "SG member PNEs delete Group Key"): the groups a PNE still
     * belongs to here, so that it deletes the keys of groups deleted, or left, while its link was down.
     */
    private void tellMembership(String pne) {
        PneMessenger m = pnes;
        if (m == null || isExpelled(pne) || m.link(io.cpns.api.EntityId.of(pne)).filter(PneDelivery::protectedLink).isEmpty()) {
            return;
        }
        List<String> groups = announced.values().stream().filter(n -> n.members().contains(pne)).map(GroupNotify::groupId).sorted().toList();
        if (groups.isEmpty() && !owed.has(pne)) {
            return; // in no group here, and never left one unseen: it holds no Group Key of this PN GW
        }
        m.request(io.cpns.api.EntityId.of(pne), new GroupMembership(groups), toPnes.timeout()).whenComplete((r, x) -> {
            if (x == null) {
                owed.done(pne);
            } else {
                log.info("PNE {} not told its Service Groups ({}): {}; told at its next link-up", pne, groups, Records.rootCause(x));
            }
        });
    }

    /** Whether {@code pne} may hold the key of a group it is no longer in here, and is told its groups at its next link-up. */
    boolean owesDeletion(String pne) {
        return owed.has(pne);
    }

    private void tellOwedMemberships() {
        for (String pne : List.copyOf(owedMembership)) {
            owedMembership.remove(pne);
            tellMembership(pne);
        }
    }

    /** {@code group.tree.req}: a broadcast member's catch-up, on a protected link only. */
    synchronized GroupTree treeForPne(PneMessage request) {
        String groupId = ((GroupTreeRequest) request.envelope().body()).groupId();
        String pne = request.envelope().src().value();
        if (!PneDelivery.protectedLink(request.link())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a group tree travels only on a protected link");
        }
        if (isExpelled(pne)) {
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " was expelled");
        }
        GatewayGroup g = store.get(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP,
                "no Service Group " + groupId + " on this PN GW"));
        byte[] key = store.key(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Group Key of " + groupId));
        try {
            GroupTree t = broadcast.treeOf(groupId, pne, g.epoch(), key); // FORBIDDEN unless in the tree
            status.sent(groupId, pne);
            log.info("PNE {} caught up on {} (Group Key epoch {}) by unicast", pne, groupId, g.epoch());
            return t;
        } finally {
            Bytes.wipe(key);
        }
    }

    /**
     * {@code group.key.req} from a PNE (pull, seed 003 "Pull from group members"): the current
     * Group Key of a group it is a member of, on a protected link only.
     */
    CompletionStage<Message> pulledByPne(PneMessage request) {
        String groupId = ((GroupKeyRequest) request.envelope().body()).groupId();
        String pne = request.envelope().src().value();
        if (!PneDelivery.protectedLink(request.link())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a Group Key travels only on a protected link");
        }
        GroupNotify a = announced.get(groupId);
        if (onRequest(groupId) && a != null && store.get(groupId).map(g -> g.epoch() < a.epoch()).orElse(true)) {
            if (!a.members().contains(pne) || isExpelled(pne)) {
                log.warn("PNE {} asked for the Group Key of {}, which it is not a member of", pne, groupId);
                throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a member of " + groupId);
            }
            return fetchOnRequest(groupId).thenApply(g -> answer(groupId, pne));
        }
        return CompletableFuture.completedFuture(answer(groupId, pne));
    }

    /** One fetch from the Server per group at a time, however many members ask meanwhile (seed 003 B.2.1.1 steps 9-10). */
    private CompletionStage<GatewayGroup> fetchOnRequest(String groupId) {
        CompletableFuture<GatewayGroup> mine = new CompletableFuture<>();
        CompletableFuture<GatewayGroup> running = fetching.putIfAbsent(groupId, mine);
        if (running != null) {
            return running;
        }
        pull(groupId).whenComplete((g, x) -> {
            fetching.remove(groupId, mine);
            if (x != null) {
                mine.completeExceptionally(x);
            } else {
                mine.complete(g);
            }
        });
        return mine;
    }

    /**
     * A group message from the Server for a group delivered on request whose current key is not
     * fetched yet: the members here need it to open the message, so it is fetched now.
     */
    CompletionStage<Void> readyToRelay(String groupId) {
        GroupNotify a = announced.get(groupId);
        if (onRequest(groupId) && a != null && store.get(groupId).map(g -> g.epoch() < a.epoch()).orElse(true)) {
            return fetchOnRequest(groupId).thenApply(g -> null);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** The held Group Key for a member that asked. */
    private GroupKey answer(String groupId, String pne) {
        GatewayGroup g = store.get(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP,
                "no Service Group " + groupId + " on this PN GW"));
        if (!g.members().contains(pne) || isExpelled(pne)) {
            log.warn("PNE {} asked for the Group Key of {}, which it is not a member of", pne, groupId);
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a member of " + groupId);
        }
        byte[] key = store.key(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Group Key of " + groupId));
        status.sent(groupId, pne);
        status.set(groupId, pne, onRequest(groupId) ? MemberDelivery.Mode.REQUEST : MemberDelivery.Mode.UNICAST, g.epoch(),
                MemberDelivery.Status.DELIVERED);
        return new GroupKey(groupId, g.epoch(), g.members(), key);
    }

    /** Messages to a Service Group through this PN GW (TS §5.3.3.2). */
    GroupMessageRelay relay() {
        return relay;
    }

    /** A copy of a group's current Group Key, for delivery to its PNEs (the caller wipes it). */
    Optional<byte[]> groupKey(String groupId) {
        return store.key(groupId);
    }
}
