package io.cpns.gw.keymanager;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GroupKeyManager;
import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyCreate;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.GroupKeyDelete;
import io.cpns.api.message.GroupKeyRegister;
import io.cpns.api.message.Message;
import io.cpns.api.message.MessageType;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.RekeyTimer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
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
 * This PN GW as the Group Key Manager of Service Groups (seed 003 §5.3.2, distributed topology):
 * the CSKMF of those groups. When the Server's SMF needs a group's next key (creation, a
 * membership change, a periodic update) it asks here; this PN GW creates the key, keeps it, and
 * registers it on the Server in its answer. The Server relays it to the other PN GWs (indirect
 * delivery); gw-groupkey hands it to the member PNEs here without asking the Server (direct).
 * Which groups this PN GW agrees to manage is the operator's choice (configuration).
 */
@Component(configurationPid = "cpns.gw.keymanager", service = {GroupKeyManager.class, GroupKeyManagerComponent.class,
    HealthContributor.class, ServerRequestHandler.class}, immediate = true,
        property = {"hc.name=Managed Group Keys", "hc.tags=cpns", "hc.tags=readiness", ServerRequestHandler.TYPE + "=group.key.create", ServerRequestHandler.TYPE + "=group.key.delete"})
@Designate(ocd = GroupKeyManagerComponent.Config.class)
public class GroupKeyManagerComponent implements GroupKeyManager, HealthContributor, ServerRequestHandler {
    @ObjectClassDefinition(name = "CPNS PN GW as Group Key Manager",
            description = "Service Groups whose Group Keys this PN GW creates (seed 003, distributed topology).")
    public @interface Config {
        @AttributeDefinition(description = "Service Groups this PN GW agrees to be the Group Key Manager of (comma-separated); "
                + "* for any group the Server assigns it; empty: none (the Server's own keys, centralized topology)", required = false)
        String[] groups() default {};

        @AttributeDefinition(description = "Renew the Group Key of each group managed here when it is this many hours old, counted from "
                + "when this PN GW made it, and register it on the Server (seed 003 §5.3.2: the CSKMF triggers the update itself); "
                + "fractions allowed; 0 = off: keys are renewed when the Server asks, or by gw:grouprekey")
        double rekeyHours() default 0;
    }

    /** How long the Server has to store a registered key. */
    static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(15);
    /** A scheduled rekey that failed (no link, the Server busy with the group) is tried again this much later at most. */
    static final Duration RETRY = Duration.ofMinutes(15);

    static final int KEY_LENGTH = 32;

    private final ManagedKeyStore store;
    private final Logger log;
    private final Clock clock;
    private volatile Set<String> accepted;
    private RekeyTimer timer; // null: no schedule; guarded by this

    // optional and dynamic: the link comes and goes (updates, outages); only a manager-initiated rekey needs it
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink link;

    /** The wire entry points of this flow (ServerRequestHandler, on gw-link's thread for the Server's requests). */
    @Override
    public CompletionStage<Message> handle(Message request) {
        MessageType type = MessageType.of(request.getClass());
        return CompletableFuture.completedFuture(switch (type) {
            case GROUP_KEY_CREATE -> create((GroupKeyCreate) request);
            case GROUP_KEY_DELETE -> {
                forget(((GroupKeyDelete) request).groupId());
                yield new Ack();
            }
            default -> throw Failures.unavailable(type, "this PN GW");
        });
    }

    @Activate
    public GroupKeyManagerComponent(@Reference(name = "secrets") SecretStore secrets,
                                    @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this(secrets, log, config, Clock.systemUTC());
    }

    /** With the clock that stamps each key made here and decides when it is due (tests move it). */
    GroupKeyManagerComponent(SecretStore secrets, Logger log, Config config, Clock clock) {
        this.store = new ManagedKeyStore(secrets, log, clock);
        this.log = log;
        this.clock = clock;
        modified(config);
        log.info("Group Key Manager: accepts {}; {} groups managed", accepted.isEmpty() ? "no group" : accepted, store.all().size());
    }

