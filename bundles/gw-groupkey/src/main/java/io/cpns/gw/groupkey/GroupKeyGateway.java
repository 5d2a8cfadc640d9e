package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GatewayGroup;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.GroupBroadcastInfo;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.GroupKeyManager;
import io.cpns.api.gateway.MemberDelivery;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyPush;
import io.cpns.api.message.GroupKeyRequest;
import io.cpns.api.message.GroupNotify;
import io.cpns.api.message.GroupSync;
import io.cpns.api.message.GroupSyncRequest;
import io.cpns.api.message.GroupTree;
import io.cpns.api.message.GroupTreeRequest;
import io.cpns.api.message.Message;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.groupkey.GroupProtectionPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * what it missed unasked.
 */
@Component(configurationPid = "cpns.gw.groupkey", service = {GatewayGroups.class, GroupKeyGateway.class}, immediate = true)
@Designate(ocd = GroupKeyGateway.Config.class)
public class GroupKeyGateway implements GatewayGroups {
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

        @AttributeDefinition(description = "This PN GW holds a credential module (SIM/USIM/ISIM) and uses it with the CPNS Server: "
                + "then, and only for member PNEs on a secure PAN, messages to a Service Group may go without Group Key "
                + "protection (TS 5.3.3.2)")
        boolean credentialModule() default false;
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
    private final boolean credentialModule;
    private final GroupMessageRelay relay;

    @Activate
    public GroupKeyGateway(@Reference(name = "secrets") SecretStore secrets,
                           @Reference(name = "identity") GatewayIdentity identity,
                           @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.store = new GroupKeyStore(secrets);
        this.log = log;
        this.pullTimeout = Duration.ofMillis(config.pullTimeoutMillis());
        Duration pneTimeout = Duration.ofMillis(config.pneTimeoutMillis());
        this.toPnes = new PneDelivery(() -> pnes, log, pneTimeout, status);
        this.broadcastKeys = new BroadcastKeys(secrets);
        this.broadcast = new BroadcastDelivery(new TreeStore(secrets), broadcastKeys, identity.id().value(), config.topicPrefix(),
                () -> broker, () -> pnes, status, log, pneTimeout);
        this.broadcastEnabled = config.broadcast();
        this.credentialModule = config.credentialModule();
        this.relay = new GroupMessageRelay(() -> pnes, () -> server, store::get, store::key, this::groupKeyRequired, log, pneTimeout);
        log.info("Group Keys loaded: {} Service Groups", store.all().size());
    }

    @Deactivate
    void deactivate() {
        broadcastKeys.wipe();
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
                    .filter(d -> !d.mode().equals("broadcast") || !d.status().equals("delivered") && !d.status().equals("published"))
                    .map(MemberDelivery::pneId).filter(p -> broadcast.has(g.groupId(), p)).toList();
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
        boolean securePan = m != null && m.link(io.cpns.api.EntityId.of(pneId)).map(l -> l.protection().equals("pan")).orElse(false);
        return !GroupProtectionPolicy.mayOmitGroupKey(securePan, credentialModule);
    }

    @Override
    public Optional<GroupBroadcastInfo> broadcast(String groupId) {
        return broadcast.info(groupId);
    }

