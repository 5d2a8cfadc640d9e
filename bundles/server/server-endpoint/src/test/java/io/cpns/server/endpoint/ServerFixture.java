package io.cpns.server.endpoint;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.server.registry.EntityRegistryComponent;
import io.cpns.server.registry.UserRegistryComponent;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.session.ChannelHandshake;
import io.cpns.session.SecureChannel;
import io.cpns.session.SecureSession;
import io.cpns.session.tls.ServerCertificateVerifier;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.osgi.framework.BundleContext;

/** A real endpoint on loopback with real registries (H2 in memory) and a client that speaks the protocol. */
final class ServerFixture implements AutoCloseable {
    static final EntityId SERVER = EntityId.of("cpns-server");
    final TestLogger log = new TestLogger("server-endpoint");
    final OpenStore store;
    final UserRegistryComponent users;
    final EntityRegistryComponent entities;
    final EndpointComponent endpoint;
    final MessageCodec codec = new MessageCodec();

    ServerFixture(Path dir, Map<String, Object> config) throws Exception {
        this(dir, config, Map.of());
    }

    /** {@code usersConfig}: cpns.server.users properties over small Argon2 parameters. */
    ServerFixture(Path dir, Map<String, Object> config, Map<String, Object> usersConfig) throws Exception {
        store = JdbcStores.open("jdbc:h2:mem:e" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4);
        EncryptedFileStore secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        Map<String, Object> u = new java.util.HashMap<>(Map.of("argon2MemoryKiB", 1024, "argon2Iterations", 1));
        u.putAll(usersConfig);
        users = new UserRegistryComponent(store, log.logger(), Configs.of(UserRegistryComponent.Config.class, u));
        entities = new EntityRegistryComponent(store, secrets, log.logger());
        Map<String, Object> c = new java.util.HashMap<>(Map.of("port", 0, "handshakeTimeoutMillis", 2000, "idleTimeoutMillis", 5000));
        c.putAll(config);
        endpoint = new EndpointComponent(users, entities, log.logger(), Configs.of(EndpointComponent.Config.class, c),
                dataDir(dir));
    }

    /** Only getProperty("cpns.data") is used by the endpoint. */
    static BundleContext dataDir(Path dir) {
        return (BundleContext) java.lang.reflect.Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, a) -> m.getName().equals("getProperty") && "cpns.data".equals(a[0])
                        ? dir.toString() : null);
    }

    Socket dial() throws IOException {
        return new Socket(endpoint.listenAddress().getAddress(), endpoint.listenAddress().getPort());
    }

    MessageChannel channel(TlsConnection t) {
        return new MessageChannel(codec, t.in(), t.out(), 65536, t);
    }

    /** A bootstrap (certificate TLS) connection, as a PN GW without an EUKey opens it. */
    MessageChannel bootstrap() throws IOException {
        ServerCertificateVerifier v = ServerCertificateVerifier.fromFile(endpoint.generatedOperatorCa().orElseThrow(), "localhost");
        return channel(TlsClientEndpoint.certificate(dial(), v, 2000, 5000));
    }

    byte[] registerAndAssign(String user, String gw) {
        try {
            users.register(UserId.of(user), "password-of-" .concat(user).toCharArray());
        } catch (io.cpns.api.CpnsException alreadyThere) {
            // several gateways of one user
        }
        return entities.assignEuKey(EntityId.of(gw), EntityKind.GATEWAY, UserId.of(user));
    }

    /** A client with an authenticated session, as a PN GW opens it. */
    final class Client implements AutoCloseable {
        final EntityId id;
        final MessageChannel ch;
        final SecureChannel secure;
        final SecureSession session;
        long nextId = 1;

        Client(String id, byte[] euKey) throws IOException {
            this.id = EntityId.of(id);
            ch = channel(TlsClientEndpoint.psk(dial(), id, euKey, 2000, 5000));
            session = ChannelHandshake.initiate(ch, Suites.modern(), this.id, SERVER, euKey);
            secure = new SecureChannel(ch, session);
        }

        Message request(Message m) throws IOException {
            secure.send(new Envelope(id, SERVER, ++nextId, m));
            return secure.receive().body();
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    Client client(String id, byte[] key) throws IOException {
        return new Client(id, key);
    }

    @Override
    public void close() throws Exception {
        endpoint.deactivate();
        store.close();
    }
}
