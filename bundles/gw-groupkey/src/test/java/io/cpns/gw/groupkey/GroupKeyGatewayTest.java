package io.cpns.gw.groupkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupKeyPush;
import io.cpns.api.message.GroupNotify;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PN GW's end of Group Key delivery (TS §5.3.2, seed 003 B.2.1). */
class GroupKeyGatewayTest {
    @TempDir
    Path dir;
    private final TestLogger log = new TestLogger("gw-groupkey");

    private EncryptedFileStore secrets() throws java.io.IOException {
        return new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
    }

    private GroupKeyGateway gateway() throws java.io.IOException {
        return new GroupKeyGateway(secrets(), () -> io.cpns.api.EntityId.of("gw-home"), log.logger(),
                Configs.defaults(GroupKeyGateway.Config.class));
    }

    @Test
    void push_storesTheKeyOfTheEpoch_encryptedAtRest_andKeepsItAcrossARestart() throws Exception {
        byte[] key = Randoms.bytes(32);
        String fp = Suites.fingerprint(key);
        GroupKeyGateway gw = gateway();
        assertTrue(gw.pushed(new GroupKeyPush("sg-1", 2, List.of("pne-tv"), key.clone())).toCompletableFuture().get() instanceof Ack);
        assertEquals(2, gw.group("sg-1").orElseThrow().epoch());
        assertEquals(fp, gw.group("sg-1").orElseThrow().keyFingerprint());
        assertArrayEquals(key, gw.groupKey("sg-1").orElseThrow());

        for (Path f : Files.list(dir.resolve("ks")).toList()) {
            assertFalse(new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains(new String(key, java.nio.charset.StandardCharsets.ISO_8859_1)), f + " holds the key in the clear");
        }
        GroupKeyGateway restarted = gateway();
        assertEquals(List.of("pne-tv"), restarted.group("sg-1").orElseThrow().members());
        assertArrayEquals(key, restarted.groupKey("sg-1").orElseThrow());
    }

    @Test
    void anOlderEpoch_neverReplacesANewerOne() throws Exception {
        GroupKeyGateway gw = gateway();
        byte[] newer = Randoms.bytes(32);
        gw.pushed(new GroupKeyPush("sg-1", 5, List.of("pne-tv"), newer.clone())).toCompletableFuture().get();
        gw.pushed(new GroupKeyPush("sg-1", 4, List.of("pne-tv"), Randoms.bytes(32))).toCompletableFuture().get();
        assertEquals(5, gw.group("sg-1").orElseThrow().epoch());
        assertArrayEquals(newer, gw.groupKey("sg-1").orElseThrow());
    }

    @Test
    void notify_deletedOrWithoutMembersHere_forgetsTheGroupAndItsKey() throws Exception {
        GroupKeyGateway gw = gateway();
        gw.pushed(new GroupKeyPush("sg-1", 2, List.of("pne-tv"), Randoms.bytes(32))).toCompletableFuture().get();
        gw.pushed(new GroupKeyPush("sg-2", 2, List.of("pne-tv"), Randoms.bytes(32))).toCompletableFuture().get();
        gw.notified(new GroupNotify("sg-1", 3, List.of(), false)).toCompletableFuture().get();
        gw.notified(new GroupNotify("sg-2", 2, List.of(), true)).toCompletableFuture().get();
        assertTrue(gw.groups().isEmpty());
        assertTrue(gw.groupKey("sg-1").isEmpty());
        assertTrue(gateway().groups().isEmpty(), "gone from the store too");
    }

    @Test
    void notify_ofANewerEpoch_withoutAServerLink_failsUnavailable_andKeepsWhatItHas() throws Exception {
        GroupKeyGateway gw = gateway();
        gw.pushed(new GroupKeyPush("sg-1", 2, List.of("pne-tv"), Randoms.bytes(32))).toCompletableFuture().get();
        assertTrue(gw.notified(new GroupNotify("sg-1", 2, List.of("pne-tv"), false)).toCompletableFuture().get() instanceof Ack,
                "an epoch it holds: nothing to pull");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> gw.notified(new GroupNotify("sg-1", 3, List.of("pne-tv"), false)).toCompletableFuture().get());
        assertEquals(ErrorCode.UNAVAILABLE, ((CpnsException) e.getCause()).code());
        assertEquals(2, gw.group("sg-1").orElseThrow().epoch());
    }
}
