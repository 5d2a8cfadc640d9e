package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.testkit.TestLogger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link io.cpns.api.gateway.GroupBroker} does, checked with real Paho v3 clients over
 * real sockets. A message that must not arrive is followed by a sentinel the same client must
 * receive next: the broker keeps the order of one client's messages, so nothing is waited for.
 */
abstract class GroupBrokerContract {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String id = SEQ.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    private final List<String> passwords = new ArrayList<>();

    abstract GroupBrokerComponent broker();

    abstract TestLogger log();

    /** Whether the broker keeps retained messages (the embedded one does not: decisions.md D42). */
    abstract boolean retains();

    String user(String name) {
        return "pne-" + name + "-" + id;
    }

    String topic(String name) {
        return "cpns/gk/" + name + "-" + id;
    }

    String password() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String p = HexFormat.of().formatHex(b);
        passwords.add(p);
        return p;
    }

    String uri() {
        return broker().uri();
    }

    void grant(String user, String password, String... topics) {
        broker().grant(user, password.toCharArray(), Set.of(topics));
    }

    void publish(String topic, String payload) {
        broker().publish(topic, payload.getBytes(StandardCharsets.UTF_8), false);
    }

    static void assertNext(Pne pne, String topic, String payload) throws InterruptedException {
        Pne.Received r = pne.next();
        assertEquals(topic + " " + payload, r.topic() + " " + r.payload());
    }

    @AfterEach
    void noPasswordInTheLog() {
        for (String p : passwords) {
            assertFalse(log().all().contains(p), "a password reached the log");
        }
    }

    @Test
    void grantedUser_connectsWithItsPassword_andReadsTheGatewaysMessages() throws Exception {
        String u = user("a");
        String pw = password();
        String t = topic("g");
        grant(u, pw, t);
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(1, pne.subscribe(t));
            publish(t, "k1");
            assertNext(pne, t, "k1");
        }
    }

    @Test
    void wrongPassword_unknownUser_andAnotherClientId_areRefused() {
        String u = user("a");
        String pw = password();
        grant(u, pw, topic("g"));
        assertThrows(MqttSecurityException.class, () -> Pne.connect(uri(), u, password()).close());
        assertThrows(MqttSecurityException.class, () -> Pne.connect(uri(), user("nobody"), pw).close());
        // a PNE may not use (and so take over the session of) another client id than its user name
        assertThrows(MqttSecurityException.class, () -> Pne.connect(uri(), u, user("other"), pw, true).close());
    }

    @Test
    void subscriptionOutsideTheGrant_isRefused_andGetsNothing() throws Exception {
        String u = user("a");
        String pw = password();
        String mine = topic("mine");
        String other = topic("other");
        grant(u, pw, mine);
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(0x80, pne.subscribe(other), "SUBACK failure");
            assertEquals(0x80, pne.subscribe("cpns/gk/#"), "SUBACK failure for a wildcard");
            assertEquals(1, pne.subscribe(mine));
            publish(other, "not for you");
            publish(mine, "sentinel");
            assertNext(pne, mine, "sentinel");
        }
    }

    /**
     * A group's members subscribe one after the other (each getting the retained message first,
     * where the broker keeps one), then all read every message, and a late one gets the last.
     */
    @Test
    void manySubscribersOfOneTopic_eachGetsEveryMessage() throws Exception {
        String t = topic("g");
        broker().publish(t, "epoch 0".getBytes(StandardCharsets.UTF_8), true);
        List<Pne> pnes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                String u = user("m" + i);
                String pw = password();
                grant(u, pw, t);
                Pne p = Pne.connect(uri(), u, pw);
                pnes.add(p);
                assertEquals(1, p.subscribe(t));
                if (retains()) {
                    assertEquals("epoch 0", p.next().payload());
                }
            }
            for (int m = 1; m < 10; m++) {
                broker().publish(t, ("epoch " + m).getBytes(StandardCharsets.UTF_8), true);
                for (Pne p : pnes) {
                    assertNext(p, t, "epoch " + m);
                }
            }
            String late = user("late");
            String pw = password();
            grant(late, pw, t);
            try (Pne p = Pne.connect(uri(), late, pw)) {
                assertEquals(1, p.subscribe(t));
                publish(t, "live");
                assertEquals(retains() ? "epoch 9" : "live", p.next().payload());
            }
        } finally {
            pnes.forEach(Pne::close);
        }
    }

    @Test
    void retainedMessage_reachesALateSubscriber() throws Exception {
        String u = user("a");
        String pw = password();
        String t = topic("g");
        grant(u, pw, t);
        broker().publish(t, "epoch 1".getBytes(StandardCharsets.UTF_8), true);
        broker().publish(t, "epoch 2".getBytes(StandardCharsets.UTF_8), true);
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(1, pne.subscribe(t));
            publish(t, "live");
            Pne.Received r = pne.next();
            assertEquals(retains() ? "epoch 2" : "live", r.payload(), "a retained message first, where the broker keeps one");
            assertEquals(retains(), r.retained());
        }
    }

    @Test
    void emptyRetainedMessage_clearsTheTopic() throws Exception {
        String u = user("a");
        String pw = password();
        String t = topic("g");
        grant(u, pw, t);
        broker().publish(t, "epoch 1".getBytes(StandardCharsets.UTF_8), true);
        broker().publish(t, new byte[0], true);
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(1, pne.subscribe(t));
            publish(t, "sentinel");
            assertNext(pne, t, "sentinel");
        }
    }

    @Test
    void publishByAPne_reachesNobody() throws Exception {
        String a = user("a");
        String b = user("b");
        String pwA = password();
        String pwB = password();
        String t = topic("g");
        grant(a, pwA, t);
        grant(b, pwB, t);
        try (Pne pa = Pne.connect(uri(), a, pwA); Pne pb = Pne.connect(uri(), b, pwB)) {
            assertEquals(1, pa.subscribe(t));
            pb.publishNoWait(t, "forged");
            assertEquals(1, pb.subscribe(t)); // its SUBACK: the broker has handled the PUBLISH before
            publish(t, "sentinel");
            assertNext(pa, t, "sentinel");
            assertNext(pb, t, "sentinel");
        }
    }

    @Test
    void grantWithoutATopic_closesTheConnection_andTheReconnectCannotReadIt() throws Exception {
        String u = user("a");
        String pw = password();
        String kept = topic("kept");
        String lost = topic("lost");
        grant(u, pw, kept, lost);
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(1, pne.subscribe(kept));
            assertEquals(1, pne.subscribe(lost));
            grant(u, pw, kept);
            assertTrue(pne.awaitClosedByBroker(), "connection closed by the broker");
        }
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(0x80, pne.subscribe(lost));
            assertEquals(1, pne.subscribe(kept));
            publish(lost, "not any more");
            publish(kept, "sentinel");
            assertNext(pne, kept, "sentinel");
        }
    }

    @Test
    void persistentSession_keepsNothingOfALostTopic() throws Exception {
        String u = user("a");
        String pw = password();
        String kept = topic("kept");
        String lost = topic("lost");
        grant(u, pw, kept, lost);
        try (Pne pne = Pne.connect(uri(), u, u, pw, false)) {
            assertEquals(1, pne.subscribe(kept));
            assertEquals(1, pne.subscribe(lost));
            grant(u, pw, kept);
            assertTrue(pne.awaitClosedByBroker(), "connection closed by the broker");
        }
        try (Pne pne = Pne.connect(uri(), u, u, pw, false)) {
            System.out.println(getClass().getSimpleName() + ": session present after the grant changed: " + pne.sessionPresent);
            if (!pne.sessionPresent) {
                assertEquals(1, pne.subscribe(kept)); // what a PNE does when its session is gone
            }
            publish(lost, "not any more");
            publish(kept, "sentinel");
            assertNext(pne, kept, "sentinel");
        }
    }

    @Test
    void offlinePersistentSession_grantAndRevoke_apply() throws Exception {
        String u = user("a");
        String pw = password();
        String kept = topic("kept");
        String lost = topic("lost");
        grant(u, pw, kept, lost);
        try (Pne pne = Pne.connect(uri(), u, u, pw, false)) {
            assertEquals(1, pne.subscribe(kept));
            assertEquals(1, pne.subscribe(lost));
        }
        grant(u, pw, kept); // while the session waits offline for its client
        try (Pne pne = Pne.connect(uri(), u, u, pw, false)) {
            if (!pne.sessionPresent) {
                assertEquals(1, pne.subscribe(kept));
            }
            publish(lost, "not any more");
            publish(kept, "sentinel");
            assertNext(pne, kept, "sentinel");
        }
        broker().revoke(u);
        assertThrows(MqttSecurityException.class, () -> Pne.connect(uri(), u, u, pw, false).close());
    }

    @Test
    void grantWithMoreTopics_keepsTheConnection() throws Exception {
        String u = user("a");
        String pw = password();
        String first = topic("first");
        String added = topic("added");
        grant(u, pw, first);
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            assertEquals(1, pne.subscribe(first));
            grant(u, pw, first, added);
            assertEquals(1, pne.subscribe(added));
            publish(added, "k");
            assertNext(pne, added, "k");
            assertFalse(pne.closedByBroker());
        }
    }

    @Test
    void newPassword_closesTheConnection_andTheOldOneIsRefused() throws Exception {
        String u = user("a");
        String oldPw = password();
        String newPw = password();
        String t = topic("g");
        grant(u, oldPw, t);
        try (Pne pne = Pne.connect(uri(), u, oldPw)) {
            grant(u, newPw, t);
            assertTrue(pne.awaitClosedByBroker(), "connection closed by the broker");
        }
        assertThrows(MqttSecurityException.class, () -> Pne.connect(uri(), u, oldPw).close());
        Pne.connect(uri(), u, newPw).close();
    }

    @Test
    void revoke_closesTheConnection_andRefusesTheUser() throws Exception {
        String u = user("a");
        String pw = password();
        grant(u, pw, topic("g"));
        try (Pne pne = Pne.connect(uri(), u, pw)) {
            broker().revoke(u);
            assertTrue(pne.awaitClosedByBroker(), "connection closed by the broker");
        }
        assertThrows(MqttSecurityException.class, () -> Pne.connect(uri(), u, pw).close());
        broker().revoke(u); // again: nothing to do
    }

    @Test
    void wildcardsBrokerTopicsAndEmptyPasswords_areInvalidArguments() {
        String u = user("a");
        for (Runnable call : List.<Runnable>of(
                () -> grant(u, password(), "cpns/gk/#"),
                () -> grant(u, password(), "cpns/+/g"),
                () -> grant(u, "", topic("g")),
                () -> grant(" ", password(), topic("g")),
                () -> publish("$SYS/x", "k"),
                () -> publish("", "k"))) {
            assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, call::run).code());
        }
    }
}
