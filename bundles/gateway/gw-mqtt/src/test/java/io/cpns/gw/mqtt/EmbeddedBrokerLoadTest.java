package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.testkit.TestLogger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * Many PNEs subscribing at once (issue 10: ~1000 gave Moquette SessionCorruptedException, dropped
 * connections and connections closed before their SUBACK). Every client connects and subscribes
 * at the same moment, each to its group's topic; every one must get its SUBACK, none may be
 * dropped, and each then receives its group's broadcast. 300 clients in the suite; the full run:
 * {@code mvn -pl bundles/gateway/gw-mqtt -am test -Dtest=EmbeddedBrokerLoadTest -Dsurefire.failIfNoSpecifiedTests=false -Dcpns.mqtt.load=1000}.
 */
class EmbeddedBrokerLoadTest {
    private static final int CLIENTS = Integer.getInteger("cpns.mqtt.load", 300);
    private static final int GROUPS = 10;
    /** Generous: a bound on waiting, never a performance threshold. */
    private static final long WAIT_SECONDS = 300;

    @Test
    void massConnect_everyClientGetsItsSuback_noneIsDropped_andEachReceivesItsGroupsBroadcast() throws Exception {
        TestLogger log = new TestLogger("gw-mqtt");
        PrintStream stderr = System.err;
        ByteArrayOutputStream moquetteOutput = new ByteArrayOutputStream(); // slf4j-simple writes Moquette's lines to System.err
        System.setErr(new PrintStream(new TeeStream(stderr, moquetteOutput), true, StandardCharsets.UTF_8));
        GroupBrokerComponent broker = EmbeddedBrokerTest.embedded(0, log);
        ScheduledExecutorService pings = Executors.newScheduledThreadPool(2);
        List<MqttAsyncClient> clients = new ArrayList<>();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        Queue<String> lost = new ConcurrentLinkedQueue<>();
        Map<String, String> received = new ConcurrentHashMap<>();
        CountDownLatch answered = new CountDownLatch(CLIENTS); // a SUBACK or a failure, per client
        CountDownLatch delivered = new CountDownLatch(CLIENTS);
        String run = Long.toHexString(System.nanoTime());
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                String user = "pne-load-" + i + "-" + run;
                String password = "pw-" + i;
                String topic = topic(run, i % GROUPS);
                broker.grant(user, password.toCharArray(), Set.of(topic));
                MqttAsyncClient c = new MqttAsyncClient(broker.uri(), user, new MemoryPersistence(), new ScheduledExecutorPingSender(pings), null);
                c.setCallback(new MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {
                        lost.add(user + ": " + cause);
                    }

                    @Override
                    public void messageArrived(String t, MqttMessage m) {
                        if (received.putIfAbsent(user, new String(m.getPayload(), StandardCharsets.UTF_8)) == null) {
                            delivered.countDown();
                        }
                    }

                    @Override
                    public void deliveryComplete(IMqttDeliveryToken token) {
                    }
                });
                clients.add(c);
                MqttConnectOptions o = new MqttConnectOptions();
                o.setUserName(user);
                o.setPassword(password.toCharArray());
                o.setCleanSession(true);
                o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
                o.setConnectionTimeout((int) WAIT_SECONDS);
                o.setKeepAliveInterval(60);
                c.connect(o, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        try {
                            c.subscribe(topic, 1, null, new IMqttActionListener() {
                                @Override
                                public void onSuccess(IMqttToken t) {
                                    if (t.getGrantedQos()[0] == 0x80) {
                                        failures.add(user + ": SUBACK failure");
                                    }
                                    answered.countDown();
                                }

                                @Override
                                public void onFailure(IMqttToken t, Throwable x) {
                                    failures.add(user + ": no SUBACK: " + x);
                                    answered.countDown();
                                }
                            });
                        } catch (Exception x) {
                            failures.add(user + ": subscribe: " + x);
                            answered.countDown();
                        }
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable x) {
                        failures.add(user + ": connect: " + x);
                        answered.countDown();
                    }
                });
            }
            assertTrue(answered.await(WAIT_SECONDS, TimeUnit.SECONDS), answered.getCount() + " clients still waiting for a CONNACK or SUBACK");
            long subscribedMs = (System.nanoTime() - t0) / 1_000_000;
            for (int g = 0; g < GROUPS; g++) {
                broker.publish(topic(run, g), ("group " + g).getBytes(StandardCharsets.UTF_8), false);
            }
            boolean all = delivered.await(WAIT_SECONDS, TimeUnit.SECONDS);
            System.out.printf("EmbeddedBrokerLoadTest: %d clients connected and subscribed at once: %d SUBACKs in %d ms, "
                    + "%d failures, %d connections dropped, %d received their group's broadcast%n", CLIENTS,
                    CLIENTS - failures.size(), subscribedMs, failures.size(), lost.size(), received.size());
            assertEquals(List.of(), List.copyOf(failures).subList(0, Math.min(failures.size(), 20)), failures.size() + " failures");
            assertEquals(List.of(), List.copyOf(lost).subList(0, Math.min(lost.size(), 20)), lost.size() + " connections dropped");
            assertTrue(all, delivered.getCount() + " clients did not receive their group's broadcast");
            String moquette = moquetteOutput.toString(StandardCharsets.UTF_8);
            assertFalse(moquette.contains("SessionCorruptedException"), moquette);
            assertFalse(moquette.contains("\tat "), "a stack trace on the broker's output:\n" + moquette);
        } finally {
            System.setErr(stderr);
            for (MqttAsyncClient c : clients) {
                try {
                    c.disconnectForcibly(0, 0, false); // no DISCONNECT to wait for: closing 1000 must not take minutes
                    c.close(true);
                } catch (Exception e) {
                    // closing anyway
                }
            }
            pings.shutdownNow();
            broker.deactivate();
        }
    }

    /**
     * What a PNE whose CONNACK comes late does (Paho gives up after its connection timeout and
     * connects again): many clients each send a CONNECT and close the socket at once, several times
     * over, each time with the same client id. Moquette 0.17 then cleaned up the abandoned session
     * on a Netty thread while its session loop handled the next CONNECT of the same client
     * (SessionCorruptedException, refused CONNECTs). Afterwards every client must connect and
     * subscribe normally, and every session loop must still run (each client gets a broadcast).
     */
    @Test
    void abandonedConnects_thenEveryClientConnectsAndSubscribes_noSessionIsCorrupted() throws Exception {
        int clients = Math.max(50, CLIENTS / 3);
        int rounds = 5;
        TestLogger log = new TestLogger("gw-mqtt");
        PrintStream stderr = System.err;
        ByteArrayOutputStream moquetteOutput = new ByteArrayOutputStream();
        System.setErr(new PrintStream(new TeeStream(stderr, moquetteOutput), true, StandardCharsets.UTF_8));
        GroupBrokerComponent broker = EmbeddedBrokerTest.embedded(0, log);
        String run = Long.toHexString(System.nanoTime());
        java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Pne> pnes = new ArrayList<>();
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String user = "pne-abandon-" + i + "-" + run;
                broker.grant(user, ("pw-" + i).toCharArray(), Set.of(topic(run, 0)));
                byte[] connect = RawMqtt.connect311(user, user, "pw-" + i);
                done.add(pool.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        try (RawMqtt raw = new RawMqtt(broker.uri())) {
                            raw.write(connect); // and gone before the CONNACK
                        }
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get(WAIT_SECONDS, TimeUnit.SECONDS);
            }
            List<java.util.concurrent.Future<Pne>> connected = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String user = "pne-abandon-" + i + "-" + run;
                String password = "pw-" + i;
                connected.add(pool.submit(() -> Pne.connect(broker.uri(), user, password)));
            }
            for (var f : connected) {
                Pne p = f.get(WAIT_SECONDS, TimeUnit.SECONDS);
                pnes.add(p);
                assertEquals(1, p.subscribe(topic(run, 0)));
            }
            broker.publish(topic(run, 0), "after".getBytes(StandardCharsets.UTF_8), false);
            for (Pne p : pnes) {
                assertEquals("after", p.next().payload());
            }
            String moquette = moquetteOutput.toString(StandardCharsets.UTF_8);
            System.out.printf("EmbeddedBrokerLoadTest: %d clients x %d abandoned CONNECTs, then all connected and subscribed%n",
                    clients, rounds);
            assertFalse(moquette.contains("SessionCorruptedException"), moquette);
            assertFalse(moquette.contains("cannot be created"), moquette);
            assertFalse(moquette.contains("\tat "), "a stack trace on the broker's output:\n" + moquette);
        } finally {
            System.setErr(stderr);
            pool.shutdownNow();
            pnes.forEach(Pne::close);
            broker.deactivate();
        }
    }

    private static String topic(String run, int group) {
        return "cpns/gk/load-" + group + "-" + run;
    }

    /** Writes to two streams. */
    static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
