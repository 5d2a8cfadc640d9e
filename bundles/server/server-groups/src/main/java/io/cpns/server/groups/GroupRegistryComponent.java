package io.cpns.server.groups;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.LinkProtection;
import io.cpns.api.UserId;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.GroupKeyRequest;
import io.cpns.api.message.Message;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyRegister;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.GroupNotify;
import io.cpns.api.message.GroupSync;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.Principal;
import io.cpns.api.server.RequestHandler;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.ServiceGroup;
import io.cpns.api.server.UserRegistry;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.RekeyTimer;
import io.cpns.server.store.GroupStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
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
 * Service Groups on the CPNS Server and their Group Keys (TS §5.3.2): created with the group,
 * a fresh one at every join, leave and expel and periodically, deleted with the group. The key of
 * each epoch is sealed for the database and written with the membership change that caused it.
 * A group may have a PN GW as its Group Key Manager (seed 003 §5.3.2, distributed topology): then
 * that PN GW creates every key and the Server stores and relays it (indirect delivery). Changes to
 * one group are serialized here, so a manager is asked for each epoch once.
 */
@Component(configurationPid = "cpns.server.groups", service = {GroupRegistry.class, GroupRegistryComponent.class, RequestHandler.class},
        immediate = true, property = {RequestHandler.TYPE + "=group.key.register", RequestHandler.TYPE + "=group.key.req",
            RequestHandler.TYPE + "=group.sync.req", RequestHandler.TYPE + "=group.msg"})
@Designate(ocd = GroupRegistryComponent.Config.class)
public class GroupRegistryComponent implements GroupRegistry, RequestHandler {
    @ObjectClassDefinition(name = "CPNS Server Service Groups", description = "Service Groups and their Group Keys.")
    public @interface Config {
        @AttributeDefinition(description = "Periodic Group Key update (TS §5.3.2): a group's key is renewed when it is this many hours "
                + "old, counted from when it was made (a restart does not postpone it); 0 = none")
        int updateHours() default 24;

        @AttributeDefinition(description = "Delivery to PN GWs (seed 003 B.2.1): push = the key itself; pull = a notification, "
                + "the PN GW asks for the key", options = {
                    @org.osgi.service.metatype.annotations.Option(value = "push"),
                    @org.osgi.service.metatype.annotations.Option(value = "pull")})
        String delivery() default "push";

        @AttributeDefinition(description = "A PN GW answers a delivery within this long (ms)")
        int deliveryTimeoutMillis() default 10000;
    }

    private final GroupStore store;
    private final EntityRegistry entities;
    private final UserRegistry users;
    private final Logger log;
    private final GroupKeySealer sealer;
    private final Clock clock;
    private final RekeyTimer rekeys; // null: no periodic update
    private final GroupDelivery delivery;
    private final GroupKeySource keys;
    private final GroupMessageForwarder messages;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    // optional and dynamic: groups are managed while the endpoint or the PN side is being updated
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerEndpoint endpoint;

    /** The wire entry points of this flow (RequestHandler, on the sender's session thread). */
    @Override
    public Message handle(Principal from, Envelope request) {
        return switch (request.type()) {
            case GROUP_KEY_REGISTER -> {
                register(from, (GroupKeyRegister) request.body());
                yield new Ack();
            }
            case GROUP_KEY_REQUEST -> pull(from, ((GroupKeyRequest) request.body()).groupId());
            case GROUP_SYNC_REQUEST -> sync(from);
            case GROUP_MSG -> {
                forwardMessage(from, (GroupMsg) request.body());
                yield new Ack();
            }
            default -> throw Failures.unavailable(request.type(), "this server");
        };
    }

    @Activate
    public GroupRegistryComponent(@Reference(name = "store") GroupStore store, @Reference(name = "entities") EntityRegistry entities,
                                  @Reference(name = "users") UserRegistry users, @Reference(name = "secrets") SecretStore secrets,
                                  @Reference(name = "pns") PnRegistry pns,
                                  @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this(store, entities, users, secrets, pns, log, config, Clock.systemUTC());
    }

