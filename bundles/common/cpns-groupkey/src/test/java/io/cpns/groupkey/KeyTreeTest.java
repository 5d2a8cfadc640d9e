package io.cpns.groupkey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** TS §5.3.2 create / update / deliver, on a Logical Key Hierarchy (docs/groupkey.md). */
class KeyTreeTest {
    private static final CryptoSuite SUITE = Suites.modern();
    private static final String SG = "sg-movies";

    private final KeyTree tree = new KeyTree(SG, SUITE);
    private final Map<String, MemberKeyRing> rings = new LinkedHashMap<>();

    /** A member joins: its ring starts from its individual key and opens its path in the broadcast Rekey. */
    private Rekey join(String member) {
        byte[] individual = Randoms.bytes(32);
        Rekey r = tree.join(member, individual);
        rings.values().forEach(ring -> assertTrue(ring.apply(r), "an existing member opens the join Rekey"));
        MemberKeyRing ring = new MemberKeyRing(SG, SUITE, tree.leafOf(member), individual);
        assertTrue(ring.apply(r), member + " opens its own path");
        rings.put(member, ring);
        return r;
    }

    /** Members added without replaying every Rekey to every ring: each gets its path by unicast. */
    private void populate(int n) {
        Map<String, byte[]> individual = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String m = "pne-" + i;
            individual.put(m, Randoms.bytes(32));
            tree.join(m, individual.get(m));
        }
        individual.forEach((m, k) -> {
            MemberKeyRing ring = new MemberKeyRing(SG, SUITE, tree.leafOf(m), k);
            assertTrue(ring.catchUp(tree.pathOf(m)));
            rings.put(m, ring);
        });
    }

    private void assertEveryRingHoldsTheGroupKey() {
        byte[] g = tree.rootKey();
        rings.forEach((m, ring) -> assertArrayEquals(g, ring.rootKey().orElseThrow(), m));
    }

    @Test
    void create_aNewGroupHasAGroupKeyAtEpochZero() {
        assertEquals(0, tree.epoch());
        assertEquals(32, tree.rootKey().length);
        assertEquals(0, tree.size());
    }

    @Test
    void join_everyMemberHoldsTheSameNewGroupKey() {
        for (int i = 0; i < 12; i++) {
            join("pne-" + i);
            assertEveryRingHoldsTheGroupKey();
        }
        assertEquals(12, tree.epoch());
    }

    @Test
    void join_backwardSecrecy_theNewMemberOpensNothingFromBeforeItJoined() {
        List<Rekey> before = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            before.add(join("pne-" + i));
        }
        byte[] oldGroupKey = tree.rootKey();
        byte[] individual = Randoms.bytes(32);
        Rekey r = tree.join("pne-new", individual);
        MemberKeyRing newcomer = new MemberKeyRing(SG, SUITE, tree.leafOf("pne-new"), individual);
        assertTrue(newcomer.apply(r));
        assertFalse(Arrays.equals(oldGroupKey, newcomer.rootKey().orElseThrow()), "a fresh Group Key on join");
        for (Rekey old : before) { // every earlier Rekey: nothing in it is wrapped under a key the newcomer holds
            MemberKeyRing fresh = new MemberKeyRing(SG, SUITE, tree.leafOf("pne-new"), individual);
            assertFalse(fresh.catchUp(old), "epoch " + old.epoch());
        }
    }

    @Test
    void leave_ofOneIn1024_isOneRekeyOfAtMostTwoKeysPerLevel_thatEveryRemainingMemberOpens() {
        populate(1024);
        assertEquals(10, tree.height(), "a balanced tree: log2(1024) levels");
        Set<Integer> departedPath = tree.pathOf("pne-500").keys().stream().map(WrappedKey::node).collect(Collectors.toSet());
        MemberKeyRing departed = rings.remove("pne-500");

        Rekey r = tree.leave("pne-500");

        assertTrue(r.keys().size() <= 2 * tree.height(), r.keys().size() + " wrapped keys");
        rings.forEach((m, ring) -> assertTrue(ring.apply(r), m));
        assertEveryRingHoldsTheGroupKey();
        // forward secrecy: every new key is wrapped under a fresh key or a key that was never on its path
        for (WrappedKey w : r.keys()) {
            boolean underFresh = r.keys().stream().anyMatch(k -> k.node() == w.underNode() && k.version() == w.underVersion());
            assertTrue(underFresh || !departedPath.contains(w.underNode()), "node " + w.node() + " under " + w.underNode());
        }
        assertFalse(departed.apply(r), "the departed member cannot open the new Group Key");
        assertTrue(departed.rootKey().isEmpty());
    }

    @Test
    void leave_byExpel_andSeveralInARow_keepEveryoneElseInStep() {
        for (int i = 0; i < 9; i++) {
            join("pne-" + i);
        }
        for (String gone : List.of("pne-3", "pne-4", "pne-0", "pne-8")) {
            MemberKeyRing departed = rings.remove(gone);
            Rekey r = tree.leave(gone);
            rings.forEach((m, ring) -> assertTrue(ring.apply(r), m));
            assertFalse(departed.apply(r));
            assertEveryRingHoldsTheGroupKey();
        }
        assertEquals(5, tree.size());
    }

    @Test
    void refresh_periodicUpdate_renewsOnlyTheRoot() {
        populate(16);
        Rekey r = tree.refresh();
        assertEquals(2, r.keys().size(), "wrapped under each child of the root");
        rings.forEach((m, ring) -> assertTrue(ring.apply(r), m));
        assertEveryRingHoldsTheGroupKey();
    }

    @Test
    void replayedRekey_isReplay_andAGap_asksForACatchUp() {
        populate(4);
        Rekey first = tree.refresh();
        Rekey second = tree.refresh();
        MemberKeyRing ring = rings.get("pne-1");
        assertTrue(ring.apply(first));
        assertEquals(ErrorCode.REPLAY, assertThrows(CpnsException.class, () -> ring.apply(first)).code());

        MemberKeyRing behind = rings.get("pne-2");
        Rekey third = tree.refresh();
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, assertThrows(CpnsException.class, () -> behind.apply(third)).code());
        assertTrue(behind.catchUp(tree.pathOf("pne-2")), "its path by unicast, without rejoining");
        assertArrayEquals(tree.rootKey(), behind.rootKey().orElseThrow());
        assertTrue(ring.apply(second));
    }

    @Test
    void tamperedWrappedKey_isBadMac() {
        populate(4);
        Rekey r = tree.refresh();
        List<WrappedKey> forged = r.keys().stream().map(w -> {
            byte[] b = w.wrapped().clone();
            b[3] ^= 1;
            return new WrappedKey(w.node(), w.version(), w.underNode(), w.underVersion(), b);
        }).toList();
        Rekey bad = new Rekey(SG, r.epoch(), r.root(), forged, List.of());
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> rings.get("pne-0").apply(bad)).code());
    }

    @Test
    void rekeyOfAnotherGroup_isRefused() {
        populate(2);
        Rekey other = new KeyTree("sg-other", SUITE).refresh();
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> rings.get("pne-0").apply(other)).code());
    }

    @Test
    void joiningTwice_orLeavingWithoutBeingAMember_isRefused() {
        join("pne-a");
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> tree.join("pne-a", Randoms.bytes(32))).code());
        assertEquals(ErrorCode.UNKNOWN_ENTITY, assertThrows(CpnsException.class, () -> tree.leave("pne-b")).code());
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> tree.join("pne-c", new byte[16])).code());
    }

    @Test
    void lastMemberLeaving_leavesAnEmptyGroupWithAFreshKey() {
        join("pne-a");
        byte[] before = tree.rootKey();
        Rekey r = tree.leave("pne-a");
        assertTrue(r.keys().isEmpty());
        assertEquals(0, tree.size());
        assertFalse(Arrays.equals(before, tree.rootKey()));
        assertFalse(rings.get("pne-a").apply(r));
    }
}
