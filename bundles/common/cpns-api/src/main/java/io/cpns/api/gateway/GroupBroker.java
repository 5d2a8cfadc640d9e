package io.cpns.api.gateway;

import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The MQTT broker that carries a PN GW's broadcast Group Key delivery to the PNEs of its home
 * (TS §5.3.2 broadcast delivery; docs/groupkey.md §6): an embedded broker by default, Mosquitto by
 * configuration. Only the PN GW publishes; a PNE connects (MQTT 3.1.1, client ID = its user name)
 * with the credentials the PN GW granted it and may subscribe only to the topics granted with them.
 *
 * <p>The broker holds no state the PN GW cannot give again: when this service comes (back), its
 * user re-grants every member and republishes every retained message.
 */
@ProviderType
public interface GroupBroker {
    /** Where PNEs connect, e.g. {@code tcp://192.168.1.1:1883}. */
    String uri();

    /**
     * Publishes as the PN GW, QoS 1 where the broker handles it safely; {@code retain}: the broker
     * keeps it as the topic's last message for later subscribers, where it can (the embedded broker
     * keeps none, decisions.md D42: nothing may depend on it).
     *
     * @throws io.cpns.api.CpnsException {@code UNAVAILABLE} if the broker cannot be reached
     */
    void publish(String topic, byte[] payload, boolean retain);

    /**
     * Lets {@code user} connect with {@code password} and subscribe to exactly {@code topics}
     * (replacing what it was granted before; MQTT topic names, no wildcards). A live subscription
     * outside the new set ends: the user's connection is closed, so it resubscribes under the new
     * grant. The caller wipes {@code password}.
     */
    void grant(String user, char[] password, Set<String> topics);

    /** The user can no longer connect; its connection, if any, is closed. */
    void revoke(String user);

    /**
     * The users subscribed to {@code topic} on a live connection now, as far as this broker can
     * tell; empty if it cannot tell (Mosquitto does not say). A user not in the set may be between
     * two connections (after a broker restart, every user is until its client reconnects): a
     * message published now does not reach it, so its sender delivers another way.
     *
     * @throws io.cpns.api.CpnsException {@code UNAVAILABLE} if the broker cannot be reached
     * @since 1.2
     */
    default Optional<Set<String>> subscribers(String topic) {
        return Optional.empty();
    }
}