    /** With the clock that stamps each key and decides when it is due (tests move it). */
    GroupRegistryComponent(GroupStore store, EntityRegistry entities, UserRegistry users, SecretStore secrets, PnRegistry pns, Logger log,
                           Config config, Clock clock) {
        this.store = store;
        this.clock = clock;
        this.entities = entities;
        this.users = users;
        this.log = log;
        this.sealer = new GroupKeySealer(secrets);
        if (!config.delivery().equals("push") && !config.delivery().equals("pull")) {
            throw new IllegalArgumentException("delivery must be push or pull, not " + config.delivery());
        }
        Duration timeout = Duration.ofMillis(config.deliveryTimeoutMillis());
        this.delivery = new GroupDelivery(pns, () -> endpoint, log, config.delivery().equals("push"), timeout);
        this.keys = new GroupKeySource(() -> endpoint, timeout, log);
        this.messages = new GroupMessageForwarder(delivery, () -> endpoint, log, timeout);
        if (config.updateHours() > 0) {
            Duration period = Duration.ofHours(config.updateHours());
            Duration retry = period.compareTo(RETRY) < 0 ? period : RETRY;
            this.rekeys = new RekeyTimer("cpns-server-groups-update", clock, period, retry,
                    () -> store.keyTimes().stream().map(k -> new RekeyTimer.KeyAge(k.groupId(), k.epoch(), k.updated())).toList(),
                    this::periodicUpdate, (k, e) -> log.warn("periodic Group Key update of {} failed (retried in {} min): {}",
                            k == null ? "the Service Groups" : k.groupId(), retry.toMinutes(), e.toString())).start();
        } else {
            this.rekeys = null;
        }
    }

    /** A group whose periodic update failed (its Group Key Manager offline) is tried again this much later. */
    private static final Duration RETRY = Duration.ofMinutes(15);

    @Deactivate
    void deactivate() {
        if (rekeys != null) {
            rekeys.close();
        }
        sealer.close();
    }

    @Override
    public ServiceGroup create(String groupId, UserId owner) {
        return create(groupId, owner, null);
    }

    @Override
    public ServiceGroup create(String groupId, UserId owner, EntityId keyManager) {
        EntityId.of(groupId); // the same syntax as Entity IDs: INVALID_ARGUMENT otherwise
        if (!users.list().contains(owner)) {
            throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no CPNS User " + owner);
        }
        checkManager(keyManager, owner);
        ReentrantLock held = lock(groupId);
        held.lock();
        try {
            if (store.group(groupId).isPresent()) {
                throw exists(groupId);
            }
            byte[] key = keys.create(groupId, 1, keyManager);
            try {
                if (!store.createGroup(groupId, owner, now(), sealer.seal(groupId, 1, key), Suites.fingerprint(key), keyManager)) {
                    keys.release(groupId, keyManager);
                    throw exists(groupId);
                }
            } finally {
                Bytes.wipe(key);
            }
        } finally {
            held.unlock();
        }
        log.info("Service Group {} of {} created, Group Key epoch 1{}", groupId, owner,
                keyManager == null ? "" : " by its Group Key Manager " + keyManager);
        return require(groupId);
    }

    @Override
    public ServiceGroup assignKeyManager(String groupId, EntityId keyManager) {
        ReentrantLock held = lock(groupId);
        held.lock();
        try {
            ServiceGroup g = require(groupId);
            checkManager(keyManager, g.owner());
            if (java.util.Objects.equals(keyManager, g.keyManager())) {
                return g;
            }
            long epoch = g.epoch() + 1;
            byte[] key = keys.create(groupId, epoch, keyManager); // the new manager's first key
            try {
                if (!store.assignKeyManager(groupId, keyManager, epoch, sealer.seal(groupId, epoch, key), Suites.fingerprint(key), now())) {
                    throw new CpnsException(ErrorCode.UNAVAILABLE, groupId + " changed meanwhile; try again");
                }
                log.info("Service Group {}: Group Key Manager {} (was {}), Group Key epoch {}", groupId,
                        keyManager == null ? "the Server" : keyManager, g.manager().map(EntityId::value).orElse("the Server"), epoch);
                keys.release(groupId, g.keyManager());
                ServiceGroup now = require(groupId);
                delivery.deliver(now, key, List.of());
                FaultPoints.reach("server.groups.delivered"); // sent to the PN GWs (asynchronously), the change not yet answered
                return now;
            } finally {
                Bytes.wipe(key);
            }
        } finally {
            held.unlock();
        }
    }

    @Override
    public boolean delete(String groupId) {
        Optional<ServiceGroup> g = store.group(groupId);
        boolean existed = store.deleteGroup(groupId);
        if (existed) {
            log.info("Service Group {} deleted with its Group Key", groupId);
            g.ifPresent(delivery::deleted);
            g.ifPresent(d -> keys.release(groupId, d.keyManager()));
        }
        return existed;
    }

    @Override
    public ServiceGroup join(String groupId, EntityId pne) {
        return join(groupId, List.of(pne));
    }

