package io.cpns.gw.mqtt;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** A PNE's MQTT side in tests: a real Paho v3 client that records what it receives and whether it was dropped. */
final class Pne implements AutoCloseable {
    /** Generous: a wait for an event, never a performance threshold. */
    static final long WAIT_SECONDS = 20;

    record Received(String topic, String payload, boolean retained) {
    }

    final MqttClient client;
    final boolean sessionPresent;
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final CountDownLatch lost = new CountDownLatch(1);

    private Pne(String uri, String user, String clientId, String password, boolean cleanSession) throws MqttException {
        client = new MqttClient(uri, clientId, new MemoryPersistence());
        // a PUBLISH the broker refuses may never be acknowledged (Moquette): never wait forever
        client.setTimeToWait(WAIT_SECONDS * 1000);
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                lost.countDown();
            }

            @Override
            public void messageArrived(String topic, MqttMessage m) {
                received.add(new Received(topic, new String(m.getPayload(), StandardCharsets.UTF_8), m.isRetained()));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
            }
        });
        MqttConnectOptions o = new MqttConnectOptions();
        o.setUserName(user);
        o.setPassword(password.toCharArray());
        o.setCleanSession(cleanSession);
        // else Paho retries a refused CONNECT as MQTT 3.1, which Moquette rejects differently
        o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        o.setConnectionTimeout((int) WAIT_SECONDS);
        try {
            sessionPresent = client.connectWithResult(o).getSessionPresent();
        } catch (MqttException e) {
            client.close();
            throw e;
        }
    }

    static Pne connect(String uri, String user, String password) throws MqttException {
        return new Pne(uri, user, user, password, true);
    }

    static Pne connect(String uri, String user, String clientId, String password, boolean cleanSession) throws MqttException {
        return new Pne(uri, user, clientId, password, cleanSession);
    }

    /** The QoS the broker granted, 0x80 = refused. */
    int subscribe(String topic) throws MqttException {
        try {
            return client.subscribeWithResponse(topic, 1).getGrantedQos()[0];
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttException.REASON_CODE_SUBSCRIBE_FAILED) {
                return 0x80; // Paho turns a SUBACK failure into this exception
            }
            throw e;
        }
    }

    /** Sends a QoS 1 PUBLISH without waiting for its PUBACK (a broker may drop it without one). */
    void publishNoWait(String topic, String payload) throws MqttException {
        client.getTopic(topic).publish(payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    Received next() throws InterruptedException {
        Received r = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(r, "nothing received within " + WAIT_SECONDS + " s");
        return r;
    }

    boolean awaitClosedByBroker() throws InterruptedException {
        return lost.await(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    boolean closedByBroker() {
        return lost.getCount() == 0;
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(0); // no quiescing: a refused PUBLISH may never be acknowledged
            }
            client.close(true);
        } catch (MqttException e) {
            // the broker has closed it already
        }
    }
}
