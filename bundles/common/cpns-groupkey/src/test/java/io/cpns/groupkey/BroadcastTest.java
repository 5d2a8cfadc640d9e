package io.cpns.groupkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Ed25519;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.BroadcastMember.Update;
import io.cpns.groupkey.BroadcastMember.Update.Kind;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Broadcast Group Key delivery (TS §5.3.2) over a key tree: one signed message per change, which
 * every remaining member opens and a departed one cannot; catch-up without a rejoin.
 */
class BroadcastTest {
    private static final CryptoSuite SUITE = Suites.modern();
    private static final String SG = "sg-movies";

    private final byte[] signingKey = Ed25519.generate();
    private final GroupDistributor gw = new GroupDistributor(new KeyTree(SG, SUITE), SUITE, "gw-home", signingKey);
    private final Map<String, BroadcastMember> members = new LinkedHashMap<>();
    private byte[] groupKey = Randoms.bytes(32);
    private long keyEpoch = 1;

    private static Set<String> pnes(int n) {
        return IntStream.range(0, n).mapToObj(i -> "pne-" + i).collect(Collectors.toSet());
    }

    /** The PN GW's welcome by unicast: leaf, individual key, signer, and the member's path. */
    private BroadcastMember welcome(String pne) {
        BroadcastMember m = new BroadcastMember(SG, SUITE, Ed25519.publicKey(signingKey), gw.tree().leafOf(pne), gw.tree().leafKey(pne));
        Update u = m.catchUp(gw.pathOf(pne, keyEpoch, groupKey));
        assertEquals(Kind.NEW_KEY, u.kind());
        assertArrayEquals(groupKey, u.groupKey());
        members.put(pne, m);
        return m;
    }

    private GroupDistributor.Change change(Set<String> now) {
        keyEpoch++;
        groupKey = Randoms.bytes(32);
        return gw.update(now, keyEpoch, groupKey);
    }

    private static ErrorCode refusal(Supplier<?> s) {
        return assertThrows(CpnsException.class, s::get).code();
    }

    @Test
    void create_everyMemberWelcomedByUnicast_holdsTheGroupKey() {
        GroupDistributor.Change c = gw.update(pnes(8), keyEpoch, groupKey);
        assertEquals(8, c.joined().size());
        pnes(8).forEach(this::welcome);
        members.values().forEach(m -> assertEquals(Kind.NOTHING_NEW, m.onBroadcast(c.broadcast()).kind(), "the creation broadcast adds nothing"));
    }

    /** One byte, CBOR null, on the topic: a typed refusal, not a NullPointerException out of the MQTT callback (BroadcastFuzzTest.wire). */
    @Test
    void cborNull_onTheTopic_isMalformed() {
        gw.update(pnes(2), keyEpoch, groupKey);
        BroadcastMember m = welcome("pne-0");
        assertEquals(ErrorCode.MALFORMED, refusal(() -> m.onBroadcast(new byte[] {(byte) 0xF6})));
        assertEquals(ErrorCode.MALFORMED, refusal(() -> m.catchUp(new byte[] {(byte) 0xF6})));
    }