    @Override
    public ServiceGroup join(String groupId, List<EntityId> pnes) {
        ServiceGroup g = require(groupId);
        if (pnes.isEmpty() || new java.util.HashSet<>(pnes).size() != pnes.size()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "one or more PNEs, each once");
        }
        for (EntityId pne : pnes) {
            EntityRecord e = entities.find(pne).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no entity " + pne));
            if (e.kind() != EntityKind.PNE || !e.owner().equals(g.owner())) { // TS §5.3.4: by Entity ID and User ID
                log.warn("{} ({} of {}) refused in Service Group {} of {}", pne, e.kind(), e.owner(), groupId, g.owner());
                throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a PNE of " + g.owner());
            }
            if (g.hasMember(pne)) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, pne + " is already a member of " + groupId);
            }
        }
        return change(g, pnes, true, "joined");
    }

    @Override
    public ServiceGroup leave(String groupId, EntityId pne) {
        return remove(groupId, pne, "left");
    }

    @Override
    public ServiceGroup expel(String groupId, EntityId pne) {
        return remove(groupId, pne, "was expelled");
    }

    @Override
    public ServiceGroup update(String groupId) {
        ReentrantLock held = lock(groupId);
        held.lock();
        try {
            ServiceGroup now = updateLocked(require(groupId));
            return now != null ? now : update(groupId); // another Server on the same database took this epoch: renew after it
        } finally {
            held.unlock();
        }
    }

    /**
     * The periodic update (TS §5.3.2) of a group whose key {@code due} is old enough: only if that
     * key is still the group's. A key renewed meanwhile (a join here, another Server on the same
     * database, the Group Key Manager) is younger, and its own age decides.
     */
    void periodicUpdate(RekeyTimer.KeyAge due) {
        ReentrantLock held = lock(due.groupId());
        held.lock();
        try {
            Optional<ServiceGroup> g = store.group(due.groupId());
            if (g.isPresent() && g.get().epoch() == due.epoch() && updateLocked(g.get()) != null) {
                log.info("Service Group {}: periodic Group Key update (the key of epoch {} was made {})", due.groupId(), due.epoch(),
                        due.made());
            }
        } finally {
            held.unlock();
        }
    }

    /**
     * {@code group.key.register} (seed 003 §5.3.2: "CSKMF itself can trigger Group Key update, after
     * which it alerts SMF"): the group's Group Key Manager renewed the key on its own schedule or its
     * operator's command and registers the key of the next epoch; stored and delivered as any
     * other (indirect delivery). Runs on the manager's session thread, which also carries the
     * manager's answers to {@code group.key.create}: it never waits for the group. While a change
     * of the group holds it (and may be asking this manager for a key) the registration is refused
     * {@code BUSY}: that change renews the key anyway.
     */
    void register(Principal from, GroupKeyRegister r) {
        String groupId = r.groupId();
        byte[] key = r.groupKey();
        try {
            if (!from.entity().equals(require(groupId).keyManager())) {
                log.warn("{} {} tried to register a Group Key for {}, which it does not manage", from.kind(), from.entity(), groupId);
                throw new CpnsException(ErrorCode.FORBIDDEN, from.entity() + " is not the Group Key Manager of " + groupId);
            }
            if (key.length != GroupKeySource.KEY_LENGTH) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "a Group Key is " + GroupKeySource.KEY_LENGTH + " bytes, not " + key.length);
            }
            ReentrantLock held = lock(groupId);
            if (!held.tryLock()) {
                log.info("Service Group {}: Group Key Manager {} registered epoch {} while the group is being changed: refused", groupId,
                        from.entity(), r.epoch());
                throw new CpnsException(ErrorCode.BUSY, groupId + " is being changed, with a new key; this one is not needed");
            }
            try {
                ServiceGroup g = require(groupId);
                if (!from.entity().equals(g.keyManager())) {
                    throw new CpnsException(ErrorCode.FORBIDDEN, from.entity() + " is not the Group Key Manager of " + groupId);
                }
                // the epoch rule (decisions.md D91): the Server's next one, so every epoch is one key and no member sees a gap
                if (r.epoch() != g.epoch() + 1 || !store.updateKey(groupId, r.epoch(), sealer.seal(groupId, r.epoch(), key),
                        Suites.fingerprint(key), now())) {
                    log.info("Service Group {}: Group Key Manager {} registered epoch {}, the group is at {}: refused", groupId,
                            from.entity(), r.epoch(), g.epoch());
                    throw new CpnsException(ErrorCode.INVALID_ARGUMENT, groupId + " is at epoch " + g.epoch() + "; register epoch "
                            + (g.epoch() + 1) + ", not " + r.epoch());
                }
                log.info("Service Group {}: Group Key updated by its Group Key Manager {}, epoch {}", groupId, from.entity(), r.epoch());
                FaultPoints.reach("server.groups.stored");
                delivery.deliver(require(groupId), key, List.of());
            } finally {
                held.unlock();
            }
        } finally {
            Bytes.wipe(key);
        }
    }

    /** The periodic timer's step, for tests that move its clock. */
    Duration runPeriodicUpdates() {
        return rekeys.runDue();
    }

    /** @return the group after its update, or null if another writer took the next epoch first */
    private ServiceGroup updateLocked(ServiceGroup g) {
        String groupId = g.groupId();
        long epoch = g.epoch() + 1;
        byte[] key = keys.create(groupId, epoch, g.keyManager());
        try {
            if (!store.updateKey(groupId, epoch, sealer.seal(groupId, epoch, key), Suites.fingerprint(key), now())) {
                return null;
            }
            log.info("Service Group {}: Group Key updated, epoch {}", groupId, epoch);
            FaultPoints.reach("server.groups.stored"); // the new epoch committed, no PN GW told
            ServiceGroup now = require(groupId);
            delivery.deliver(now, key, List.of());
            FaultPoints.reach("server.groups.delivered"); // sent to the PN GWs (asynchronously), the change not yet answered
            return now;
        } finally {
            Bytes.wipe(key);
        }
    }

    @Override
    public ServiceGroup requireProtection(String groupId, LinkProtection minimum) {
        java.util.Objects.requireNonNull(minimum, "minimum");
        ReentrantLock held = lock(groupId);
        held.lock();
        try {
            ServiceGroup g = require(groupId);
            long epoch = g.epoch() + 1;
            byte[] key = keys.create(groupId, epoch, g.keyManager()); // a member now below the minimum cannot read what comes after
            try {
                if (!store.requireProtection(groupId, minimum, epoch, sealer.seal(groupId, epoch, key), Suites.fingerprint(key), now())) {
                    throw new CpnsException(ErrorCode.UNAVAILABLE, groupId + " changed meanwhile; try again");
                }
                log.info("Service Group {}: Group Keys delivered only to members registered with link protection {} or better "
                        + "(was {}), Group Key epoch {}", groupId, minimum.wire(), g.minProtection().wire(), epoch);
                ServiceGroup now = require(groupId);
                delivery.deliver(now, key, List.of());
                return now;
            } finally {
                Bytes.wipe(key);
            }
        } finally {
            held.unlock();
        }
    }

    @Override
    public Optional<ServiceGroup> group(String groupId) {
        return store.group(groupId);
    }

    @Override
    public List<ServiceGroup> groups() {
        return store.groups();
    }

    @Override
    public List<ServiceGroup> groupsOf(EntityId member) {
        return store.groupsOf(member);
    }

    /**
     * {@code group.key.req} (seed 003 B.2.1.1 steps 9-10): a PN GW pulls the current Group Key of
     * a group that has members in its PNs, with those members.
     */
    GroupKey pull(Principal from, String groupId) {
        if (from.kind() == EntityKind.PNE) {
            delivery.tellWhyWithheld(from.entity(), store.group(groupId).orElse(null)); // a member below the minimum learns why
        }
        if (from.kind() != EntityKind.GATEWAY) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "Group Keys are pulled by PN GWs");
        }
        ServiceGroup g = require(groupId);
        List<String> members = GroupDelivery.membersAmong(g, delivery.pnesAt(from.entity()));
        if (members.isEmpty()) {
            log.warn("PN GW {} asked for the Group Key of {}, which has no member in its PNs", from.entity(), groupId);
            throw new CpnsException(ErrorCode.FORBIDDEN, groupId + " has no member in the PNs of " + from.entity());
        }
        members = delivery.deliverable(g, members, from.entity()); // logged there
        if (members.isEmpty()) {
            throw new CpnsException(ErrorCode.INSUFFICIENT_PROTECTION, groupId + " requires link protection "
                    + g.minProtection().wire() + "; no member in the PNs of " + from.entity() + " was registered with it");
        }
        return new GroupKey(groupId, g.epoch(), members, groupKey(groupId, g.epoch()));
    }

    /**
     * {@code group.sync.req}: every group with members in the PNs of the asking PN GW, at its
     * current epoch, so a PN GW that was away (or restarting) catches up on what it missed.
     */
    GroupSync sync(Principal from) {
        if (from.kind() != EntityKind.GATEWAY) {
            throw new CpnsException(ErrorCode.FORBIDDEN, "Service Groups are synchronised by PN GWs");
        }
        List<GroupNotify> out = new java.util.ArrayList<>();
        java.util.Set<EntityId> pnesThere = delivery.pnesAt(from.entity()); // one look-up for all groups
        for (ServiceGroup g : store.groups()) {
            List<String> here = delivery.deliverable(g, GroupDelivery.membersAmong(g, pnesThere), from.entity());
            if (!here.isEmpty()) {
                out.add(new GroupNotify(g.groupId(), g.epoch(), here, false));
            }
        }
        log.debug("PN GW {} synchronised: {} Service Groups with members there", from.entity(), out.size());
        return new GroupSync(out);
    }

    /** {@code group.msg} from a PN GW: on to the PN GWs of the group's other members. */
    void forwardMessage(Principal from, GroupMsg m) {
        messages.fromGateway(from, require(m.groupId()), m);
    }

    @Override
    public int send(String groupId, byte[] payload) {
        ServiceGroup g = require(groupId);
        ServerEndpoint ep = endpoint;
        if (ep == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no endpoint");
        }
        byte[] key = groupKey(groupId, g.epoch());
        try {
            return messages.fromServer(g, key, ep.serverId(), payload);
        } finally {
            Bytes.wipe(key);
        }
    }

    /** The current Group Key in the clear, for delivery (the caller wipes it). */
    byte[] groupKey(String groupId, long epoch) {
        GroupStore.SealedGroupKey k = store.groupKey(groupId).orElseThrow(() -> unknown(groupId));
        if (k.epoch() != epoch) {
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, groupId + " is at epoch " + k.epoch() + ", not " + epoch);
        }
        return sealer.open(groupId, epoch, k.sealed());
    }

    private ServiceGroup remove(String groupId, EntityId pne, String how) {
        ServiceGroup g = require(groupId);
        if (!g.hasMember(pne)) {
            throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, pne + " is not a member of " + groupId);
        }
        return change(g, List.of(pne), false, how);
    }

    /** The membership change and a fresh key of the next epoch, in one transaction; retried on a concurrent change. */
    private ServiceGroup change(ServiceGroup decided, List<EntityId> pnes, boolean join, String how) {
        ReentrantLock held = lock(decided.groupId());
        held.lock();
        try {
            ServiceGroup g = require(decided.groupId());
            if (g.epoch() != decided.epoch()) { // changed while this one waited: decide again
                return join ? join(g.groupId(), pnes) : remove(g.groupId(), pnes.get(0), how);
            }
            return changeLocked(g, pnes, join, how);
        } finally {
            held.unlock();
        }
    }

    private ServiceGroup changeLocked(ServiceGroup g, List<EntityId> pnes, boolean join, String how) {
        long epoch = g.epoch() + 1;
        byte[] key = keys.create(g.groupId(), epoch, g.keyManager());
        try {
            if (!store.changeMembers(g.groupId(), pnes, join, now(), epoch, sealer.seal(g.groupId(), epoch, key), Suites.fingerprint(key))) {
                // another change got there first: decide again on the group as it is now
                return join ? join(g.groupId(), pnes) : remove(g.groupId(), pnes.get(0), how);
            }
            log.info("Service Group {}: {} {}, Group Key updated, epoch {}", g.groupId(), pnes.size() == 1 ? pnes.get(0) : pnes.size() + " PNEs",
                    how, epoch);
            FaultPoints.reach("server.groups.stored"); // the change and its key committed, no PN GW told
            ServiceGroup now = require(g.groupId());
            delivery.deliver(now, key, join ? List.of() : pnes);
            FaultPoints.reach("server.groups.delivered"); // sent to the PN GWs (asynchronously), the change not yet answered
            return now;
        } finally {
            Bytes.wipe(key);
        }
    }

    /** A Group Key Manager is a PN GW of the group's owner (TS §5.3.4: authorization by Entity ID and User ID). */
    private void checkManager(EntityId manager, UserId owner) {
        if (manager == null) {
            return;
        }
        EntityRecord e = entities.find(manager).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no entity " + manager));
        if (e.kind() != EntityKind.GATEWAY || !e.owner().equals(owner)) {
            throw new CpnsException(ErrorCode.FORBIDDEN, manager + " is not a PN GW of " + owner + ": it cannot manage its groups' keys");
        }
    }

    private ReentrantLock lock(String groupId) {
        return locks.computeIfAbsent(groupId, k -> new ReentrantLock());
    }

    private static CpnsException exists(String groupId) {
        return new CpnsException(ErrorCode.INVALID_ARGUMENT, "Service Group " + groupId + " exists");
    }

    private ServiceGroup require(String groupId) {
        return store.group(groupId).orElseThrow(() -> unknown(groupId));
    }

    private static CpnsException unknown(String groupId) {
        return new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Service Group " + groupId);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
