package io.cpns.server.groups;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServiceGroup;
import io.cpns.api.server.UserRegistry;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import io.cpns.server.store.GroupStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Service Groups on the CPNS Server and their Group Keys (TS §5.3.2): created with the group,
 * a fresh one at every join, leave and expel and periodically, deleted with the group. The key of
 * each epoch is sealed for the database and written with the membership change that caused it.
 */
@Component(configurationPid = "cpns.server.groups", immediate = true)
@Designate(ocd = GroupRegistryComponent.Config.class)
public class GroupRegistryComponent implements GroupRegistry {
    @ObjectClassDefinition(name = "CPNS Server Service Groups", description = "Service Groups and their Group Keys.")
    public @interface Config {
        @AttributeDefinition(description = "Periodic Group Key update of every group, in hours (TS §5.3.2); 0 = none")
        int updateHours() default 24;
    }

    static final int KEY_LENGTH = 32;

    private final GroupStore store;
    private final EntityRegistry entities;
    private final UserRegistry users;
    private final Logger log;
    private final GroupKeySealer sealer;
    private final ScheduledExecutorService timer;

    @Activate
    public GroupRegistryComponent(@Reference(name = "store") GroupStore store, @Reference(name = "entities") EntityRegistry entities,
                                  @Reference(name = "users") UserRegistry users, @Reference(name = "secrets") SecretStore secrets,
                                  @Reference(name = "log", service = LoggerFactory.class) Logger log, Config config) {
        this.store = store;
        this.entities = entities;
        this.users = users;
        this.log = log;
        this.sealer = new GroupKeySealer(secrets);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cpns-server-groups-update");
            t.setDaemon(true);
            return t;
        });
        if (config.updateHours() > 0) {
            timer.scheduleAtFixedRate(this::updateAll, config.updateHours(), config.updateHours(), TimeUnit.HOURS);
        }
    }

    @Deactivate
    void deactivate() {
        timer.shutdownNow();
        sealer.close();
    }

    @Override
    public ServiceGroup create(String groupId, UserId owner) {
        EntityId.of(groupId); // the same syntax as Entity IDs: INVALID_ARGUMENT otherwise
        if (!users.list().contains(owner)) {
            throw new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no CPNS User " + owner);
        }
        byte[] key = Randoms.bytes(KEY_LENGTH);
        try {
            if (!store.createGroup(groupId, owner, now(), sealer.seal(groupId, 1, key))) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "Service Group " + groupId + " exists");
            }
        } finally {
            Bytes.wipe(key);
        }
        log.info("Service Group {} of {} created, Group Key epoch 1", groupId, owner);
        return require(groupId);
    }

    @Override
    public boolean delete(String groupId) {
        boolean existed = store.deleteGroup(groupId);
        if (existed) {
            log.info("Service Group {} deleted with its Group Key", groupId);
        }
        return existed;
    }

    @Override
    public ServiceGroup join(String groupId, EntityId pne) {
        ServiceGroup g = require(groupId);
        EntityRecord e = entities.find(pne).orElseThrow(() -> new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no entity " + pne));
        if (e.kind() != EntityKind.PNE || !e.owner().equals(g.owner())) { // TS §5.3.4: by Entity ID and User ID
            log.warn("{} ({} of {}) refused in Service Group {} of {}", pne, e.kind(), e.owner(), groupId, g.owner());
            throw new CpnsException(ErrorCode.FORBIDDEN, pne + " is not a PNE of " + g.owner());
        }
        if (g.hasMember(pne)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, pne + " is already a member of " + groupId);
        }
        return change(g, pne, true, "joined");
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
        ServiceGroup g = require(groupId);
        long epoch = g.epoch() + 1;
        byte[] key = Randoms.bytes(KEY_LENGTH);
        try {
            if (!store.updateKey(groupId, epoch, sealer.seal(groupId, epoch, key))) {
                return update(groupId); // a concurrent change took this epoch: renew after it
            }
        } finally {
            Bytes.wipe(key);
        }
        log.info("Service Group {}: Group Key updated, epoch {}", groupId, epoch);
        return require(groupId);
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
        return change(g, pne, false, how);
    }

    /** The membership change and a fresh key of the next epoch, in one transaction; retried on a concurrent change. */
    private ServiceGroup change(ServiceGroup g, EntityId pne, boolean join, String how) {
        long epoch = g.epoch() + 1;
        byte[] key = Randoms.bytes(KEY_LENGTH);
        boolean done;
        try {
            done = store.changeMembers(g.groupId(), pne, join, now(), epoch, sealer.seal(g.groupId(), epoch, key));
        } finally {
            Bytes.wipe(key);
        }
        if (!done) { // another change got there first: decide again on the group as it is now
            ServiceGroup now = require(g.groupId());
            return join ? join(now.groupId(), pne) : remove(now.groupId(), pne, how);
        }
        log.info("Service Group {}: {} {}, Group Key updated, epoch {}", g.groupId(), pne, how, epoch);
        return require(g.groupId());
    }

    private void updateAll() {
        for (ServiceGroup g : store.groups()) {
            try {
                update(g.groupId());
            } catch (RuntimeException e) {
                log.warn("periodic Group Key update of {} failed: {}", g.groupId(), e.toString());
            }
        }
    }

    private ServiceGroup require(String groupId) {
        return store.group(groupId).orElseThrow(() -> unknown(groupId));
    }

    private static CpnsException unknown(String groupId) {
        return new CpnsException(ErrorCode.UNKNOWN_GROUP, "no Service Group " + groupId);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
