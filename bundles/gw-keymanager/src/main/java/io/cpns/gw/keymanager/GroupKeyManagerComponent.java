package io.cpns.gw.keymanager;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FaultPoints;
import io.cpns.api.gateway.GroupKeyManager;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyCreate;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
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
    HealthContributor.class}, immediate = true)
@Designate(ocd = GroupKeyManagerComponent.Config.class)
public class GroupKeyManagerComponent implements GroupKeyManager, HealthContributor {
    @ObjectClassDefinition(name = "CPNS PN GW as Group Key Manager",
            description = "Service Groups whose Group Keys this PN GW creates (seed 003, distributed topology).")
    public @interface Config {
        @AttributeDefinition(description = "Service Groups this PN GW agrees to be the Group Key Manager of (comma-separated); "
                + "* for any group the Server assigns it; empty: none (the Server's own keys, centralized topology)", required = false)
        String[] groups() default {};
    }

    static final int KEY_LENGTH = 32;

    private final ManagedKeyStore store;
    private final Logger log;
    private volatile Set<String> accepted;

    @Activate
    public GroupKeyManagerComponent(@Reference(name = "secrets") SecretStore secrets,
                                    @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.store = new ManagedKeyStore(secrets, log);
        this.log = log;
        modified(config);
        log.info("Group Key Manager: accepts {}; {} groups managed", accepted.isEmpty() ? "no group" : accepted, store.all().size());
    }

    @Modified
    void modified(Config config) {
        // a .cfg file gives one string: "sg-a, sg-b" is two groups there, as in a typed list
        accepted = java.util.Arrays.stream(config.groups()).flatMap(g -> java.util.Arrays.stream(g.split(",")))
                .map(String::trim).filter(g -> !g.isEmpty()).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** {@code group.key.create}: a fresh key of the epoch asked, kept here and answered (the registration on the Server). */
    synchronized GroupKey create(GroupKeyCreate request) {
        String groupId = request.groupId();
        if (!accepted.contains("*") && !accepted.contains(groupId)) {
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
