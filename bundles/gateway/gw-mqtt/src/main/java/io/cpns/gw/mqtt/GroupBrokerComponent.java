package io.cpns.gw.mqtt;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.health.HealthContributor;
import io.cpns.keystore.ConfigSecret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The PN GW's MQTT broker for broadcast Group Key delivery (docs/decisions.md D38): Moquette
 * embedded in this runtime by default, or an external Mosquitto 2 administered through its
 * dynamic-security plugin. Checks the arguments; the chosen {@link Backend} does the rest.
 */
@Component(configurationPid = GroupBrokerComponent.PID, service = {GroupBroker.class, HealthContributor.class}, immediate = true,
        property = {"hc.name=MQTT broker", "hc.tags=cpns", "hc.tags=readiness"})
@Designate(ocd = GroupBrokerComponent.Config.class)
public class GroupBrokerComponent implements GroupBroker, HealthContributor {
    static final String PID = "cpns.gw.broker";

    @ObjectClassDefinition(name = "CPNS PN GW MQTT broker",
            description = "MQTT broker that carries broadcast Group Key messages to the PNEs.")
    public @interface Config {
        @AttributeDefinition(description = "embedded: Moquette in this runtime; mosquitto: an external Mosquitto 2 "
                + "with the dynamic-security plugin", options = {
                    @Option(value = "embedded", label = "embedded (Moquette)"),
                    @Option(value = "mosquitto", label = "Mosquitto (dynamic security)")})
        String mode() default "embedded";

        @AttributeDefinition(description = "embedded: address the broker listens on (0.0.0.0 = every interface; "
                + "PNEs on the home network need one they can reach)")
        String host() default "127.0.0.1";

        @AttributeDefinition(description = "embedded: TCP port the broker listens on (0 = any free port)")
        int port() default 1883;

        @AttributeDefinition(description = "embedded: largest MQTT packet a client may send, in bytes. A CONNECT or "
                + "other packet announcing more closes its connection before it is read (PNEs send only CONNECT, "
                + "SUBSCRIBE and pings, each well under 1 KiB)", min = "256", max = "268435455")
        int maxMessageBytes() default 8192;

        @AttributeDefinition(description = "URI handed to PNEs, e.g. tcp://192.168.1.1:1883. Empty = tcp://host:port "
                + "with the bound port (embedded) or mosquittoUri (mosquitto)")
        String advertisedUri() default "";

        @AttributeDefinition(description = "mosquitto: where the PN GW connects (tcp:// on loopback, or ssl://: "
                + "passwords of granted PNEs travel in the dynamic-security commands)")
        String mosquittoUri() default "tcp://127.0.0.1:1883";

        @AttributeDefinition(description = "mosquitto: dynamic-security admin client the PN GW connects as. It also "
                + "needs publishClientSend on the Group Key topics, which `mosquitto_ctrl dynsec init` does not give: "
                + "mosquitto_ctrl -u cpns-gw dynsec addRoleACL admin publishClientSend '#' allow")
        String adminUser() default "cpns-gw";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "mosquitto: password of adminUser; in a .cfg file a "
                + "reference, $[secret:<file in ${cpns.data}/secrets>] or $[env:<NAME>] (a plain value there is refused)")
        String adminPassword() default "";

        @AttributeDefinition(description = "mosquitto: a publish or an administrative command not confirmed within "
                + "this long (ms) fails as UNAVAILABLE")
        int publishTimeoutMillis() default 5000;
    }

    /** What each kind of broker implements; arguments arrive checked. */
    interface Backend extends GroupBroker, AutoCloseable {
        @Override
        void close();

        /** The health check "MQTT broker": what keeps it from carrying Group Key messages now (none while it runs). */
        default List<String> problems() {
            return List.of();
        }
    }

    private final Backend broker;
    private final Logger log;

    @Activate
    public GroupBrokerComponent(Config config, @Reference(service = LoggerFactory.class) Logger log, @Reference ConfigurationAdmin cm) {
        this.log = log;
        // D113: in a .cfg file the password is a $[secret:]/$[env:] reference, never plain (also while unused: embedded)
        String adminPassword = ConfigSecret.check(PID, "adminPassword", ConfigSecret.stored(cm, PID), config.adminPassword(),
                log::error);
        this.broker = switch (config.mode().trim()) {
            case "embedded" -> EmbeddedBroker.start(config, log);
            case "mosquitto" -> new MosquittoBroker(config.mosquittoUri(), config.adminUser(),
                    adminPassword.toCharArray(), config.advertisedUri(),
                    Duration.ofMillis(config.publishTimeoutMillis()), log);
            default -> throw new CpnsException(ErrorCode.INVALID_ARGUMENT,
                    "cpns.gw.broker mode must be embedded or mosquitto, not " + config.mode());
        };
    }

    /** For tests of a backend's own behaviour. */
    Backend backend() {
        return broker;
    }

    /** Called on the health reporter's thread; reads the backend's state, never blocks. */
    @Override
    public List<String> problems() {
        return broker.problems();
    }

    @Deactivate
    void deactivate() {
        broker.close();
    }

    @Override
    public String uri() {
        return broker.uri();
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retain) {
        checkTopic(topic);
        if (payload == null) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "no payload");
        }
        broker.publish(topic, payload, retain);
    }

    @Override
    public void grant(String user, char[] password, Set<String> topics) {
        checkUser(user);
        if (password == null || password.length == 0) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "an MQTT user needs a password");
        }
        if (topics == null) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "no topic set");
        }
        topics.forEach(GroupBrokerComponent::checkTopic);
        Set<String> granted = Set.copyOf(topics);
        broker.grant(user, password, granted);
        log.debug("MQTT user {} granted {} topics", user, granted.size());
    }

    @Override
    public void revoke(String user) {
        checkUser(user);
        broker.revoke(user);
        log.debug("MQTT user {} revoked", user);
    }

    /** Embedded: who is subscribed now; Mosquitto cannot say (empty). */
    @Override
    public Optional<Set<String>> subscribers(String topic) {
        checkTopic(topic);
        return broker.subscribers(topic);
    }

    private static void checkUser(String user) {
        if (user == null || user.isBlank()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "no MQTT user name");
        }
    }

    /** A topic name a PNE can subscribe to literally: no wildcard, and not a broker's own $ topic. */
    static void checkTopic(String topic) {
        if (topic == null || topic.isEmpty() || topic.startsWith("$")
                || topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0 || topic.indexOf('\0') >= 0
                || topic.getBytes(StandardCharsets.UTF_8).length > 65535) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "not an MQTT topic name for Group Keys: " + topic);
        }
    }
}
