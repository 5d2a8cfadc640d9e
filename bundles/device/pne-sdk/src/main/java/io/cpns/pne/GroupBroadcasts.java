package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.GroupTree;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Suites;
import io.cpns.groupkey.BroadcastMember;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A PNE's broadcast Group Key reception (TS §5.3.2; docs/groupkey.md §6): one MQTT connection (Paho
 * v3, MQTT 3.1.1) to its PN GW's broker with the credentials the PN GW gave it, one subscription and
 * one {@link BroadcastMember} per group. It never reads the retained flag: a broadcast it already
 * applied changes nothing, one it cannot follow asks for a catch-up by unicast.
 */
final class GroupBroadcasts implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(GroupBroadcasts.class.getName());

    /** What a broadcast did, for the PNE client to keep. */
    interface Sink {
        void groupKey(String groupId, long epoch, byte[] key);

        void removed(String groupId);

        /** Rekeys were missed: ask the PN GW for this group's tree ({@code group.tree.req}). */
        void catchUp(String groupId);
    }

    private record Group(String topic, BroadcastMember member) {
    }

    private final String clientId;
    private final Sink sink;
    private final ScheduledExecutorService timer;
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final Map<String, String> byTopic = new ConcurrentHashMap<>();
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet(); // topics with a SUBACK on this connection
    private MqttAsyncClient client;
    private String connectedAs; // broker URI and user name of the current client

    GroupBroadcasts(String clientId, Sink sink, ScheduledExecutorService timer) {
        this.clientId = clientId;
        this.sink = sink;
        this.timer = timer;
    }

    /** A {@link GroupTree} from the PN GW (welcome or catch-up): follow the group from now on. */
    synchronized void tree(GroupTree t) {
        BroadcastMember m = new BroadcastMember(t.groupId(), Suites.modern(), t.signer(), t.leaf(), t.individualKey());
        apply(t.groupId(), m.catchUp(t.state()));
        Group old = groups.put(t.groupId(), new Group(t.topic(), m));
        if (old != null && !old.topic().equals(t.topic())) {
            byTopic.remove(old.topic());
        }
        byTopic.put(t.topic(), t.groupId());
        boolean reconnected = connect(t.broker(), t.username(), t.password());
        if (old == null || !old.topic().equals(t.topic()) || reconnected) {
            subscribe(t.topic()); // a catch-up's tree (same topic, same broker) needs no new subscription
        }
    }

    /** The PNE left the group, or the group is gone; without groups it needs no broker connection. */
    synchronized void leave(String groupId) {
        Group g = groups.remove(groupId);
        if (g == null) {
            return;
        }
        byTopic.remove(g.topic());
        subscribed.remove(g.topic());
        if (groups.isEmpty()) {
            // the PN GW revokes its credentials too: reconnecting would only be refused. Not on this
            // thread: it may be Paho's callback thread, which must not close its own client
            MqttAsyncClient c = client;
            client = null;
            connectedAs = null;
            timer.execute(() -> close(c));
            return;
        }
        try {
            if (client != null && client.isConnected()) {
                client.unsubscribe(g.topic());
            }
        } catch (MqttException e) {
            LOG.log(System.Logger.Level.DEBUG, "unsubscribe " + g.topic() + ": " + e);
        }
    }

    /** The groups whose tree it holds. */
    Set<String> followed() {
        return Set.copyOf(groups.keySet());
    }

    /** Whether it receives the group's broadcasts: it holds the group's tree and is subscribed. */
    boolean follows(String groupId) {
        Group g = groups.get(groupId);
        return g != null && subscribed.contains(g.topic());
    }

    boolean connected() {
        MqttAsyncClient c = client;
        return c != null && c.isConnected();
    }

    /** @return whether a new connection was started (it subscribes every group when it completes) */
    private boolean connect(String uri, String user, byte[] password) {
        String as = uri + " " + user;
        if (as.equals(connectedAs) && client != null) {
            return false;
        }
        closeClient();
        try {
            // no executor: Paho's own threads for its receive/send loops; a shared one would starve with many PNEs
            MqttAsyncClient c = new MqttAsyncClient(uri, clientId, new MemoryPersistence(), new ScheduledExecutorPingSender(timer), null);
            c.setCallback(new Callback());
            MqttConnectOptions o = new MqttConnectOptions();
            o.setUserName(user);
            o.setPassword(new String(password, StandardCharsets.UTF_8).toCharArray());
            o.setCleanSession(true); // subscriptions are made again on every connect (connectComplete)
            // 3.1.1 only: Paho's default retries a refused CONNECT as 3.1, turning "not authorized" into a lost connection
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            o.setAutomaticReconnect(true);
            o.setMaxReconnectDelay(10_000);
            o.setKeepAliveInterval(60);
            o.setConnectionTimeout(10);
            client = c;
            connectedAs = as;
            connectUntilDone(c, o, 1);
            return true;
        } catch (MqttException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "MQTT broker " + uri + ": " + e.getMessage());
        }
    }

    /** Automatic reconnect covers lost connections only: a first connect that fails is retried here, with backoff. */
    private void connectUntilDone(MqttAsyncClient c, MqttConnectOptions o, int attempt) {
        try {
            c.connect(o, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                }

                @Override
                public void onFailure(IMqttToken token, Throwable x) {
                    if (client != c) {
                        return; // closed meanwhile
                    }
                    LOG.log(System.Logger.Level.INFO, clientId + ": MQTT connect to " + c.getServerURI() + " failed (" + x + "), attempt " + attempt);
                    timer.schedule(() -> {
                        if (client == c) {
                            connectUntilDone(c, o, attempt + 1);
                        }
                    }, Math.min(10_000, 250L << Math.min(attempt, 6)), TimeUnit.MILLISECONDS);
                }
            });
        } catch (MqttException e) {
            LOG.log(System.Logger.Level.INFO, clientId + ": MQTT connect: " + e);
        }
    }

    /**
     * Once subscribed, it asks for the group's tree by unicast: a broadcast sent between its last
     * state (a welcome, or before a reconnect) and the subscription is lost, and a broker need not
     * retain any (the embedded one does not, decisions.md D42). One round trip per subscription.
     */
    private void subscribe(String topic) {
        MqttAsyncClient c = client;
        if (c == null || !c.isConnected()) {
            return; // connectComplete subscribes
        }
        try {
            c.subscribe(topic, 1, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    String groupId = byTopic.get(topic);
                    int[] granted = token.getGrantedQos();
                    if (granted != null && granted.length > 0 && granted[0] == 0x80) {
                        LOG.log(System.Logger.Level.WARNING, clientId + ": the broker refused the subscription to " + topic);
                    } else if (groupId != null) {
                        subscribed.add(topic);
                        sink.catchUp(groupId);
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable x) {
                    LOG.log(System.Logger.Level.INFO, clientId + ": subscribe " + topic + ": " + x);
                }
            });
        } catch (MqttException e) {
            LOG.log(System.Logger.Level.INFO, clientId + ": subscribe " + topic + ": " + e);
        }
    }

    private void apply(String groupId, BroadcastMember.Update u) {
        switch (u.kind()) {
            case NEW_KEY -> {
                try {
                    sink.groupKey(groupId, u.keyEpoch(), u.groupKey());
                } finally {
                    Bytes.wipe(u.groupKey());
                }
            }
            case REMOVED -> {
                leave(groupId);
                sink.removed(groupId);
            }
            case NOTHING_NEW -> { }
        }
    }

    private void received(String topic, byte[] payload) {
        String groupId = byTopic.get(topic);
        Group g = groupId == null ? null : groups.get(groupId);
        if (g == null || payload.length == 0) {
            return; // not (or no longer) ours, or a cleared retained message
        }
        try {
            apply(groupId, g.member().onBroadcast(payload));
        } catch (CpnsException e) {
            if (e.code() == ErrorCode.UNEXPECTED_MESSAGE) {
                LOG.log(System.Logger.Level.INFO, clientId + ": " + e.getMessage());
                sink.catchUp(groupId);
            } else {
                LOG.log(System.Logger.Level.WARNING, clientId + ": broadcast on " + topic + " refused: " + e.code() + " " + e.getMessage());
            }
        }
    }

    private final class Callback implements MqttCallbackExtended {
        /** Subscribes (again: clean session), each subscription followed by a catch-up. */
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            groups.values().forEach(g -> subscribe(g.topic()));
        }

        @Override
        public void connectionLost(Throwable cause) {
            subscribed.clear();
            LOG.log(System.Logger.Level.DEBUG, clientId + ": MQTT connection lost: " + cause);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received(topic, message.getPayload());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }
    }

    private void closeClient() {
        subscribed.clear();
        MqttAsyncClient c = client;
        client = null;
        connectedAs = null;
        close(c);
    }

    private static void close(MqttAsyncClient c) {
        if (c != null) {
            try {
                c.disconnectForcibly(0, 1000);
            } catch (MqttException ignored) {
                // closing anyway
            }
            try {
                c.close(true);
            } catch (MqttException ignored) {
                // nothing left to release
            }
        }
    }

    @Override
    public synchronized void close() {
        groups.clear();
        byTopic.clear();
        closeClient();
    }
}
