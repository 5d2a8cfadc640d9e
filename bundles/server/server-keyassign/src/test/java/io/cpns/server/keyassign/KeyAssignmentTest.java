package io.cpns.server.keyassign;

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
import io.cpns.api.message.KaRegisterRequest;
import io.cpns.api.message.KaRequest;
import io.cpns.api.message.KaResponse;
import io.cpns.api.server.Principal;
import io.cpns.crypto.AtRestSealer;
import io.cpns.crypto.KeyAssignmentCrypto;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.server.registry.EntityRegistryComponent;
import io.cpns.server.registry.UserRegistryComponent;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.util.HexFormat;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Seed 001 §7.x.2 on the Server: Subscription & Registration (7.x.2.1.2) and Key Assignment Response (7.x.2.3.3), step by step. */
class KeyAssignmentTest {
    private static final UserId ALICE = UserId.of("alice");
    private static final UserId BOB = UserId.of("bob");
    private static final String PASSWORD = "alice-secret-1";
    private static final EntityId GW = EntityId.of("gw-alice");
    private static final EntityId BOBS_GW = EntityId.of("gw-bob");
    private static final EntityId SENSOR = EntityId.of("pne-sensor");
    private static final long NOW = 1_700_000_000L;

    @TempDir
    Path dir;
    private OpenStore db;
    private EntityRegistryComponent entities;
    private final TestLogger log = new TestLogger("server-keyassign");
    private KeyAssignment ka;
    private byte[] gwKey;
    private UserRegistryComponent users;
    private EncryptedFileStore secrets;

