package io.cpns.server.store.internal;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import io.cpns.keystore.ConfigSecret;
import io.cpns.server.store.GroupStore;
import io.cpns.server.store.KeyAssignmentStore;
import io.cpns.server.store.PnStore;
import io.cpns.api.server.ServiceGroup;
import io.cpns.server.store.ServerStore;
import io.cpns.server.store.UpdateStore;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The Server's database: embedded H2 file by default, PostgreSQL by configuration; schema migrated on start. */
@Component(configurationPid = ServerStoreComponent.PID, service = {ServerStore.class, PnStore.class, GroupStore.class, KeyAssignmentStore.class,
        UpdateStore.class},
        immediate = true)
@Designate(ocd = ServerStoreComponent.Config.class)
public class ServerStoreComponent implements ServerStore, PnStore, GroupStore, KeyAssignmentStore, UpdateStore {
    static final String PID = "cpns.server.store";

    @ObjectClassDefinition(name = "CPNS Server database",
            description = "JDBC database of users, entities and EUKeys (keys are stored encrypted).")
    public @interface Config {
        @AttributeDefinition(description = "JDBC URL: jdbc:h2:... or jdbc:postgresql://host:5432/db. "
                + "Empty = embedded H2 file in ${cpns.data}/db, each commit written before it returns (WRITE_DELAY=0)")
        String url() default "";

        @AttributeDefinition(description = "Database user")
        String user() default "cpns";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "Database password; in a .cfg file a reference, "
                + "$[secret:<file in ${cpns.data}/secrets>] or $[env:<NAME>] (a plain value there is refused)")
        String password() default "";

