package io.cpns.gw.mqtt;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.osgi.service.log.Logger;

/**
 * An external Mosquitto 2 with the dynamic-security plugin: the PN GW connects as a
 * dynamic-security admin client, publishes as it, and creates one client and one role per
 * granted user ({@link DynSec}). Unreachable at start, it is retried in the background; lost
 * later, Paho reconnects. Meanwhile every call fails as {@code UNAVAILABLE} after the timeout.
 */
final class MosquittoBroker implements GroupBrokerComponent.Backend, MqttCallbackExtended {
    private static final int MAX_RETRY_SECONDS = 60;

    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();
    private final DynSec dynsec;
    private final String adminUser;
    private final String uri;
    private final Duration timeout;
    private final Logger log;
    private final ScheduledExecutorService retry = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cpns-mosquitto-connect");
        t.setDaemon(true);
        return t;
    });
    // what this PN GW set in Mosquitto since it started: decides which commands a grant needs
    private final Grants granted = new Grants();
    // Mosquitto may restart without persistence: these go out again after every reconnect
    private final Map<String, byte[]> retained = new ConcurrentHashMap<>();
    private final AtomicInteger retrySeconds = new AtomicInteger(1);
    private volatile CompletableFuture<Void> ready = new CompletableFuture<>();
    private volatile boolean closed;

    MosquittoBroker(String mosquittoUri, String adminUser, char[] adminPassword, String advertisedUri,
                    Duration timeout, Logger log) {
        this.adminUser = adminUser;
        this.uri = advertisedUri.isBlank() ? mosquittoUri : advertisedUri;
        this.timeout = timeout;
        this.log = log;
        try {
            client = new MqttAsyncClient(mosquittoUri, adminUser + "-" + UUID.randomUUID(), new MemoryPersistence());
        } catch (MqttException | IllegalArgumentException e) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "not a Mosquitto URI: " + mosquittoUri, e);
        }
        options.setUserName(adminUser);
        options.setPassword(adminPassword);
        options.setCleanSession(true);
        options.setAutomaticReconnect(true);
        options.setMaxReconnectDelay(MAX_RETRY_SECONDS * 1000);
        options.setConnectionTimeout((int) Math.max(1, timeout.toSeconds()));
        options.setMaxInflight(100); // every retained message goes out again at once after a reconnect
        client.setCallback(this);
        dynsec = new DynSec(this::sendCommand, timeout);
        connect();
    }

    /** The first connection; once made, Paho's automatic reconnect keeps it. */
    private void connect() {
        if (closed) {
            return;
        }
        try {
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    // connectComplete() follows
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    retryLater(e);
                }
            });
        } catch (MqttException e) {
            retryLater(e);
        }
    }

    private void retryLater(Throwable e) {
        if (closed) {
            return;
        }
        int seconds = retrySeconds.getAndUpdate(s -> Math.min(2 * s, MAX_RETRY_SECONDS));
        log.warn("Mosquitto at {} not reachable as {} ({}): retrying in {} s", client.getServerURI(), adminUser, e.toString(), seconds);
        try {
            retry.schedule(this::connect, seconds, TimeUnit.SECONDS);
        } catch (RejectedExecutionException closing) {
            // close() ran meanwhile
        }
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
        log.info("connected to Mosquitto at {} as {}", serverURI, adminUser);
        try {
            client.subscribe(DynSec.RESPONSES, 1, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    if (token.getGrantedQos()[0] == 0x80) {
                        onFailure(token, new IllegalStateException("SUBACK failure: the admin client may not subscribe to it"));
                        return;
                    }
                    if (reconnect) {
                        republishRetained(); // queued first: a newer message published after this follows it
                    }
                    ready.complete(null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    log.error("cannot read Mosquitto's dynamic-security responses as {}: {}", adminUser, e.toString());
                }
            }, (topic, message) -> dynsec.responded(message.getPayload()));
        } catch (MqttException e) {
            log.error("cannot subscribe to Mosquitto's dynamic-security responses: {}", e.toString());
        }
    }

    private void republishRetained() {
        retained.forEach((topic, payload) -> {
            try {
                client.publish(topic, payload, 1, true);
            } catch (MqttException e) {
                log.warn("retained message on {} not republished to Mosquitto: {}", topic, e.toString());
            }
        });
    }

    @Override
    public void connectionLost(Throwable cause) {
        ready = new CompletableFuture<>();
        log.warn("connection to Mosquitto at {} lost ({}): reconnecting", client.getServerURI(), String.valueOf(cause));
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        // every subscription has its own listener
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // publish() waits for its token
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retain) {
        byte[] copy = payload.clone(); // Paho keeps it until Mosquitto acknowledges
        if (retain && copy.length == 0) {
            retained.remove(topic);
        } else if (retain) {
            retained.put(topic, copy);
        }
        awaitConnection();
        try {
            client.publish(topic, copy, 1, retain).waitForCompletion(timeout.toMillis());
        } catch (MqttException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "Mosquitto did not take the message on " + topic + ": " + e, e);
        }
    }

    @Override
    public synchronized void grant(String user, char[] password, Set<String> topics) {
        notTheAdmin(user);
        Grants.Grant next = Grants.of(password, topics);
        Optional<Grants.Grant> before = granted.get(user);
        if (before.isEmpty()) {
            // first grant since this PN GW started: create, or take over what an earlier run left
            List<DynSec.Command> create = List.of(DynSec.createRole(user, topics), DynSec.createClient(user, password));
            List<DynSec.Command> modify = List.of(DynSec.modifyRole(user, topics), DynSec.modifyClient(user, password));
            List<String> errors = dynsec.run(create);
            List<DynSec.Command> again = new ArrayList<>();
            for (int i = 0; i < create.size(); i++) {
                if (errors.get(i).endsWith("already exists")) {
                    again.add(modify.get(i));
                } else {
                    DynSec.check(create.get(i), errors.get(i));
                }
            }
            if (!again.isEmpty()) {
                dynsec.runAll(again);
            }
        } else {
            List<DynSec.Command> change = new ArrayList<>();
            if (!next.topics().equals(before.get().topics())) {
                change.add(DynSec.modifyRole(user, topics));
            }
            if (before.get().narrowedBy(next)) {
                change.add(DynSec.modifyClient(user, password)); // closes the user's connection
            }
            if (!change.isEmpty()) {
                dynsec.runAll(change);
            }
        }
        granted.put(user, next);
    }

    @Override
    public synchronized void revoke(String user) {
        notTheAdmin(user);
        List<DynSec.Command> delete = List.of(DynSec.deleteClient(user), DynSec.deleteRole(user));
        List<String> errors = dynsec.run(delete);
        for (int i = 0; i < delete.size(); i++) {
            if (!errors.get(i).endsWith("not found")) {
                DynSec.check(delete.get(i), errors.get(i));
            }
        }
        granted.remove(user);
    }

    private void notTheAdmin(String user) {
        if (user.equals(adminUser)) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "the PN GW's own Mosquitto client cannot be granted or revoked");
        }
    }

    private void sendCommand(byte[] request) {
        awaitConnection();
        try {
            client.publish(DynSec.TOPIC, request, 1, false);
        } catch (MqttException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "Mosquitto did not take a dynamic-security command: " + e, e);
        }
    }

    private void awaitConnection() {
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "not connected to Mosquitto at " + client.getServerURI(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CpnsException(ErrorCode.UNAVAILABLE, "interrupted waiting for Mosquitto", e);
        }
    }

    @Override
    public List<String> problems() {
        return closed || client.isConnected() ? List.of() : List.of("MQTT broker: not connected to Mosquitto at " + client.getServerURI()
                + " (retrying): is Mosquitto running, and may " + adminUser + " log in?");
    }

    @Override
    public void close() {
        closed = true;
        retry.shutdownNow();
        try {
            if (client.isConnected()) {
                client.disconnect(timeout.toMillis()).waitForCompletion(timeout.toMillis());
            }
        } catch (MqttException e) {
            log.debug("disconnecting from Mosquitto: {}", e.toString());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("closing the Mosquitto client: {}", e.toString());
        }
        log.info("disconnected from Mosquitto at {}", client.getServerURI());
    }
}