    /** {@code group.key.push} (seed 003 B.2.1.2 step 8). */
    CompletionStage<Message> pushed(GroupKeyPush p) {
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
            List<String> former = store.get(n.groupId()).map(GatewayGroup::members).orElse(List.of());
            if (store.get(n.groupId()).isPresent()) {
                forget(n.groupId(), former);
                log.info("Service Group {} {}: its Group Key deleted here", n.groupId(), n.deleted() ? "deleted" : "has no member here");
            }
            return CompletableFuture.completedFuture(new Ack());
        }
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
        return pull(n.groupId()).thenApply(k -> new Ack());
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
            for (GatewayGroup held : store.all()) {
                if (!listed.contains(held.groupId())) {
                    forget(held.groupId(), held.members());
                    log.info("Service Group {}: deleted or without member here while the link was down, its Group Key deleted",
                            held.groupId());
                }
            }
            long behind = s.groups().stream().filter(n -> store.get(n.groupId()).map(g -> g.epoch() < n.epoch()).orElse(true)).count();
            log.info("Group Keys: synchronised with the Server, {} Service Groups with members here, {} behind", listed.size(), behind);
            return CompletableFuture.allOf(s.groups().stream().map(n -> notified(n).toCompletableFuture()).toArray(CompletableFuture[]::new));
        }).exceptionally(x -> {
            log.warn("Group Keys: synchronisation with the Server failed ({}); the next change or link-up brings it", String.valueOf(x));
            return null;
        });
    }

    /** Asks the Server for the current Group Key of a group (seed 003 B.2.1.1 steps 9-10). */
    CompletionStage<GatewayGroup> pull(String groupId) {
        ServerLink link = server;
        if (link == null) {
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "no server link on this PN GW"));
        }
        return link.request(new GroupKeyRequest(groupId), pullTimeout).thenApply(m -> {
            GroupKey k = (GroupKey) m;
            try {
                accept(k.groupId(), k.epoch(), k.members(), k.groupKey(), "pulled");
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
            log.info("Service Group {}: Group Key epoch {} {} ({} members here)", groupId, epoch, how, members.size());
            toPnes.delete(groupId, former.stream().filter(p -> !members.contains(p)).toList());
            Set<String> byBroadcast = members.stream().filter(this::receivesBroadcast).collect(Collectors.toSet());
            boolean published = broadcast.update(groupId, epoch, key, byBroadcast);
            // hybrid: unicast for the rest, and for everyone while the broadcast cannot reach the broker
            toPnes.deliver(groupId, epoch, published ? members.stream().filter(p -> !byBroadcast.contains(p)).toList() : members, key);
            status.retain(groupId, members);
        } else {
            log.debug("Service Group {}: epoch {} {} but not newer than the one held", groupId, epoch, how);
        }
    }

    private synchronized void forget(String groupId, List<String> former) {
        store.forget(groupId);
        relay.forget(groupId);
        broadcast.forget(groupId);
        status.forget(groupId);
        toPnes.delete(groupId, former);
    }

    /** Whether a member receives by broadcast: its Device Capabilities say so, and broadcast is on. */
    private boolean receivesBroadcast(String pne) {
        PnInventory inv = inventory;
        return broadcastEnabled && inv != null && inv.pnsOf(pne).stream()
                .flatMap(pn -> pn.members().stream())
                .anyMatch(m -> m.pneId().equals(pne) && "broadcast".equals(m.capabilities().get(CAPABILITY)));
    }

    /** A PNE's link is up: it gets what it may have missed, by its mode, without asking. */
    synchronized void linkUp(PneLink link) {
        if (!PneDelivery.protectedLink(link)) {
            return;
        }
        String pne = link.pneId();
        for (GatewayGroup g : store.all()) {
            if (!g.members().contains(pne)) {
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

    /** {@code group.tree.req}: a broadcast member's catch-up, on a protected link only. */
    synchronized GroupTree treeForPne(PneMessage request) {
        String groupId = ((GroupTreeRequest) request.envelope().body()).groupId();
        String pne = request.envelope().src().value();
        if (!PneDelivery.protectedLink(request.link())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a group tree travels only on a protected link");
        }
        GatewayGroup g = store.get(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP,
                "no Service Group " + groupId + " on this PN GW"));
        byte[] key = store.key(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Group Key of " + groupId));
        try {
            GroupTree t = broadcast.treeOf(groupId, pne, g.epoch(), key); // FORBIDDEN unless in the tree
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
    GroupKey pulledByPne(PneMessage request) {
        String groupId = ((GroupKeyRequest) request.envelope().body()).groupId();
        String pne = request.envelope().src().value();
        if (!PneDelivery.protectedLink(request.link())) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "a Group Key travels only on a protected link");
        }
        GatewayGroup g = store.get(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP,
                "no Service Group " + groupId + " on this PN GW"));
        if (!g.members().contains(pne)) {
            log.warn("PNE {} asked for the Group Key of {}, which it is not a member of", pne, groupId);
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a member of " + groupId);
        }
        byte[] key = store.key(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Group Key of " + groupId));
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
