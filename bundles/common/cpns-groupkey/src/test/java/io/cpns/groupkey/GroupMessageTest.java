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
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** TS §5.3.3.2: messages to a Service Group, MAC and encryption with the Group Key. */
class GroupMessageTest {
    private static final CryptoSuite SUITE = Suites.modern();
    private static final String SG = "sg-movies";
    private static final byte[] HELLO = "movie night at 8".getBytes(StandardCharsets.UTF_8);

    private final byte[] groupKey = Randoms.bytes(32);
    private final GroupSealer tv = new GroupSealer(SUITE, SG, 3, groupKey, "pne-tv");
    private final GroupOpener phone = opener(3, groupKey);

    private static GroupOpener opener(long epoch, byte[] key) {
        GroupOpener o = new GroupOpener(SUITE, SG);
        o.rekeyed(epoch, key);
        return o;
    }

    private static ErrorCode refusal(Supplier<?> s) {
        return assertThrows(CpnsException.class, s::get).code();
    }

    @Test
    void aMembersMessage_opensForEveryMember_andIsNotPlaintextOnTheWire() {
        GroupMessage m = tv.seal(HELLO);
        assertEquals("pne-tv", m.sender());
        assertEquals(3, m.epoch());
        assertFalse(new String(m.ciphertext(), StandardCharsets.ISO_8859_1).contains("movie"));
        assertArrayEquals(HELLO, phone.open(m));
        assertArrayEquals(HELLO, opener(3, groupKey).open(m), "any member, independently");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ciphertext", "counter", "sender"})
    void tamperedMessage_isBadMac(String field) {
        GroupMessage m = tv.seal(HELLO);
        GroupMessage t = switch (field) {
            case "ciphertext" -> {
                byte[] c = m.ciphertext().clone();
                c[0] ^= 1;
                yield new GroupMessage(SG, m.sender(), m.epoch(), m.counter(), c);
            }
            case "counter" -> new GroupMessage(SG, m.sender(), m.epoch(), m.counter() + 1, m.ciphertext());
            default -> new GroupMessage(SG, "pne-phone", m.epoch(), m.counter(), m.ciphertext());
        };
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> phone.open(t)));
        assertEquals(0, phone.knownSenders(), "a forged sender name is not remembered");
    }

    @Test
    void sealedWithoutTheGroupKey_isBadMac() {
        GroupMessage forged = new GroupSealer(SUITE, SG, 3, Randoms.bytes(32), "pne-tv").seal(HELLO);
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> phone.open(forged)));
    }

    @Test
    void replayedMessage_isReplay_whileReorderingWithinTheWindowIsAccepted() {
        GroupMessage first = tv.seal(HELLO);
        GroupMessage second = tv.seal(HELLO);
        assertArrayEquals(HELLO, phone.open(second));
        assertArrayEquals(HELLO, phone.open(first), "MQTT may reorder across reconnects: within 64 is fine");
        assertEquals(ErrorCode.REPLAY, refusal(() -> phone.open(first)));
        assertEquals(ErrorCode.REPLAY, refusal(() -> phone.open(second)));
    }

    @Test
    void messageBelowTheWindow_isReplay() {
        GroupMessage old = tv.seal(HELLO);
        for (int i = 0; i < 64; i++) {
            phone.open(tv.seal(HELLO));
        }
        assertEquals(ErrorCode.REPLAY, refusal(() -> phone.open(old)));
    }

    @Test
    void messageOfAnOldEpoch_afterTheRekey_isRefused() {
        GroupMessage before = tv.seal(HELLO);
        phone.rekeyed(4, Randoms.bytes(32));
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, refusal(() -> phone.open(before)));
        assertEquals(ErrorCode.REPLAY, refusal(() -> {
            phone.rekeyed(4, groupKey);
            return null;
        }), "an epoch goes forward only");
    }

    @Test
    void messageOfAnotherGroup_isRefused() {
        GroupMessage other = new GroupSealer(SUITE, "sg-other", 3, groupKey, "pne-tv").seal(HELLO);
        assertEquals(ErrorCode.INVALID_ARGUMENT, refusal(() -> phone.open(other)));
    }

    /**
     * Forward and backward secrecy end to end. Each membership change brings a fresh Group Key
     * (from the Server), delivered wrapped under the new tree key: who can open the tree key
     * decides who reads the group's messages.
     */
    @Test
    void afterALeave_theDepartedMemberReadsNothingNew_andANewMemberNothingOld() {
        KeyTree tree = new KeyTree(SG, SUITE);
        byte[] radioKey = Randoms.bytes(32);
        tree.join("pne-tv", Randoms.bytes(32));
        tree.join("pne-radio", radioKey);
        MemberKeyRing radio = new MemberKeyRing(SG, SUITE, tree.leafOf("pne-radio"), radioKey);
        radio.catchUp(tree.pathOf("pne-radio"));
        byte[] g1 = Randoms.bytes(32);
        GroupMessage beforeLeave = new GroupSealer(SUITE, SG, 1, g1, "pne-tv").seal(HELLO);
        assertArrayEquals(g1, SUITE.unwrap(radio.rootKey().orElseThrow(), SUITE.wrap(tree.rootKey(), g1)), "radio reads epoch 1");

        Rekey r = tree.leave("pne-radio"); // radio leaves; it keeps what it had
        byte[] g2 = Randoms.bytes(32);
        byte[] delivered = SUITE.wrap(tree.rootKey(), g2); // broadcast with the Rekey
        GroupMessage afterLeave = new GroupSealer(SUITE, SG, 2, g2, "pne-tv").seal(HELLO);
        assertFalse(radio.apply(r));
        assertTrue(radio.rootKey().isEmpty());
        GroupOpener departed = opener(2, g1); // its best guess: the Group Key it had
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> departed.open(afterLeave)));

        byte[] lampKey = Randoms.bytes(32);
        Rekey welcome = tree.join("pne-lamp", lampKey);
        byte[] g3 = Randoms.bytes(32);
        byte[] deliveredToLamp = SUITE.wrap(tree.rootKey(), g3);
        MemberKeyRing lamp = new MemberKeyRing(SG, SUITE, tree.leafOf("pne-lamp"), lampKey);
        assertTrue(lamp.apply(welcome));
        byte[] lampTreeKey = lamp.rootKey().orElseThrow();
        assertEquals(ErrorCode.BAD_MAC, assertThrows(CpnsException.class, () -> SUITE.unwrap(lampTreeKey, delivered)).code(),
                "the Group Key of epoch 2 was wrapped under a tree key lamp never held");
        byte[] lampGroupKey = SUITE.unwrap(lampTreeKey, deliveredToLamp);
        GroupOpener newcomer = opener(1, lampGroupKey); // even pretending to be at an old epoch
        assertEquals(ErrorCode.BAD_MAC, refusal(() -> newcomer.open(beforeLeave)));
        GroupOpener lampNow = opener(3, lampGroupKey);
        assertEquals(ErrorCode.UNEXPECTED_MESSAGE, refusal(() -> lampNow.open(afterLeave)), "sealed before it joined");
    }

    @Test
    void exemption_needsBothASecurePanAndTheGatewaysCredentialModule() {
        assertTrue(GroupProtectionPolicy.mayOmitGroupKey(true, true));
        assertFalse(GroupProtectionPolicy.mayOmitGroupKey(true, false));
        assertFalse(GroupProtectionPolicy.mayOmitGroupKey(false, true));
        assertFalse(GroupProtectionPolicy.mayOmitGroupKey(false, false));
    }
}
