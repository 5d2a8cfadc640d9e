package io.cpns.groupkey;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Ed25519;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.BroadcastMember.Update;
import io.cpns.testkit.PeerInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Coverage-guided fuzzing (Jazzer) of what a member reads from its Service Group's topic and from
 * its PN GW's catch-up: the signed broadcast ({@link BroadcastCodec}) and, behind the signature,
 * the broadcast itself with its Rekeys ({@link BroadcastMember}, {@link MemberKeyRing}). The
 * fixture is deterministic (fixed keys, a fixed signer), so a finding replays in any JVM; the seeds
 * ({@code BroadcastFuzzTestInputs/<method>/}) are real broadcasts of this tree.
 */
class BroadcastFuzzTest {
    static final CryptoSuite SUITE = Suites.modern();
    static final String SG = "sg-fuzz";
    static final String MEMBER = "pne-3";
    static final byte[] SIGNING_KEY = fixed(Ed25519.KEY_LENGTH, 0x51);
    private static final byte[] LABEL = "CPNS-v1 group broadcast".getBytes(StandardCharsets.US_ASCII); // BroadcastCodec's
    private static final CBORMapper CBOR = new CBORMapper();
    /** Eight members pne-0..pne-7, every node key fixed: the tree every input is read against. */
    static final KeyTree.Snapshot TREE = tree();
    static final long KEY_EPOCH = 5;
    static final byte[] GROUP_KEY = fixed(32, 0x6b);
    private static final byte[] WELCOME = distributor().pathOf(MEMBER, KEY_EPOCH, GROUP_KEY);

    /** Bytes as they arrive on the group's topic (anyone on the broker can publish them). */
    @FuzzTest
    void wire(byte[] data) {
        PeerInput.decode(data.length, () -> welcomed().onBroadcast(data));
        PeerInput.decode(data.length, () -> welcomed().catchUp(data));
    }

    /** A broadcast body signed by the PN GW: what a member parses and applies once the signature holds. */
    @FuzzTest
    void signedBody(byte[] body) throws IOException {
        byte[] wire = signed(body);
        Update u = PeerInput.decode(wire.length, () -> welcomed().onBroadcast(wire));
        if (u != null && u.kind() == Update.Kind.NEW_KEY) {
            assertEquals(SUITE.keyLength(), u.groupKey().length);
        }
        PeerInput.decode(wire.length, () -> welcomed().catchUp(wire));
    }

    /** {@code MEMBER} as its PN GW's welcome leaves it: at the tree's epoch, holding Group Key {@code KEY_EPOCH}. */
    static BroadcastMember welcomed() {
        KeyTree t = KeyTree.restore(TREE, SUITE);
        BroadcastMember m = new BroadcastMember(SG, SUITE, Ed25519.publicKey(SIGNING_KEY), t.leafOf(MEMBER), t.leafKey(MEMBER));
        m.catchUp(WELCOME);
        return m;
    }

    static GroupDistributor distributor() {
        return new GroupDistributor(KeyTree.restore(TREE, SUITE), SUITE, "gw-fuzz", SIGNING_KEY);
    }

    static byte[] signed(byte[] body) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("body", body);
        byte[] toSign = Arrays.copyOf(LABEL, LABEL.length + body.length);
        System.arraycopy(body, 0, toSign, LABEL.length, body.length);
        m.put("sig", Ed25519.sign(SIGNING_KEY, toSign));
        return CBOR.writeValueAsBytes(m);
    }

    private static KeyTree.Snapshot tree() {
        Set<String> members = new TreeSet<>();
        for (int i = 0; i < 8; i++) {
            members.add("pne-" + i);
        }
        GroupDistributor d = new GroupDistributor(new KeyTree(SG, SUITE), SUITE, "gw-fuzz", SIGNING_KEY);
        d.update(members, 1, fixed(32, 1));
        KeyTree.Snapshot random = d.tree().snapshot();
        List<KeyTree.NodeState> nodes = new ArrayList<>();
        for (KeyTree.NodeState n : random.nodes()) {
            nodes.add(new KeyTree.NodeState(n.id(), n.version(), n.parent(), n.member(), fixed(32, n.id())));
        }
        return new KeyTree.Snapshot(random.groupId(), random.epoch(), random.nextId(), nodes);
    }

    static byte[] fixed(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i * 7);
        }
        return b;
    }
}