    @Modified
    void modified(Config config) {
        // a .cfg file gives one string: "sg-a, sg-b" is two groups there, as in a typed list
        accepted = java.util.Arrays.stream(config.groups()).flatMap(g -> java.util.Arrays.stream(g.split(",")))
                .map(String::trim).filter(g -> !g.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
        schedule(config.rekeyHours());
    }

    @Deactivate
    synchronized void deactivate() {
        if (timer != null) {
            timer.close();
            timer = null;
        }
    }

    /** (Re)starts the own schedule; its first step runs at once, so a key already old enough is renewed now. */
    private synchronized void schedule(double hours) {
        deactivate();
        if (hours < 0 || Double.isNaN(hours)) {
            throw new IllegalArgumentException("rekeyHours must be 0 (off) or more, not " + hours);
        }
        if (hours == 0) {
            return;
        }
        Duration period = Duration.ofMillis(Math.max(1000, Math.round(hours * 3_600_000)));
        Duration retry = period.compareTo(RETRY) < 0 ? period : RETRY;
        timer = new RekeyTimer("cpns-gw-keymanager-rekey", clock, period, retry,
                () -> store.all().stream().filter(g -> accepts(g.groupId()))
                        .map(g -> new RekeyTimer.KeyAge(g.groupId(), g.epoch(), g.created())).toList(),
                due -> rekey(due.groupId(), due.epoch()),
                (due, e) -> log.warn("Group Key Manager: scheduled rekey of {} failed, tried again within {} s: {}",
                        due == null ? "the managed groups" : due.groupId(), retry.toSeconds(), e.getMessage())).start();
        log.info("Group Key Manager: renews the key of each managed group when it is {} old", period);
    }

    private boolean accepts(String groupId) {
        Set<String> a = accepted;
        return a.contains("*") || a.contains(groupId);
    }

    /** {@code group.key.create}: a fresh key of the epoch asked, kept here and answered (the registration on the Server). */
    synchronized GroupKey create(GroupKeyCreate request) {
        String groupId = request.groupId();
        if (!accepts(groupId)) {
            log.warn("Group Key Manager: refused to manage {} (not in cpns.gw.keymanager groups)", groupId);
            throw new CpnsException(ErrorCode.FORBIDDEN, "this PN GW does not manage the Group Keys of " + groupId);
        }
        Optional<ManagedKeyStore.Stored> held = store.get(groupId);
        held.ifPresent(s -> io.cpns.crypto.Bytes.wipe(s.key()));
        // the same epoch again is a creation the Server could not commit; an older one would roll the group back
        if (request.epoch() < 1 || held.map(s -> request.epoch() < s.epoch()).orElse(false)) {
            log.warn("Group Key Manager: {} epoch {} refused, epoch {} was created here", groupId, request.epoch(),
                    held.map(ManagedKeyStore.Stored::epoch).orElse(0L));
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, groupId + " epoch " + request.epoch() + " is older than this manager's");
        }
        byte[] key = Randoms.bytes(KEY_LENGTH);
        String fp = Suites.fingerprint(key);
        store.put(groupId, request.epoch(), fp, key);
        FaultPoints.reach("keymanager.created"); // kept here, not yet registered on the Server (its answer)
        log.info("Group Key Manager: {} Group Key epoch {} created ({}), registering it on the Server", groupId, request.epoch(), fp);
        return new GroupKey(groupId, request.epoch(), List.of(), key); // as every key-carrying answer, this copy is left to the GC (security.md, "Memory")
    }

    @Override
    public ManagedGroup rekey(String groupId) {
        return rekey(groupId, -1);
    }