    @BeforeEach
    void setUp() throws Exception {
        db = JdbcStores.open("jdbc:h2:mem:ka" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4);
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        users = new UserRegistryComponent(db, log.logger(), Configs.of(UserRegistryComponent.Config.class,
                Map.of("argon2MemoryKiB", 1024, "argon2Iterations", 1)));
        users.register(ALICE, PASSWORD.toCharArray());
        users.register(BOB, "bob-secret-22".toCharArray());
        entities = new EntityRegistryComponent(db, secrets, log.logger());
        gwKey = entities.assignEuKey(GW, EntityKind.GATEWAY, ALICE);
        entities.assignEuKey(BOBS_GW, EntityKind.GATEWAY, BOB);
        ka = new KeyAssignment(db.keyAssignmentStore(), users, entities, AtRestSealer.of(secrets, KeyAssignment.ALIAS), log.logger(),
                Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), 300, Set.of("modern-v1", "legacy-v1"));
    }

    @AfterEach
    void tearDown() {
        db.close();
    }

    private static Principal gateway(EntityId id, UserId user) {
        return new Principal(id, EntityKind.GATEWAY, user);
    }

    private KaRegisterRequest registration(String password, byte[] psk1, EntityId gw) {
        byte[] nonce = Randoms.bytes(12);
        return new KaRegisterRequest(ALICE.value(), nonce, KeyAssignmentCrypto.encryptPassword(psk1, KeyAssignmentCrypto.PSK1, nonce,
                gw.value(), ALICE.value(), password.toCharArray()), Map.of("plan", "home"));
    }

    /** What the PNE sends in step 8 (§7.x.2.3.2), with the password hash it installed. */
    private static KaRequest request(String suite, String password, byte[] randPne, long time) {
        KeyAssignmentCrypto c = KeyAssignmentCrypto.of(Suites.byName(suite));
        byte[] hpw = c.passwordHash(ALICE.value(), password.toCharArray());
        return new KaRequest(SENSOR.value(), ALICE.value(), suite, randPne, time, c.requestAuth(hpw, ALICE.value(), randPne, time));
    }

    private static ErrorCode refusal(Executable e) {
        return assertThrows(CpnsException.class, e).code();
    }

    @Test
    void step7x2_1_2_registration_wrongPasswords_theUserMustWait_evenTheRightPasswordIsRefusedUnchecked() throws Exception {
        EncryptedFileStore secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        UserRegistryComponent users = new UserRegistryComponent(db, log.logger(), Configs.of(UserRegistryComponent.Config.class,
                Map.of("argon2MemoryKiB", 1024, "argon2Iterations", 1, "backoffInitialMillis", 60_000))); // no machine outlasts it
        KeyAssignment guarded = new KeyAssignment(db.keyAssignmentStore(), users, entities, AtRestSealer.of(secrets, KeyAssignment.ALIAS),
                log.logger(), Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), 300, Set.of("modern-v1", "legacy-v1"));
        for (int i = 0; i < 6; i++) { // five free, the sixth starts the wait
            String guess = "guess-" + i;
            assertEquals(ErrorCode.AUTH_FAILED, refusal(() -> guarded.register(gateway(GW, ALICE), registration(guess, gwKey, GW))));
        }
        assertEquals(ErrorCode.RATE_LIMITED, refusal(() -> guarded.register(gateway(GW, ALICE), registration(PASSWORD, gwKey, GW))));
        assertTrue(db.keyAssignmentStore().registration(ALICE).isEmpty());
        assertTrue(log.all().contains("password attempt for CPNS User alice from gw:gw-alice: AUTH_FAILED"), "counted against the relaying PN GW");
        assertFalse(log.all().contains("guess-") || log.all().contains(PASSWORD), log.all());
    }

    @Test
    void step7x2_1_2_registration_storesTheHashOfEachSuite_sealed_andTheSubscription() {
        ka.register(gateway(GW, ALICE), registration(PASSWORD, gwKey, GW));
        assertEquals(Map.of("plan", "home"), db.keyAssignmentStore().registration(ALICE).orElseThrow().subscription());
        byte[] sealed = db.keyAssignmentStore().sealedPasswordHash(ALICE, "legacy-v1").orElseThrow();
        byte[] sha1 = KeyAssignmentCrypto.of(Suites.legacy()).passwordHash(ALICE.value(), PASSWORD.toCharArray());
        assertFalse(HexFormat.of().formatHex(sealed).contains(HexFormat.of().formatHex(sha1)), "sealed at rest");
        assertTrue(db.keyAssignmentStore().sealedPasswordHash(ALICE, "modern-v1").isPresent());
        assertFalse(log.all().contains(PASSWORD), log.all());
    }

    @Test
    void step7x2_1_2_registration_refusals_wrongPassword_otherUser_notPsk1_notAGateway() {
        assertEquals(ErrorCode.AUTH_FAILED, refusal(() -> ka.register(gateway(GW, ALICE), registration("guess", gwKey, GW))));
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> ka.register(gateway(BOBS_GW, BOB), registration(PASSWORD, gwKey, BOBS_GW))),
                "bob's PN GW registers only bob");
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> ka.register(gateway(GW, ALICE), registration(PASSWORD, Randoms.bytes(32), GW))),
                "not encrypted with this PN GW's PSK1");
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> ka.register(new Principal(SENSOR, EntityKind.PNE, ALICE),
                registration(PASSWORD, gwKey, GW))));
        assertTrue(db.keyAssignmentStore().registration(ALICE).isEmpty(), "nothing stored");
    }

    /** Steps 10-12 answered, then what the PNE does in step 14: its KEK unwraps the EUKey the Server stored for it. */
    @Test
    void step7x2_3_3_response_wrapsTheNewEuKey_underTheKekThePneDerives_inBothSuites() {
        ka.register(gateway(GW, ALICE), registration(PASSWORD, gwKey, GW));
        for (String suite : new String[] {"modern-v1", "legacy-v1"}) {
            EntityId pne = EntityId.of("pne-" + suite);
            KeyAssignmentCrypto c = KeyAssignmentCrypto.of(Suites.byName(suite));
            byte[] randPne = Randoms.bytes(32);
            KaRequest base = request(suite, PASSWORD, randPne, NOW + 10);
            KaRequest r = new KaRequest(pne.value(), base.userId(), base.suite(), base.randPne(), base.time(), base.auth());
            KaResponse resp = ka.assign(gateway(GW, ALICE), r);

            byte[] hpw = c.passwordHash(ALICE.value(), PASSWORD.toCharArray());
            assertArrayEquals(c.responseAuth(hpw, ALICE.value(), randPne, resp.randSvr()), resp.auth());
            byte[] keyPne = c.unwrap(c.kek(hpw, ALICE.value(), randPne, resp.randSvr()), resp.wrappedKey());
            assertArrayEquals(entities.euKey(pne).orElseThrow(), keyPne, "KeyPNE is the PNE's EUKey");
            assertEquals(ALICE, entities.find(pne).orElseThrow().owner());
        }
    }

    @Test
    void step7x2_3_3_refusals_eachWithItsOwnCode() {
        ka.register(gateway(GW, ALICE), registration(PASSWORD, gwKey, GW));
        Principal gw = gateway(GW, ALICE);
        assertEquals(ErrorCode.AUTH_FAILED, refusal(() -> ka.assign(gw, request("modern-v1", "wrong", Randoms.bytes(32), NOW))), "wrong password");
        assertEquals(ErrorCode.STALE_TIME, refusal(() -> ka.assign(gw, request("modern-v1", PASSWORD, Randoms.bytes(32), NOW - 301))));
        assertEquals(ErrorCode.STALE_TIME, refusal(() -> ka.assign(gw, request("modern-v1", PASSWORD, Randoms.bytes(32), NOW + 301))));
        assertEquals(ErrorCode.UNSUPPORTED_SUITE, refusal(() -> ka.assign(gw, new KaRequest(SENSOR.value(), ALICE.value(), "rot13-v0",
                Randoms.bytes(32), NOW, new byte[32]))));
        assertEquals(ErrorCode.FORBIDDEN, refusal(() -> ka.assign(gateway(BOBS_GW, BOB), request("modern-v1", PASSWORD, Randoms.bytes(32), NOW))),
                "another user's PN GW");
        assertFalse(entities.find(SENSOR).isPresent(), "no refusal assigned anything");

        KaRequest good = request("modern-v1", PASSWORD, Randoms.bytes(32), NOW);
        ka.assign(gw, good);
        assertEquals(ErrorCode.REPLAY, refusal(() -> ka.assign(gw, good)), "the same RANDPNE again");
        entities.confirm(SENSOR); // the PNE authenticated with its new EUKey
        assertEquals(ErrorCode.ALREADY_ASSIGNED, refusal(() -> ka.assign(gw, request("modern-v1", PASSWORD, Randoms.bytes(32), NOW))));
        assertTrue(log.all().contains("Key Assignment for PNE pne-sensor of alice refused"), log.all());
        assertFalse(log.all().contains(PASSWORD), "no secret in the log");
    }

    @Test
    void step7x2_3_3_unknownId_withoutRegistration_isUnknownEntity() {
        assertEquals(ErrorCode.UNKNOWN_ENTITY, refusal(() -> ka.assign(gateway(GW, ALICE), request("modern-v1", PASSWORD, Randoms.bytes(32), NOW))));
        assertTrue(log.all().contains("no Key Assignment registration of alice"), log.all());
    }

    private KeyAssignmentServer server(Map<String, Object> config) {
        return new KeyAssignmentServer(db.keyAssignmentStore(), users, entities, secrets, log.logger(),
                Configs.of(KeyAssignmentServer.Config.class, config));
    }

    /**
     * Issue 12 §6: with the default configuration legacy-v1 is off: no SHA-1 of the password is
     * stored, one an earlier default left is deleted at start, and a legacy-v1 request is refused
     * as UNSUPPORTED_SUITE, saying why. Before: legacy-v1 was on by default and its hash stored.
     */
    @Test
    void legacyV1_offByDefault_noSha1Stored_anEarlierOneDeleted_aLegacyRequestRefused() {
        db.keyAssignmentStore().register(BOB, Map.of("legacy-v1", new byte[] {9}, "modern-v1", new byte[] {8}), Map.of(), BOBS_GW,
                Instant.ofEpochSecond(NOW)); // as the earlier default left it
        KeyAssignmentServer server = server(Map.of());
        assertTrue(db.keyAssignmentStore().sealedPasswordHash(BOB, "legacy-v1").isEmpty(), "deleted at start");
        assertTrue(db.keyAssignmentStore().sealedPasswordHash(BOB, "modern-v1").isPresent());

        server.register(gateway(GW, ALICE), registration(PASSWORD, gwKey, GW));
        assertTrue(db.keyAssignmentStore().sealedPasswordHash(ALICE, "legacy-v1").isEmpty(), "no SHA-1 of the password stored");
        assertTrue(db.keyAssignmentStore().sealedPasswordHash(ALICE, "modern-v1").isPresent());
        long now = Instant.now().getEpochSecond();
        CpnsException e = assertThrows(CpnsException.class,
                () -> server.assign(gateway(GW, ALICE), request("legacy-v1", PASSWORD, Randoms.bytes(32), now)));
        assertEquals(ErrorCode.UNSUPPORTED_SUITE, e.code());
        assertTrue(e.getMessage().contains("legacy-v1 Key Assignment is off"), e.getMessage());
        assertFalse(entities.find(SENSOR).isPresent());
        server.assign(gateway(GW, ALICE), request("modern-v1", PASSWORD, Randoms.bytes(32), now)); // modern-v1 works
        assertTrue(entities.find(SENSOR).isPresent());
    }

    /** Issue 12 §6: turned on, legacy-v1 stores its hash and answers a legacy-v1 request. */
    @Test
    void legacyV1_turnedOn_storesItsHash_andAssigns() {
        KeyAssignmentServer server = server(Map.of("suites", new String[] {"modern-v1", "legacy-v1"}));
        server.register(gateway(GW, ALICE), registration(PASSWORD, gwKey, GW));
        assertTrue(db.keyAssignmentStore().sealedPasswordHash(ALICE, "legacy-v1").isPresent());
        server.assign(gateway(GW, ALICE), request("legacy-v1", PASSWORD, Randoms.bytes(32), Instant.now().getEpochSecond()));
        assertTrue(entities.find(SENSOR).isPresent());
    }
}