    @Test
    void leave_oneBroadcastOfLogNKeys_remainingOpen_departedCannot() {
        gw.update(pnes(64), keyEpoch, groupKey);
        pnes(64).forEach(this::welcome);
        byte[] before = groupKey;
        Set<String> remaining = pnes(64);
        remaining.remove("pne-5");
        GroupDistributor.Change c = change(remaining);

        assertEquals(List.of("pne-5"), c.left());
        assertTrue(c.content().wrappedKeys() <= 2 * 6 + 1, "O(log N): " + c.content().wrappedKeys());
        for (String pne : remaining) {
            BroadcastMember.Update u = members.get(pne).onBroadcast(c.broadcast());
            assertEquals(Kind.NEW_KEY, u.kind(), pne);
            assertArrayEquals(groupKey, u.groupKey(), pne);
        }
        assertEquals(Kind.REMOVED, members.get("pne-5").onBroadcast(c.broadcast()).kind());
        assertNotEquals(new String(before, StandardCharsets.ISO_8859_1), new String(groupKey, StandardCharsets.ISO_8859_1));

        // the departed member cannot read the group's next message; a remaining one can
        GroupMessage next = new GroupSealer(SUITE, SG, keyEpoch, groupKey, "pne-0").seal("after".getBytes(StandardCharsets.UTF_8));
        GroupOpener departed = new GroupOpener(SUITE, SG);
        departed.rekeyed(keyEpoch, before); // its best guess: the old key, under the new epoch
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> departed.open(next)));
        GroupOpener stayer = new GroupOpener(SUITE, SG);
        stayer.rekeyed(keyEpoch, groupKey);
        assertArrayEquals("after".getBytes(StandardCharsets.UTF_8), stayer.open(next));
    }

    @Test
    void join_newcomerOpensNothingOlder_othersFollowTheBroadcast() {
        gw.update(pnes(4), keyEpoch, groupKey);
        pnes(4).forEach(this::welcome);
        byte[] old = gw.current(keyEpoch, groupKey);
        Set<String> more = pnes(5);
        GroupDistributor.Change c = change(more);
        assertEquals(List.of("pne-4"), c.joined());
        BroadcastMember newcomer = welcome("pne-4");
        assertEquals(Kind.NOTHING_NEW, newcomer.onBroadcast(old).kind(), "an older broadcast gives it nothing");
        pnes(4).forEach(p -> assertEquals(Kind.NEW_KEY, members.get(p).onBroadcast(c.broadcast()).kind(), p));
    }

    @Test
    void groupKeyRenewal_withoutMembershipChange_needsNoNewTreeKey_andRepeatsTheLastTreeChange() {
        gw.update(pnes(16), keyEpoch, groupKey);
        pnes(16).forEach(this::welcome);
        GroupDistributor.Change c = change(pnes(16));
        assertEquals(c.content().treeEpoch(), gw.tree().epoch());
        members.values().forEach(m -> assertEquals(Kind.NEW_KEY, m.onBroadcast(c.broadcast()).kind()));

        Set<String> fewer = pnes(16);
        fewer.remove("pne-9");
        GroupDistributor.Change leave = change(fewer); // pne-3 misses this one ...
        GroupDistributor.Change renewal = change(fewer); // ... and gets only this one (retained): it carries the leave again
        assertEquals(leave.content().rekeys(), renewal.content().rekeys());
        BroadcastMember.Update u = members.get("pne-3").onBroadcast(renewal.broadcast());
        assertEquals(Kind.NEW_KEY, u.kind());
        assertArrayEquals(groupKey, u.groupKey());
    }

    @Test
    void missedRekeys_gapIsUnexpected_catchUpByPathWithoutRejoin() {
        gw.update(pnes(8), keyEpoch, groupKey);
        pnes(8).forEach(this::welcome);
        Set<String> now = pnes(8);
        now.remove("pne-1");
        change(now); // pne-7 is offline for this one ...
        now.remove("pne-2");
        GroupDistributor.Change latest = change(now); // ... and sees only this one (e.g. retained)
        BroadcastMember late = members.get("pne-7");
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, refusal(() -> late.onBroadcast(latest.broadcast())));
        BroadcastMember.Update u = late.catchUp(gw.pathOf("pne-7", keyEpoch, groupKey));
        assertEquals(Kind.NEW_KEY, u.kind());
        assertArrayEquals(groupKey, u.groupKey());
        assertEquals(Kind.NOTHING_NEW, late.onBroadcast(latest.broadcast()).kind(), "and the retained broadcast again changes nothing");
    }

    @Test
    void forgedBroadcast_byADepartedMemberOrAnyoneElse_isBadSignature() {
        gw.update(pnes(4), keyEpoch, groupKey);
        pnes(4).forEach(this::welcome);
        byte[] otherKey = Ed25519.generate();
        GroupDistributor forger = new GroupDistributor(gw.tree(), SUITE, "gw-home", otherKey);
        byte[] forged = forger.current(keyEpoch + 1, Randoms.bytes(32));
        assertEquals(ErrorCode.BAD_SIGNATURE, refusal(() -> members.get("pne-0").onBroadcast(forged)));

        byte[] genuine = gw.current(keyEpoch, groupKey);
        byte[] tampered = genuine.clone();
        tampered[tampered.length / 2] ^= 1;
        ErrorCode code = refusal(() -> members.get("pne-0").onBroadcast(tampered));
        assertTrue(code == ErrorCode.BAD_SIGNATURE || code == ErrorCode.MALFORMED, code.toString());
        assertEquals(ErrorCode.MALFORMED, refusal(() -> members.get("pne-0").onBroadcast(new byte[] {1, 2, 3})));
        assertEquals(ErrorCode.FRAME_TOO_LARGE, refusal(() -> members.get("pne-0").onBroadcast(new byte[BroadcastCodec.MAX_BYTES + 1])));
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> new BroadcastMember("sg-other", SUITE, Ed25519.publicKey(signingKey), 1,
                new byte[32]).onBroadcast(genuine)));
    }

    @Test
    void restoredTree_continuesWhereItStopped() {
        gw.update(pnes(8), keyEpoch, groupKey);
        pnes(8).forEach(this::welcome);
        KeyTree.Snapshot s = gw.tree().snapshot();
        GroupDistributor restarted = new GroupDistributor(KeyTree.restore(s, SUITE), SUITE, "gw-home", signingKey);
        Set<String> now = pnes(8);
        now.remove("pne-3");
        keyEpoch++;
        groupKey = Randoms.bytes(32);
        GroupDistributor.Change c = restarted.update(now, keyEpoch, groupKey);
        assertEquals(List.of("pne-3"), c.left());
        now.forEach(p -> assertArrayEquals(groupKey, members.get(p).onBroadcast(c.broadcast()).groupKey(), p));
        assertEquals(Kind.REMOVED, members.get("pne-3").onBroadcast(c.broadcast()).kind());
    }

    @Test
    void bytesOfALeaveAmong1024_againstNaiveUnicast() {
        GroupDistributor big = new GroupDistributor(new KeyTree(SG, SUITE), SUITE, "gw-home", signingKey);
        big.update(pnes(1024), 1, groupKey);
        Set<String> now = pnes(1024);
        now.remove("pne-500");
        GroupDistributor.Change c = big.update(now, 2, Randoms.bytes(32));
        int naive = 1023 * 40; // one wrapped 32-byte key per remaining member, ids and framing not counted
        System.out.printf("leave among 1024: one broadcast of %d bytes (%d wrapped keys) vs >= %d bytes of unicast%n",
                c.broadcast().length, c.content().wrappedKeys(), naive);
        assertTrue(c.content().wrappedKeys() <= 2 * 10 + 1);
        assertTrue(c.broadcast().length < naive / 10);
    }
}
