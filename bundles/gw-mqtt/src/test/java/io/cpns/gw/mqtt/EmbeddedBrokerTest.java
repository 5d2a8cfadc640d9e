package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.net.URI;
import java.util.Map;
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
        return new GroupBrokerComponent(Configs.of(GroupBrokerComponent.Config.class, Map.of("port", port)), log.logger());
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

    @Test
    void refusedConnection_isLoggedWithoutItsPassword() throws Exception {
        String u = user("a");
        grant(u, password(), topic("g"));
        String wrong = password();
        assertThrows(org.eclipse.paho.client.mqttv3.MqttSecurityException.class, () -> Pne.connect(uri(), u, wrong).close());
        assertTrue(LOG.all().contains("MQTT connection refused: unknown user or wrong password (user " + u), LOG.all());
        // noPasswordInTheLog() checks the password is absent
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
