package io.cpns.gw.link;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.credential.CredentialModule;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.health.HealthContributor;
import io.cpns.api.store.SecretStore;
import io.cpns.codec.MessageCodec;
import io.cpns.api.dispatch.LazyService;
import io.cpns.api.gateway.ServerLinkListener;
import io.cpns.api.gateway.ServerRequestHandler;
import io.cpns.crypto.Bytes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The PN GW's link to the CPNS Server (TS §5.3.3.1: the GW-Server secure session).
 *
 * <p>Without an EUKey it waits for the CPNS User's ID and password (Gogo {@code gw:assign}, the
 * {@link GatewayEnrolment} service, or this component's configuration) and obtains one over
 * bootstrap TLS (TS §5.3.1). With an EUKey its {@link LinkLoop} keeps a session up: PSK-TLS 1.3
 * with the EUKey, then the message-level mutual authentication, keepalive pings, and reconnect
 * with backoff when the Server goes away. This component is the rest: the wiring and
 * configuration, the request API ({@link ServerLink}), the enrolment ({@link GatewayEnrolment}),
 * the link listeners and the Server's own requests ({@link ServerRequests}). The EUKey lives in the
 * {@link SecretStore} bundle, so updating this bundle keeps it: the new instance simply
 * authenticates again.
 *
 * <p>With a {@link CredentialModule} (TS §5.3.3.2 condition 2) the EUKey lives there instead: a key
 * in the keystore is moved in (then deleted from the keystore), an assigned key is stored there,
 * and every session is established through the module: the message-level handshake takes only
 * its HKDF-Extract, PSK-TLS a copy lent for the TLS handshake (docs/security.md "Credential
 * module"). The link re-authenticates when the module comes or goes.
 */
@Component(configurationPid = "cpns.gw.link", service = {ServerLink.class, GatewayEnrolment.class, HealthContributor.class},
        immediate = true, property = {"hc.name=Server link", "hc.tags=cpns", "hc.tags=readiness"})
@Designate(ocd = ServerLinkComponent.Config.class)
public class ServerLinkComponent implements ServerLink, GatewayEnrolment, HealthContributor {
    @ObjectClassDefinition(name = "CPNS PN GW server link", description = "How this PN GW reaches and authenticates to the CPNS Server.")
    public @interface Config {
        @AttributeDefinition(description = "CPNS Server host")
        String serverHost() default "127.0.0.1";

        @AttributeDefinition(description = "CPNS Server port")
        int serverPort() default 7443;

        @AttributeDefinition(description = "CPNS Server Entity ID")
        String serverId() default "cpns-server";

        @AttributeDefinition(description = "Name the Server's bootstrap certificate must carry (subjectAltName)")
        String serverName() default "localhost";

        @AttributeDefinition(description = "Operator CA certificate (PEM) that signs the Server's certificate; "
                + "empty = ${cpns.data}/operator-ca.pem")
        String operatorCaFile() default "";

        @AttributeDefinition(description = "Crypto suite of the message-level session: modern-v1 or legacy-v1")
        String suite() default "modern-v1";

        @AttributeDefinition(description = "CPNS User ID for unattended EUKey assignment (optional)")
        String userId() default "";

        @AttributeDefinition(type = AttributeType.PASSWORD, description = "CPNS User password for unattended EUKey "
                + "assignment; removed from the configuration once the EUKey is assigned")
        String password() default "";

        int connectTimeoutMillis() default 5000;

        int handshakeTimeoutMillis() default 10000;

        int requestTimeoutMillis() default 10000;

        @AttributeDefinition(description = "Ping interval while authenticated (s); 3 missed intervals drop the connection")
        int keepaliveSeconds() default 30;

        int backoffInitialMillis() default 500;

        int backoffMaxMillis() default 30000;

        int maxFrameBytes() default 65536;
    }

    private final EuKeyCustody euKey;
    private final GatewayIdentity identity;
    private final ConfigurationAdmin configAdmin;
    private final Logger log;
    private final Path dataDir;
    private volatile MessageCodec codec; // built on first use: Jackson set-up costs ~250 ms of start-up
    private final ScheduledExecutorService timer;
    private final Backoff assignRetry = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
    private final ServerRequests serverRequests;
    private final LinkLoop loop;
    private final java.util.List<LazyService<ServerLinkListener>> linkListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private volatile LinkSettings settings;
    private volatile Config config;

    @Activate
    public ServerLinkComponent(@Reference(name = "secrets") SecretStore secrets,
                               @Reference(name = "identity") GatewayIdentity identity,
                               @Reference(name = "configAdmin", cardinality = ReferenceCardinality.OPTIONAL) ConfigurationAdmin configAdmin,
                               @Reference(name = "log", service = LoggerFactory.class) Logger log,
                               Config config, BundleContext context) throws IOException {
        this.euKey = new EuKeyCustody(secrets, log);
        this.identity = identity;
        this.configAdmin = configAdmin;
        this.log = log;
        this.dataDir = io.cpns.api.DataDirectory.of(context::getProperty);
        this.config = config;
        this.settings = LinkSettings.from(config, identity.id(), dataDir);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> LinkLoop.daemon(r, "cpns-gw-link-timer"));
        this.serverRequests = new ServerRequests(log);
        this.loop = new LinkLoop(() -> settings, euKey, this::codec, timer, serverRequests, () -> linkListeners.forEach(this::tell),
                this::configuredAssignment, log);
        loop.start();
        log.info("PN GW {} link to {} started ({})", settings.gatewayId(), settings.server(),
                hasEuKey() ? "EUKey present" : "no EUKey yet: assign with gw:assign <userId>");
    }

    @Modified
    void modified(Config config) throws IOException {
        this.config = config;
        LinkSettings next = LinkSettings.from(config, identity.id(), dataDir);
        if (!next.equals(settings)) {
            settings = next;
            log.info("link configuration changed: reconnecting to {}", next.server());
            reconnect();
        } else {
            // the same settings object: the loop drops a session made under settings that were replaced
            loop.wakeUp();
        }
    }

    @Reference(name = "credentials", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = org.osgi.service.component.annotations.ReferencePolicyOption.GREEDY, unbind = "removeCredentialModule")
    void setCredentialModule(CredentialModule m) {
        euKey.bind(m);
        log.info("credential module {} present: the link authenticates with it from now on", m.description());
        reconnect();
    }

    void removeCredentialModule(CredentialModule m) {
        if (euKey.unbind(m)) {
            log.warn("credential module {} gone: {}", m.description(), euKey.inKeystore(settings)
                    ? "authenticating with the keystore's EUKey" : "the EUKey is in it, so this PN GW cannot authenticate until it returns");
            reconnect();
        }
    }

    @Reference(name = "serverRequests", service = ServerRequestHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeServerRequestHandler")
    void addServerRequestHandler(ComponentServiceObjects<ServerRequestHandler> h, Map<String, Object> props) {
        serverRequests.add(h, props);
    }

    void removeServerRequestHandler(ComponentServiceObjects<ServerRequestHandler> h, Map<String, Object> props) {
        serverRequests.remove(h, props);
    }

    /**
     * Link listeners (whiteboard): told after each authentication, and at once if the link is up
     * when they come; obtained when first told, on the timer thread (D33: they are flow components
     * that depend on this link, e.g. gw-pn's PnGateway; getting one while binding is a cycle).
     */
    @Reference(name = "linkListeners", service = ServerLinkListener.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeLinkListener")
    void addLinkListener(ComponentServiceObjects<ServerLinkListener> l) {
        LazyService<ServerLinkListener> lazy = new LazyService<>(l);
        linkListeners.add(lazy);
        if (loop.state() == LinkState.AUTHENTICATED) {
            tell(lazy);
        }
    }

    void removeLinkListener(ComponentServiceObjects<ServerLinkListener> l) {
        LazyService.unbind(linkListeners, l);
    }

    private void tell(LazyService<ServerLinkListener> lazy) {
        try {
            timer.execute(() -> {
                ServerLinkListener l = lazy.get();
                if (l == null) {
                    return; // going away with its bundle
                }
                try {
                    l.authenticated();
                } catch (RuntimeException e) {
                    log.warn("server link listener {} failed: {}", l.getClass().getName(), e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping: nothing to tell
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        loop.stop();
        timer.shutdownNow();
        serverRequests.close();
        loop.stopped();
        log.info("PN GW {} link stopped", settings.gatewayId());
    }

    @Override
    public Optional<String> credentialModule() {
        String used = loop.sessionKeyHolder();
        CredentialModule m = euKey.module();
        if (used.isEmpty() || m == null || !m.description().equals(used) || loop.state() != LinkState.AUTHENTICATED) {
            return Optional.empty();
        }
        try {
            return m.holdsKey() ? Optional.of(used) : Optional.empty();
        } catch (RuntimeException e) { // the module failing: not in use
            return Optional.empty();
        }
    }

    @Override
    public java.util.List<String> problems() {
        String p = loop.euKeyProblem();
        return p.isEmpty() ? java.util.List.of() : java.util.List.of(p);
    }

    // ---- EUKey assignment (TS §5.3.1) ----

    @Override
    public boolean hasEuKey() {
        return euKey.has(settings);
    }

    @Override
    public byte[] encryptWithPsk1(byte[] nonce, String userId, char[] password) {
        return euKey.encryptWithPsk1(settings, nonce, userId, password);
    }

    @Override
    public void assignEuKey(String userId, char[] password) {
        try {
            euKey.assign(settings, codec(), userId, password);
            loop.wakeUp();
        } catch (CpnsException e) {
            log.warn("EUKey assignment for PN GW {} failed: {}", settings.gatewayId(), e.toString());
            throw e;
        } finally {
            Bytes.wipe(password);
        }
    }

    /**
     * Unattended assignment from configuration; the password is removed from it once used. On the
     * link loop's thread, while there is no EUKey: says how long the loop waits before it looks again.
     */
    private Duration configuredAssignment() {
        Config c = config;
        if (c.userId().isBlank() || c.password().isEmpty()) {
            return UNTIL_WOKEN;
        }
        try {
            assignEuKey(c.userId(), c.password().toCharArray());
            forgetConfiguredPassword();
            assignRetry.reset();
            return Duration.ZERO;
        } catch (CpnsException e) {
            loop.lastError(e.toString());
            if (e.code() == ErrorCode.UNAVAILABLE) {
                return assignRetry.next(); // retry later
            }
            return UNTIL_WOKEN; // wrong credentials: wait for new configuration or an operator
        }
    }

    /** A wait that only {@code gw:assign}, a new configuration or a stop ends. */
    private static final Duration UNTIL_WOKEN = Duration.ofDays(1);

    private void forgetConfiguredPassword() {
        if (configAdmin == null) {
            return;
        }
        try {
            Configuration cfg = configAdmin.getConfiguration("cpns.gw.link", "?");
            Dictionary<String, Object> props = cfg.getProperties();
            if (props != null && props.get("password") != null) {
                props.remove("password");
                cfg.update(props);
            }
        } catch (IOException e) {
            log.warn("could not remove the password from configuration cpns.gw.link: {}", e.getMessage());
        }
    }

    // ---- ServerLink ----

    @Override
    public LinkStatus status() {
        LinkSettings s = settings;
        LinkSession c = loop.session();
        return new LinkStatus(loop.state(), s.gatewayId().value(), s.server(), c == null ? "" : c.suite(), loop.since(),
                loop.sessions(), loop.lastError(), fingerprint());
    }

    @Override
    public CompletionStage<Message> request(Message request, Duration timeout) {
        LinkSession c = loop.session();
        LinkState state = loop.state();
        if (c == null || state != LinkState.AUTHENTICATED) {
            String lastError = loop.lastError();
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE,
                    "not connected to the CPNS Server (link " + state + (lastError.isEmpty() ? "" : ": " + lastError) + ")"));
        }
        return c.request(request, timeout);
    }

    @Override
    public InetSocketAddress serverAddress() {
        LinkSettings s = settings;
        return InetSocketAddress.createUnresolved(s.serverHost(), s.serverPort());
    }

    @Override
    public io.cpns.api.EntityId serverId() {
        return settings.serverId();
    }

    @Override
    public void reconnect() {
        loop.reconnect();
    }

    // ---- helpers ----

    private MessageCodec codec() {
        MessageCodec c = codec;
        if (c == null) {
            synchronized (this) {
                if (codec == null) {
                    codec = new MessageCodec(config.maxFrameBytes());
                }
                c = codec;
            }
        }
        return c;
    }

    private String fingerprint() {
        return euKey.fingerprint(settings);
    }
}
