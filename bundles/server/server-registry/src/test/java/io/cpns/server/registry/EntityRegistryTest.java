package io.cpns.server.registry;

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
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.EntityList;
import io.cpns.api.message.EntityListRequest;
import io.cpns.api.message.Envelope;
import io.cpns.api.server.Principal;
import io.cpns.crypto.Suites;
import java.util.HexFormat;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TS §5.3.1 (EUKey stored with Entity ID and User ID; no second assignment) and §5.3.4 (authorization). */
class EntityRegistryTest {
    @TempDir
    Path dir;
    RegistryFixture f;
    static final UserId ALICE = UserId.of("alice");
    static final UserId BOB = UserId.of("bob");
    static final EntityId GW_A = EntityId.of("gw-alice");
    static final EntityId GW_B = EntityId.of("gw-bob");

    @BeforeEach
    void setUp() throws Exception {
        f = new RegistryFixture(dir);
        f.users.register(ALICE, "password-a".toCharArray());
        f.users.register(BOB, "password-b".toCharArray());
    }

    @AfterEach
    void tearDown() {
        f.close();
    }

    @Test
    void assignment_returnsA256BitKey_storedSealedWithEntityAndUser() {
        byte[] key = f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        assertEquals(32, key.length);
        assertArrayEquals(key, f.entities.euKey(GW_A).orElseThrow());
        var record = f.entities.find(GW_A).orElseThrow();
        assertEquals(ALICE, record.owner());
        assertEquals(Suites.fingerprint(key), record.euKeyFingerprint());
        byte[] atRest = f.store.sealedEuKey(GW_A).orElseThrow();
        assertFalse(Arrays.equals(key, Arrays.copyOfRange(atRest, 12, 44)), "stored in the clear");
        assertFalse(f.log.all().contains(HexFormat.of().formatHex(key)), "key logged");
    }

    @Test
    void secondAssignment_afterTheEntityUsedItsKey_isRefused_andTheKeyStays() {
        byte[] first = f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        f.entities.confirm(GW_A);
        assertEquals(ErrorCode.ALREADY_ASSIGNED,
                assertThrows(CpnsException.class, () -> f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE)).code());
        assertArrayEquals(first, f.entities.euKey(GW_A).orElseThrow());
    }

    @Test
    void unconfirmedAssignment_lostReply_sameOwnerGetsANewKey_andTheOldOneStopsWorking() {
        byte[] lost = f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        byte[] second = f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        assertFalse(Arrays.equals(lost, second));
        assertArrayEquals(second, f.entities.euKey(GW_A).orElseThrow());
        assertEquals(Suites.fingerprint(second), f.entities.find(GW_A).orElseThrow().euKeyFingerprint());
    }

    @Test
    void unconfirmedAssignment_ofAnotherUser_isStillRefused() {
        f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        assertEquals(ErrorCode.ALREADY_ASSIGNED,
                assertThrows(CpnsException.class, () -> f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, BOB)).code());
        assertEquals(ALICE, f.entities.find(GW_A).orElseThrow().owner());
    }

    @Test
    void removedEntity_canBeEnrolledAgain() {
        f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        f.entities.confirm(GW_A);
        assertTrue(f.entities.remove(GW_A));
        assertTrue(f.entities.find(GW_A).isEmpty());
        f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, BOB);
        assertEquals(BOB, f.entities.find(GW_A).orElseThrow().owner());
    }

    @Test
    void sealedKeyCopiedToAnotherEntitysRow_doesNotOpen() {
        f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        byte[] sealedA = f.store.sealedEuKey(GW_A).orElseThrow();
        EuKeySealer sealer = new EuKeySealer(f.secrets);
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> sealer.open(GW_B, sealedA)).code());
    }

    @Test
    void entityInfo_ownEntity_isReturned_anotherUsersEntity_isForbidden_unknown_isUnknownEntity() {
        f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        f.entities.assignEuKey(GW_B, EntityKind.GATEWAY, BOB);
        Principal alice = new Principal(GW_A, EntityKind.GATEWAY, ALICE);
        EntityRequests h = new EntityRequests(f.entities);
        EntityInfo own = (EntityInfo) h.handle(alice, req(new EntityInfoRequest("gw-alice")));
        assertEquals("alice", own.userId());
        assertEquals(ErrorCode.FORBIDDEN,
                assertThrows(CpnsException.class, () -> h.handle(alice, req(new EntityInfoRequest("gw-bob")))).code());
        assertEquals(ErrorCode.UNKNOWN_ENTITY,
                assertThrows(CpnsException.class, () -> h.handle(alice, req(new EntityInfoRequest("gw-nobody")))).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT,
                assertThrows(CpnsException.class, () -> h.handle(alice, req(new EntityInfoRequest("bad id")))).code());
    }

    @Test
    void entityList_containsOnlyTheRequestersUser() {
        f.entities.assignEuKey(GW_A, EntityKind.GATEWAY, ALICE);
        f.entities.assignEuKey(GW_B, EntityKind.GATEWAY, BOB);
        EntityList l = (EntityList) new EntityRequests(f.entities)
                .handle(new Principal(GW_A, EntityKind.GATEWAY, ALICE), req(new EntityListRequest()));
        assertEquals(List.of(new EntityInfo("gw-alice", EntityKind.GATEWAY, "alice")), l.entities());
    }

    private static Envelope req(io.cpns.api.message.Message m) {
        return new Envelope(GW_A, EntityId.of("cpns-server"), 1, m);
    }
}