    /**
     * Seed 003 §5.3.2 ("CSKMF itself can trigger Group Key update, after which it alerts SMF"): a
     * fresh key of the next epoch, kept here first (so the Server's {@code group.notify} of it finds
     * it for direct delivery) and then registered on the Server ({@code group.key.register}), which
     * stores it and relays it as any other epoch. If the Server refuses, or never got it, the
     * previous key is put back; if the answer was lost ({@code TIMEOUT}) the new one stays, as the
     * Server may hold it. Never holds this object's lock while waiting: the Server's
     * {@code group.key.create} must get through meanwhile.
     *
     * <p>Called on the shell's or the schedule's thread; blocks up to {@link #REGISTER_TIMEOUT}.
     *
     * @param onlyIfEpoch renew only if the key held is still of this epoch (the schedule), -1 = any (a command)
     */
    ManagedGroup rekey(String groupId, long onlyIfEpoch) {
        ServerLink l;
        ManagedKeyStore.Stored before;
        byte[] key;
        long epoch;
        String fp;
        synchronized (this) {
            if (!accepts(groupId)) {
                throw new CpnsException(ErrorCode.FORBIDDEN, "this PN GW does not manage the Group Keys of " + groupId);
            }
            before = store.get(groupId).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_GROUP, "this PN GW holds no Group Key of "
                    + groupId + ": the Server has not made it the group's Group Key Manager, or the record was quarantined "
                    + "(server:groupupdate " + groupId + " makes a new one here)"));
            l = link;
            if (onlyIfEpoch >= 0 && before.epoch() != onlyIfEpoch || l == null) {
                Bytes.wipe(before.key());
                if (l == null) {
                    throw new CpnsException(ErrorCode.UNAVAILABLE, "no link to the CPNS Server (gw-link is not running)");
                }
                return null; // renewed meanwhile: its own age decides
            }
            epoch = before.epoch() + 1;
            key = Randoms.bytes(KEY_LENGTH);
            fp = Suites.fingerprint(key);
            store.put(groupId, epoch, fp, key);
        }
        try {
            // the message gets its own copy, left to the GC as every key-carrying message (security.md, "Memory"): a request
            // still queued when the wait below gives up must not go out with a wiped key
            l.request(new GroupKeyRegister(groupId, epoch, key.clone()), REGISTER_TIMEOUT).toCompletableFuture()
                    .get(REGISTER_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            CpnsException why = e.getCause() instanceof CpnsException c ? c : new CpnsException(ErrorCode.TIMEOUT, "no answer: " + e);
            if (why.code() != ErrorCode.TIMEOUT) {
                restore(before, epoch, fp);
            }
            log.warn("Group Key Manager: {} Group Key epoch {} not registered on the Server: {} {}{}", groupId, epoch, why.code(),
                    why.getMessage(), why.code() == ErrorCode.TIMEOUT ? " (kept here: the Server may hold it)" : "; epoch " + before.epoch()
                            + " stays");
            throw new CpnsException(why.code(), groupId + " epoch " + epoch + " not registered: " + why.getMessage());
        } finally {
            Bytes.wipe(key);
            Bytes.wipe(before.key());
        }
        log.info("Group Key Manager: {} Group Key epoch {} made here ({}) and registered on the Server", groupId, epoch, fp);
        return store.all().stream().filter(g -> g.groupId().equals(groupId)).findFirst()
                .orElse(new ManagedGroup(groupId, epoch, fp, clock.instant()));
    }

    /** Puts the previous key back, unless the Server asked for another key of this group meanwhile. */
    private synchronized void restore(ManagedKeyStore.Stored before, long epoch, String fp) {
        Optional<ManagedKeyStore.Stored> now = store.get(before.groupId());
        now.ifPresent(s -> Bytes.wipe(s.key()));
        if (now.map(s -> s.epoch() == epoch && s.fingerprint().equals(fp)).orElse(false)) {
            store.put(before.groupId(), before.epoch(), before.fingerprint(), before.key(), before.created());
        }
    }

    /** {@code group.key.delete}: the group is gone, or managed elsewhere now. */
    synchronized void forget(String groupId) {
        if (store.forget(groupId)) {
            log.info("Group Key Manager: {} no longer managed here, its key deleted", groupId);
        }
    }

    /** {@code cpns:health}: a managed group's record that was unreadable, until its next key is made here. */
    @Override
    public List<String> problems() {
        return store.problems();
    }

    @Override
    public List<ManagedGroup> managed() {
        return store.all();
    }

    @Override
    public Optional<byte[]> groupKey(String groupId, long epoch) {
        return store.get(groupId).flatMap(s -> {
            if (s.epoch() == epoch) {
                return Optional.of(s.key());
            }
            io.cpns.crypto.Bytes.wipe(s.key());
            return Optional.empty();
        });
    }
}
