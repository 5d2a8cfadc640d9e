package io.cpns.server.groups;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.server.ServiceGroup;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.server.registry.EntityRegistryComponent;
import io.cpns.server.registry.UserRegistryComponent;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.ManualClock;
import io.cpns.testkit.TestLogger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** TS §5.3.2 on the Server: Service Groups, their membership and the Group Key's life. */
class GroupRegistryTest {
    private static final UserId ALICE = UserId.of("alice");
    private static final UserId BOB = UserId.of("bob");
    private static final EntityId TV = EntityId.of("pne-tv");
    private static final EntityId RADIO = EntityId.of("pne-radio");
    private static final EntityId BOBS = EntityId.of("pne-bob");
    private static final EntityId GW = EntityId.of("gw-alice");
    private static final String SG = "sg-movies";

    @TempDir
    Path dir;
    private OpenStore db;
    private EncryptedFileStore secrets;
    private final TestLogger log = new TestLogger("server-groups");
    private GroupRegistryComponent groups;
    private UserRegistryComponent users;
    private EntityRegistryComponent entities;
    private final ManualClock clock = new ManualClock();

    @BeforeEach
    void setUp() throws Exception {
        db = JdbcStores.open("jdbc:h2:mem:sg" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4);
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        users = new UserRegistryComponent(db, log.logger(), Configs.of(UserRegistryComponent.Config.class,
                Map.of("argon2MemoryKiB", 1024, "argon2Iterations", 1)));
        users.register(ALICE, "alice-password".toCharArray());
        users.register(BOB, "bob-password".toCharArray());
        entities = new EntityRegistryComponent(db, secrets, log.logger());
        entities.assignEuKey(TV, EntityKind.PNE, ALICE);
        entities.assignEuKey(RADIO, EntityKind.PNE, ALICE);
        entities.assignEuKey(BOBS, EntityKind.PNE, BOB);
        entities.assignEuKey(GW, EntityKind.GATEWAY, ALICE);
        groups = new GroupRegistryComponent(db.groupStore(), entities, users, secrets, pnRegistry(), log.logger(),
                Configs.of(GroupRegistryComponent.Config.class, Map.of("updateHours", 0)));
    }

    /** The Server's PN Inventory as server-pn keeps it: here the JDBC tables directly. */
    private io.cpns.api.server.PnRegistry pnRegistry() {
        var store = db.pnStore();
        return new io.cpns.api.server.PnRegistry() {
            @Override
            public List<io.cpns.api.server.RegisteredPn> pns() {
                return store.pns();
            }

            @Override
            public java.util.Optional<io.cpns.api.server.RegisteredPn> pn(String pnId) {
                return store.pn(pnId);
            }

            @Override
            public List<io.cpns.api.server.RegisteredPn> pnsOfGateway(EntityId gateway) {
                return store.pnsOfGateway(gateway);
            }

            @Override
            public java.util.Optional<io.cpns.api.server.PneInfo> pneInfo(EntityId pne) {
                return store.pneInfo(pne);
            }

            @Override
            public java.util.Optional<io.cpns.api.server.GatewayInfo> gatewayInfo(EntityId gateway) {
                return store.gatewayInfo(gateway);
            }
        };
    }

    @AfterEach
    void tearDown() {
        groups.deactivate();
        db.close();
    }

    private static ErrorCode refusal(Executable e) {
        return assertThrows(CpnsException.class, e).code();
    }

    private byte[] key(ServiceGroup g) {
        return groups.groupKey(g.groupId(), g.epoch());
    }