        @AttributeDefinition(description = "Largest number of pooled connections")
        int poolSize() default 8;
    }

    private final OpenJdbcStore store;

    @Activate
    public ServerStoreComponent(Config config, BundleContext context,
                                @Reference(service = LoggerFactory.class) Logger log, @Reference ConfigurationAdmin cm) throws SQLException {
        String url = config.url().isBlank() ? defaultUrl(context) : config.url();
        // D113: in a .cfg file the password is a $[secret:]/$[env:] reference, never plain
        String password = ConfigSecret.check(PID, "password", ConfigSecret.stored(cm, PID), config.password(), log::error);
        store = OpenJdbcStore.open(url, config.user(), password, config.poolSize());
        if (config.url().isBlank()) {
            secureDefaultDirectory(url, log);
        }
        log.info("database {} ready, schema version {}", store.describe(), store.schemaVersion());
    }

    static String defaultUrl(BundleContext context) {
        Path dir = io.cpns.api.DataDirectory.of(context::getProperty).resolve("db").toAbsolutePath();
        // WRITE_DELAY=0: each commit is written before it returns. H2's default (500 ms) lost the last
        // committed changes at a kill -9: a Group Key epoch the PN GWs already had, a PN (issue 10).
        // TRACE_LEVEL_FILE=4: H2's messages go to SLF4J (logger h2database, in the runtime's log, D120)
        // instead of a cpns.trace.db file of its own format beside the database
        return "jdbc:h2:file:" + dir.resolve("cpns") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;TRACE_LEVEL_FILE=4";
    }

    /** data/db is ours: owner-only even if an older version or a looser umask created it 0755. */
    private static void secureDefaultDirectory(String url, Logger log) {
        try {
            H2Files.secureDirectory(H2Files.base(url).orElseThrow());
        } catch (java.io.IOException e) {
            log.warn("could not make the database directory owner-only: {}", e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        store.close();
    }

    @Override
    public void insertUser(UserId user, String passwordHash) {
        store.insertUser(user, passwordHash);
    }

    @Override
    public Optional<String> passwordHash(UserId user) {
        return store.passwordHash(user);
    }

    @Override
    public List<UserId> users() {
        return store.users();
    }

    @Override
    public void insertEntity(EntityRecord entity, byte[] sealedEuKey) {
        store.insertEntity(entity, sealedEuKey);
    }

    @Override
    public boolean replaceUnconfirmedEuKey(EntityRecord entity, byte[] sealedEuKey) {
        return store.replaceUnconfirmedEuKey(entity, sealedEuKey);
    }

    @Override
    public void confirmEntity(EntityId entity, java.time.Instant at) {
        store.confirmEntity(entity, at);
    }

    @Override
    public boolean deleteEntity(EntityId entity) {
        return store.deleteEntity(entity);
    }

    @Override
    public Optional<EntityRecord> entity(EntityId entity) {
        return store.entity(entity);
    }

    @Override
    public Optional<byte[]> sealedEuKey(EntityId entity) {
        return store.sealedEuKey(entity);
    }

    @Override
    public List<EntityRecord> entities() {
        return store.entities();
    }

    @Override
    public List<EntityRecord> entitiesOf(UserId owner) {
        return store.entitiesOf(owner);
    }

    @Override
    public String describe() {
        return store.describe();
    }

    // ---- PnStore: the same database ----

    @Override
    public void createPn(String pnId, EntityId gateway, UserId owner, java.time.Instant at) {
        store.pnStore().createPn(pnId, gateway, owner, at);
    }

    @Override
    public void addMember(String pnId, EntityId pne, java.time.Instant at) {
        store.pnStore().addMember(pnId, pne, at);
    }

    @Override
    public boolean removeMember(String pnId, EntityId pne) {
        return store.pnStore().removeMember(pnId, pne);
    }

    @Override
    public Optional<io.cpns.api.server.RegisteredPn> pn(String pnId) {
        return store.pnStore().pn(pnId);
    }

    @Override
    public List<io.cpns.api.server.RegisteredPn> pns() {
        return store.pnStore().pns();
    }

    @Override
    public List<io.cpns.api.server.RegisteredPn> pnsOfGateway(EntityId gateway) {
        return store.pnStore().pnsOfGateway(gateway);
    }

    @Override
    public boolean putSession(PneSession session) {
        return store.pnStore().putSession(session);
    }

    @Override
    public java.util.Optional<PneSession> session(String pnId, EntityId pne) {
        return store.pnStore().session(pnId, pne);
    }

    @Override
    public boolean reserveSend(String pnId, EntityId pne, long limit) {
        return store.pnStore().reserveSend(pnId, pne, limit);
    }

    @Override
    public boolean received(String pnId, EntityId pne, long seq) {
        return store.pnStore().received(pnId, pne, seq);
    }

    @Override
    public boolean deleteSession(String pnId, EntityId pne) {
        return store.pnStore().deleteSession(pnId, pne);
    }

    @Override
    public void putPneInfo(io.cpns.api.server.PneInfo info) {
        store.pnStore().putPneInfo(info);
    }

    @Override
    public Optional<io.cpns.api.server.PneInfo> pneInfo(EntityId pne) {
        return store.pnStore().pneInfo(pne);
    }

    @Override
    public void putGatewayInfo(io.cpns.api.server.GatewayInfo info) {
        store.pnStore().putGatewayInfo(info);
    }

    @Override
    public Optional<io.cpns.api.server.GatewayInfo> gatewayInfo(EntityId gateway) {
        return store.pnStore().gatewayInfo(gateway);
    }

    // ---- GroupStore: the same database ----

    @Override
    public boolean createGroup(String groupId, UserId owner, java.time.Instant at, byte[] sealedKeyOfEpoch1, String keyFingerprint,
                               EntityId keyManager) {
        return store.groupStore().createGroup(groupId, owner, at, sealedKeyOfEpoch1, keyFingerprint, keyManager);
    }

    @Override
    public boolean assignKeyManager(String groupId, EntityId keyManager, long epoch, byte[] sealedKey, String keyFingerprint,
                                    java.time.Instant at) {
        return store.groupStore().assignKeyManager(groupId, keyManager, epoch, sealedKey, keyFingerprint, at);
    }

    @Override
    public boolean requireProtection(String groupId, io.cpns.api.LinkProtection minimum, long epoch, byte[] sealedKey, String keyFingerprint,
                                     java.time.Instant at) {
        return store.groupStore().requireProtection(groupId, minimum, epoch, sealedKey, keyFingerprint, at);
    }

    @Override
    public boolean deleteGroup(String groupId) {
        return store.groupStore().deleteGroup(groupId);
    }

    @Override
    public Optional<ServiceGroup> group(String groupId) {
        return store.groupStore().group(groupId);
    }

    @Override
    public List<ServiceGroup> groups() {
        return store.groupStore().groups();
    }

    @Override
    public List<ServiceGroup> groupsOf(EntityId member) {
        return store.groupStore().groupsOf(member);
    }

    @Override
    public Optional<SealedGroupKey> groupKey(String groupId) {
        return store.groupStore().groupKey(groupId);
    }

    @Override
    public List<KeyTime> keyTimes() {
        return store.groupStore().keyTimes();
    }

    @Override
    public boolean changeMembers(String groupId, List<EntityId> members, boolean join, java.time.Instant at, long epoch, byte[] sealedKey,
                                 String keyFingerprint) {
        return store.groupStore().changeMembers(groupId, members, join, at, epoch, sealedKey, keyFingerprint);
    }

    @Override
    public boolean updateKey(String groupId, long epoch, byte[] sealedKey, String keyFingerprint, java.time.Instant at) {
        return store.groupStore().updateKey(groupId, epoch, sealedKey, keyFingerprint, at);
    }

    // ---- KeyAssignmentStore: the same database ----

    @Override
    public void register(UserId user, Map<String, byte[]> sealedHashBySuite, Map<String, String> subscription, EntityId gateway,
                         java.time.Instant at) {
        store.keyAssignmentStore().register(user, sealedHashBySuite, subscription, gateway, at);
    }

    @Override
    public Optional<byte[]> sealedPasswordHash(UserId user, String suite) {
        return store.keyAssignmentStore().sealedPasswordHash(user, suite);
    }

    @Override
    public Optional<Registration> registration(UserId user) {
        return store.keyAssignmentStore().registration(user);
    }

    @Override
    public int deletePasswordHashesExcept(java.util.Set<String> kept) {
        return store.keyAssignmentStore().deletePasswordHashesExcept(kept);
    }

    // ---- UpdateStore: the same database ----

    @Override
    public boolean insertRelease(ReleaseRow release) {
        return store.updateStore().insertRelease(release);
    }

    @Override
    public Optional<ReleaseRow> release(long releaseSeq) {
        return store.updateStore().release(releaseSeq);
    }

    @Override
    public List<ReleaseRow> releases() {
        return store.updateStore().releases();
    }

    @Override
    public boolean addLabel(EntityId gateway, String label) {
        return store.updateStore().addLabel(gateway, label);
    }

    @Override
    public boolean removeLabel(EntityId gateway, String label) {
        return store.updateStore().removeLabel(gateway, label);
    }

    @Override
    public List<String> labels(EntityId gateway) {
        return store.updateStore().labels(gateway);
    }

    @Override
    public List<EntityId> labelled(String label) {
        return store.updateStore().labelled(label);
    }

    @Override
    public boolean insertRollout(RolloutRow rollout, List<WaveRow> waves, List<MemberRow> members) {
        return store.updateStore().insertRollout(rollout, waves, members);
    }

    @Override
    public boolean updateRollout(String rolloutId, RolloutRow rollout, List<WaveRow> waves, List<MemberRow> members, StatusRow status) {
        return store.updateStore().updateRollout(rolloutId, rollout, waves, members, status);
    }

    @Override
    public Optional<StoredRollout> rollout(String rolloutId) {
        return store.updateStore().rollout(rolloutId);
    }

    @Override
    public List<RolloutRow> rollouts() {
        return store.updateStore().rollouts();
    }

    @Override
    public List<String> rolloutsIn(List<String> states) {
        return store.updateStore().rolloutsIn(states);
    }

    @Override
    public List<StatusRow> statuses(String rolloutId, EntityId gateway) {
        return store.updateStore().statuses(rolloutId, gateway);
    }

    @Override
    public void putInventory(InventoryRow inventory) {
        store.updateStore().putInventory(inventory);
    }

    @Override
    public Optional<InventoryRow> inventory(EntityId gateway) {
        return store.updateStore().inventory(gateway);
    }
}
