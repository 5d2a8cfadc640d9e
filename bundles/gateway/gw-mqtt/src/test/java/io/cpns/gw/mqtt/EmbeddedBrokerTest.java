package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The embedded Moquette broker, as configured by default except for an ephemeral port. */
class EmbeddedBrokerTest extends GroupBrokerContract {
    private static final TestLogger LOG = new TestLogger("gw-mqtt");
    private static GroupBrokerComponent broker;

    @BeforeAll
    static void start() {
        broker = embedded(0);
    }

    @AfterAll
    static void stop() {
        broker.deactivate();
    }

    static GroupBrokerComponent embedded(int port) {
        return embedded(port, LOG);
    }

    static GroupBrokerComponent embedded(int port, TestLogger log) {
        // no ConfigurationAdmin: the configuration is not from a .cfg file
        return new GroupBrokerComponent(Configs.of(GroupBrokerComponent.Config.class, Map.of("port", port)), log.logger(), null);
    }

    @Override
    GroupBrokerComponent broker() {
        return broker;
    }

    @Override
    TestLogger log() {
        return LOG;
    }

    @Override
    boolean retains() {
        return false; // Moquette 0.17's retained delivery breaks its session loops (EmbeddedBroker.publish)
    }

    @Test
    void uri_isTheLoopbackListenerWithTheBoundPort() {
        URI u = URI.create(broker.uri());
        assertEquals("tcp", u.getScheme());
        assertEquals("127.0.0.1", u.getHost());
        assertNotEquals(0, u.getPort());
        assertTrue(LOG.all().contains("listening on 127.0.0.1:" + u.getPort()), LOG.all());
    }

    /** Its own broker: the shared one's log lines for 127.0.0.1 are throttled by the other tests' refusals. */
    @Test
    void refusedConnection_isLoggedWithoutItsPassword() throws Exception {
        TestLogger own = new TestLogger("gw-mqtt");
        GroupBrokerComponent b = embedded(0, own);
        try {
            String u = user("a");
            b.grant(u, password().toCharArray(), Set.of(topic("g")));
            String wrong = password();
            assertThrows(org.eclipse.paho.client.mqttv3.MqttSecurityException.class, () -> Pne.connect(b.uri(), u, wrong).close());
            assertTrue(own.all().contains("(client '" + u + "', user '" + u + "') closed by the broker: CONNECT refused: unknown user "
                    + "or wrong password"), own.all());
            assertFalse(own.all().contains(wrong), "a password reached the log");
        } finally {
            b.deactivate();
        }
    }

    /** Who a broadcast reaches now (issue 10: a rekey after a broker restart goes by unicast to the rest). */
    @Test
    void subscribers_areTheUsersSubscribedOnALiveConnection() throws Exception {
        String a = user("a");
        String b = user("b");
        String t = topic("g");
        String pwA = password();
        String pwB = password();
        grant(a, pwA, t);
        grant(b, pwB, t);
        assertEquals(Optional.of(Set.of()), broker.subscribers(t));
        try (Pne pa = Pne.connect(uri(), a, pwA); Pne pb = Pne.connect(uri(), b, pwB)) {
            assertEquals(1, pa.subscribe(t));
            assertEquals(Optional.of(Set.of(a)), broker.subscribers(t), "b is connected but not subscribed");
            assertEquals(1, pb.subscribe(t));
            assertEquals(Optional.of(Set.of(a, b)), broker.subscribers(t));
            pa.close();
            long deadline = System.nanoTime() + Pne.WAIT_SECONDS * 1_000_000_000L; // the broker sees the close a moment later
            while (!broker.subscribers(t).equals(Optional.of(Set.of(b))) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(Optional.of(Set.of(b)), broker.subscribers(t));
        }
    }

    @Test
    void portInUse_failsActivationAsUnavailable() {
        int port = URI.create(broker.uri()).getPort();
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class, () -> embedded(port)).code());
    }

    @Test
    void stoppedBroker_publishIsUnavailable() {
        GroupBrokerComponent other = embedded(0);
        other.deactivate();
        assertEquals(ErrorCode.UNAVAILABLE, assertThrows(CpnsException.class,
                () -> other.publish(topic("g"), new byte[] {1}, false)).code());
    }
}