    @Test
    void create_makesTheGroupKey_atEpochOne_storedSealed() {
        ServiceGroup g = groups.create(SG, ALICE);
        assertEquals(1, g.epoch());
        byte[] k = key(g);
        assertEquals(32, k.length);
        byte[] sealed = db.groupStore().groupKey(SG).orElseThrow().sealed();
        assertFalse(Arrays.equals(k, Arrays.copyOfRange(sealed, 12, 44)), "not in the clear in the database");
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> groups.create(SG, ALICE)), "an ID once");
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> groups.create("bad id!", ALICE)));
        assertEquals(ErrorCode.UNKNOWN_ENTITY, refusal(() -> groups.create("sg-2", UserId.of("carol"))));
    }

    @Test
    void join_updatesTheGroupKey_soANewMemberCannotReadWhatCameBefore() {
        byte[] before = key(groups.create(SG, ALICE));
        ServiceGroup g = groups.join(SG, TV);
        assertEquals(List.of(TV), g.members());
        assertEquals(2, g.epoch());
        assertFalse(Arrays.equals(before, key(g)));
    }

    @Test
    void leaveAndExpel_updateTheGroupKey_soADepartedMemberCannotReadWhatComesAfter() {
        groups.create(SG, ALICE);
        groups.join(SG, TV);
        byte[] withTv = key(groups.join(SG, RADIO));
        ServiceGroup afterLeave = groups.leave(SG, TV);
        assertEquals(List.of(RADIO), afterLeave.members());
        assertFalse(Arrays.equals(withTv, key(afterLeave)));
        ServiceGroup afterExpel = groups.expel(SG, RADIO);
        assertEquals(5, afterExpel.epoch());
        assertTrue(afterExpel.members().isEmpty());
        assertTrue(log.all().contains("pne-radio was expelled"), log.all());
        assertEquals(ErrorCode.UNKNOWN_ENTITY, refusal(() -> groups.leave(SG, RADIO)), "not a member any more");
    }

    @Test
    void join_isForPnesOfTheGroupOwnersUserOnly() {
        groups.create(SG, ALICE);
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.join(SG, BOBS)), "another user's PNE");
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.join(SG, GW)), "a PN GW is not a member PNE");
        assertEquals(ErrorCode.UNKNOWN_ENTITY, refusal(() -> groups.join(SG, EntityId.of("pne-nobody"))));
        assertEquals(ErrorCode.UNKNOWN_GROUP, refusal(() -> groups.join("sg-none", TV)));
        groups.join(SG, TV);
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> groups.join(SG, TV)), "already a member");
        assertEquals(2, groups.group(SG).orElseThrow().epoch(), "refusals change no key");
    }

    @Test
    void joinOfSeveral_isOneNewGroupKey_allOrNone() {
        groups.create(SG, ALICE);
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.join(SG, List.of(TV, BOBS))), "one refused: none joins");
        assertEquals(1, groups.group(SG).orElseThrow().epoch());
        assertTrue(groups.group(SG).orElseThrow().members().isEmpty());
        ServiceGroup g = groups.join(SG, List.of(TV, RADIO));
        assertEquals(2, g.epoch());
        assertEquals(2, g.members().size());
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> groups.join(SG, List.of())));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> groups.join(SG, List.of(TV))), "already a member");
    }

    @Test
    void update_periodic_givesANewKeyToTheSameMembers() {
        groups.create(SG, ALICE);
        byte[] k2 = key(groups.join(SG, TV));
        ServiceGroup g = groups.update(SG);
        assertEquals(3, g.epoch());
        assertEquals(List.of(TV), g.members());
        assertFalse(Arrays.equals(k2, key(g)));
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, refusal(() -> groups.groupKey(SG, 2)), "only the current epoch's key");
    }

    /** The Server (or server-groups) restarts: a new component on the same database, the periodic update every {@code hours}. */
    private void restart(int hours) {
        groups.deactivate();
        groups = new GroupRegistryComponent(db.groupStore(), entities, users, secrets, pnRegistry(), log.logger(),
                Configs.of(GroupRegistryComponent.Config.class, Map.of("updateHours", hours)), clock);
    }

    @Test
    void periodicUpdate_countsFromTheKeysAge_soARestartHalfAnHourBeforeItIsDueDoesNotPostponeIt() {
        restart(24);
        groups.create(SG, ALICE);
        groups.join(SG, TV); // epoch 2, made now
        clock.advance(Duration.ofHours(24).minusMinutes(30));
        restart(24); // 30 minutes before the key is due
        assertEquals(Duration.ofMinutes(30), groups.runPeriodicUpdates(), "due in 30 minutes, not 24 hours after the restart");
        assertEquals(2, groups.group(SG).orElseThrow().epoch());
        clock.advance(Duration.ofMinutes(30));
        groups.runPeriodicUpdates();
        ServiceGroup g = groups.group(SG).orElseThrow();
        assertEquals(3, g.epoch(), "renewed at its due time");
        assertEquals(List.of(TV), g.members());
        assertEquals(clock.instant(), db.groupStore().keyTimes().get(0).updated(), "the new key's age starts now");
    }

    @Test
    void periodicUpdate_aKeyOverdueAtStartIsRenewedPromptly_once() {
        restart(0);
        groups.create(SG, ALICE);
        groups.create("sg-young", ALICE);
        clock.advance(Duration.ofHours(30));
        groups.update("sg-young"); // renewed 6 hours ago... by the clock now
        clock.advance(Duration.ofHours(6));
        restart(24); // the Server was down when SG's key fell due
        groups.runPeriodicUpdates();
        assertEquals(2, groups.group(SG).orElseThrow().epoch(), "renewed at start, once for all the missed periods");
        assertEquals(2, groups.group("sg-young").orElseThrow().epoch(), "its key is 6 hours old: not yet");
        clock.advance(Duration.ofHours(18));
        groups.runPeriodicUpdates();
        assertEquals(3, groups.group("sg-young").orElseThrow().epoch());
        assertEquals(2, groups.group(SG).orElseThrow().epoch());
    }

    @Test
    void delete_removesGroupAndKey() {
        groups.create(SG, ALICE);
        groups.join(SG, TV);
        assertTrue(groups.delete(SG));
        assertFalse(groups.delete(SG));
        assertTrue(groups.group(SG).isEmpty());
        assertTrue(groups.groupsOf(TV).isEmpty());
        assertEquals(ErrorCode.UNKNOWN_GROUP, refusal(() -> groups.groupKey(SG, 2)));
    }

    /** Seed 003 B.2.1.1 steps 9-10: a PN GW pulls the key of a group with members in its PNs. */
    @Test
    void pull_byThePnGwOfAMember_returnsTheCurrentKeyAndItsMembersThere() {
        db.pnStore().createPn("pn-1", GW, ALICE, java.time.Instant.now());
        db.pnStore().addMember("pn-1", TV, java.time.Instant.now());
        groups.create(SG, ALICE);
        ServiceGroup g = groups.join(SG, TV);
        groups.join(SG, RADIO); // radio is in no PN of this PN GW
        g = groups.group(SG).orElseThrow();

        var key = groups.pull(new io.cpns.api.server.Principal(GW, EntityKind.GATEWAY, ALICE), SG);
        assertEquals(g.epoch(), key.epoch());
        assertEquals(List.of(TV.value()), key.members());
        assertArrayEquals(key(g), key.groupKey());

        var otherGw = new io.cpns.api.server.Principal(EntityId.of("gw-other"), EntityKind.GATEWAY, ALICE);
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.pull(otherGw, SG)), "no member in its PNs");
        var pne = new io.cpns.api.server.Principal(TV, EntityKind.PNE, ALICE);
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.pull(pne, SG)), "PNEs get keys from their PN GW");
        assertEquals(ErrorCode.UNKNOWN_GROUP, refusal(() -> groups.pull(new io.cpns.api.server.Principal(GW, EntityKind.GATEWAY, ALICE), "sg-x")));
    }

    /**
     * Seed 003 §5.3.2 (distributed topology), what the Server decides alone: a Group Key Manager is
     * a PN GW of the group's owner, and no key is made without it. (Creation by a live manager and
     * the deliveries: GroupKeyManagerIT, with two PN GWs.)
     */
    @Test
    void keyManager_aPnGwOfTheOwner_andNothingChangesWhileItCannotBeReached() {
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.create(SG, ALICE, TV)), "a PNE");
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.create(SG, BOB, GW)), "another user's PN GW");
        assertEquals(ErrorCode.UNKNOWN_ENTITY, refusal(() -> groups.create(SG, ALICE, EntityId.of("gw-nobody"))));
        assertEquals(ErrorCode.UNAVAILABLE, refusal(() -> groups.create(SG, ALICE, GW)), "no endpoint: the manager is out of reach");
        assertTrue(groups.group(SG).isEmpty(), "no group without its first key");

        groups.create(SG, ALICE);
        groups.join(SG, TV);
        CpnsException out = assertThrows(CpnsException.class, () -> groups.assignKeyManager(SG, GW));
        assertEquals(ErrorCode.UNAVAILABLE, out.code());
        assertTrue(out.getMessage().contains("Group Key Manager gw-alice"), out.getMessage());
        ServiceGroup g = groups.group(SG).orElseThrow();
        assertTrue(g.manager().isEmpty());
        assertEquals(2, g.epoch());
        assertEquals(g, groups.assignKeyManager(SG, null), "already the Server's: nothing to do");
    }

    /** {@code group.sync.req}: a PN GW back online learns every group with members in its PNs, at its epoch, without keys. */
    @Test
    void sync_listsTheGroupsWithMembersInTheAskingPnGwsPns() {
        db.pnStore().createPn("pn-1", GW, ALICE, java.time.Instant.now());
        db.pnStore().addMember("pn-1", TV, java.time.Instant.now());
        groups.create(SG, ALICE);
        groups.join(SG, List.of(TV, RADIO));
        groups.create("sg-2", ALICE);
        groups.join("sg-2", RADIO); // no member in gw-alice's PNs

        var sync = groups.sync(new io.cpns.api.server.Principal(GW, EntityKind.GATEWAY, ALICE));
        assertEquals(List.of(new io.cpns.api.message.GroupNotify(SG, 2, List.of(TV.value()), false)), sync.groups());
        assertTrue(groups.sync(new io.cpns.api.server.Principal(EntityId.of("gw-other"), EntityKind.GATEWAY, ALICE)).groups().isEmpty());
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.sync(new io.cpns.api.server.Principal(TV, EntityKind.PNE, ALICE))));
    }

    /** {@code group.msg} from a PN GW (TS §5.3.3.2): forwarded only when sealed and sent by a member in that PN GW's PNs. */
    @Test
    void groupMessage_fromAPnGw_onlyForAMemberInItsPns_andSealed() {
        db.pnStore().createPn("pn-1", GW, ALICE, java.time.Instant.now());
        db.pnStore().addMember("pn-1", TV, java.time.Instant.now());
        groups.create(SG, ALICE);
        groups.join(SG, List.of(TV, RADIO));
        var gw = new io.cpns.api.server.Principal(GW, EntityKind.GATEWAY, ALICE);
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.forwardMessage(gw, new io.cpns.api.message.GroupMsg(SG, RADIO.value(), 2, 1,
                new byte[32], null))), "radio is in no PN of gw-alice");
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.forwardMessage(gw, new io.cpns.api.message.GroupMsg(SG, TV.value(), 2, 1,
                null, new byte[1]))), "in the clear");
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.forwardMessage(new io.cpns.api.server.Principal(TV, EntityKind.PNE, ALICE),
                new io.cpns.api.message.GroupMsg(SG, TV.value(), 2, 1, new byte[32], null))), "PNEs send through their PN GW");
        assertEquals(ErrorCode.UNKNOWN_GROUP, refusal(() -> groups.forwardMessage(gw, new io.cpns.api.message.GroupMsg("sg-x", TV.value(), 2, 1,
                new byte[32], null))));
        assertEquals(ErrorCode.UNAVAILABLE, refusal(() -> groups.forwardMessage(gw, new io.cpns.api.message.GroupMsg(SG, TV.value(), 2, 1,
                new byte[32], null))), "accepted; no endpoint here to forward it on");
    }

    @Test
    void aSealedKeyMovedToAnotherGroup_doesNotOpen() {
        groups.create(SG, ALICE);
        groups.create("sg-2", ALICE);
        byte[] sealed = db.groupStore().groupKey(SG).orElseThrow().sealed();
        GroupKeySealer sealer = new GroupKeySealer(secrets);
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> sealer.open("sg-2", 1, sealed)));
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> sealer.open(SG, 2, sealed)), "nor at another epoch");
        assertArrayEquals(key(groups.group(SG).orElseThrow()), sealer.open(SG, 1, sealed));
    }

    /**
     * Seed 003: "CPNS Server may check security level within PN" before it delivers a Group Key. A
     * member registered (seed 004 step 10) over a link below the group's minimum is left out of what
     * its PN GW is told; a PN GW with no member meeting it is refused with a typed error.
     */
    @Test
    void minProtection_theKeyGoesOnlyToMembersRegisteredWithIt_aPnGwWithNoneSuch_isInsufficientProtection() {
        var pnStore = db.pnStore();
        java.time.Instant now = java.time.Instant.now();
        pnStore.createPn("pn-1", GW, ALICE, now);
        pnStore.addMember("pn-1", TV, now);
        pnStore.addMember("pn-1", RADIO, now);
        pnStore.putPneInfo(new io.cpns.api.server.PneInfo(TV, GW, Map.of("ui", "true"), io.cpns.api.LinkProtection.TLS, now));
        pnStore.putPneInfo(new io.cpns.api.server.PneInfo(RADIO, GW, Map.of(), io.cpns.api.LinkProtection.PAN, now));
        groups.create(SG, ALICE);
        ServiceGroup before = groups.join(SG, List.of(TV, RADIO));
        var gw = new io.cpns.api.server.Principal(GW, EntityKind.GATEWAY, ALICE);
        assertEquals(List.of("pne-radio", "pne-tv"), groups.pull(gw, SG).members(), "no minimum: every member");

        ServiceGroup g = groups.requireProtection(SG, io.cpns.api.LinkProtection.SESSION);
        assertEquals(io.cpns.api.LinkProtection.SESSION, g.minProtection());
        assertEquals(before.epoch() + 1, g.epoch(), "a new key: the member left out cannot read what comes after");
        assertEquals(List.of("pne-tv"), groups.pull(gw, SG).members(), "tls meets session, a secure PAN does not");
        assertTrue(log.all().contains("withheld from 1 at PN GW gw-alice: pne-radio (pan)"), log.all());
        assertEquals(List.of("pne-tv"), groups.sync(gw).groups().get(0).members());
        // the member asking the Server itself (group.key.req relayed under its SK_PNE) is told why
        CpnsException why = assertThrows(CpnsException.class, () -> groups.pull(new io.cpns.api.server.Principal(RADIO, EntityKind.PNE, ALICE), SG));
        assertEquals(ErrorCode.INSUFFICIENT_PROTECTION, why.code());
        assertTrue(why.getMessage().contains("requires link protection session; pne-radio was last registered with pan"), why.getMessage());
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> groups.pull(new io.cpns.api.server.Principal(TV, EntityKind.PNE, ALICE), SG)),
                "a member that meets it gets its key from its PN GW, as every PNE");

        pnStore.putPneInfo(new io.cpns.api.server.PneInfo(TV, GW, Map.of(), null, now)); // registered again by a PN GW that did not say
        assertEquals(ErrorCode.INSUFFICIENT_PROTECTION, refusal(() -> groups.pull(gw, SG)));
        assertTrue(groups.sync(gw).groups().isEmpty(), "its PN GW is told no member there gets the key: it deletes it");

        groups.requireProtection(SG, io.cpns.api.LinkProtection.NONE);
        assertEquals(List.of("pne-radio", "pne-tv"), groups.pull(gw, SG).members());
        assertEquals(ErrorCode.UNKNOWN_GROUP, refusal(() -> groups.requireProtection("sg-x", io.cpns.api.LinkProtection.PAN)));
    }
}
