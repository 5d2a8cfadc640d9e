package io.cpns.server.pn;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.UserId;
import io.cpns.api.message.PnAuthRequest;
import io.cpns.api.message.PnePresence;
import io.cpns.api.message.PneKeys;
import io.cpns.api.message.PneProof;
import io.cpns.api.server.Principal;
import io.cpns.crypto.CryptoSuite;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.server.endpoint.EndpointComponent;
import io.cpns.server.registry.EntityRegistryComponent;
import io.cpns.server.registry.UserRegistryComponent;
import io.cpns.server.store.JdbcStores;
import io.cpns.server.store.OpenStore;
import io.cpns.server.store.PnStore;
import io.cpns.session.InitiatorHandshake;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.osgi.framework.BundleContext;

/**
 * The CPNS Server's PN part on real components: H2 in memory, real entity and user registries
 * with real EUKeys, a real endpoint on loopback (port 0; its serverId and its dispatcher serve
 * relayed requests). Two CPNS Users, each with a PN GW and PNEs; the test plays the PN GW and
 * the PNEs with the EUKeys the registry assigned.
 */
final class PnServerFixture implements AutoCloseable {
    static final EntityId SERVER = EntityId.of("cpns-server");
    static final UserId ALICE = UserId.of("alice");
    static final UserId BOB = UserId.of("bob");
    static final EntityId GW_ALICE = EntityId.of("gw-alice");
    static final EntityId GW_BOB = EntityId.of("gw-bob");
    static final EntityId TV = EntityId.of("tv-alice");
    static final EntityId PHONE = EntityId.of("phone-alice");
    static final EntityId LAMP = EntityId.of("lamp-alice");
    static final EntityId TV_BOB = EntityId.of("tv-bob");

    final TestLogger log = new TestLogger("server-pn");
    final OpenStore db;
    final PnStore pnStore;
    final EntityRegistryComponent entities;
    final EndpointComponent endpoint;
    PnServer server;
    final UserRegistryComponent users;
    final EncryptedFileStore secrets;
    /** EUKeys as the entities hold them (the Server keeps its own sealed copies). */
    final Map<EntityId, byte[]> euKeys = new HashMap<>();

    PnServerFixture(Path dir, Map<String, Object> pnConfig) throws Exception {
        this(dir, pnConfig, new String[] {"modern-v1", "legacy-v1"});
    }

    /** @param suites the endpoint's accepted suites (PID cpns.server.endpoint {@code suites}) */
    PnServerFixture(Path dir, Map<String, Object> pnConfig, String[] suites) throws Exception {
        db = JdbcStores.open("jdbc:h2:mem:pn" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "", 4);
        pnStore = db.pnStore();
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        // small Argon2 parameters: users are only needed as owners here
        users = new UserRegistryComponent(db, log.logger(), Configs.of(UserRegistryComponent.Config.class,
                Map.of("argon2MemoryKiB", 1024, "argon2Iterations", 1)));
        users.register(ALICE, "alice-password".toCharArray());
        users.register(BOB, "bob-password".toCharArray());
        entities = new EntityRegistryComponent(db, secrets, log.logger());
        assign(GW_ALICE, EntityKind.GATEWAY, ALICE);
        assign(GW_BOB, EntityKind.GATEWAY, BOB);
        assign(TV, EntityKind.PNE, ALICE);
        assign(PHONE, EntityKind.PNE, ALICE);
        assign(LAMP, EntityKind.PNE, ALICE);
        assign(TV_BOB, EntityKind.PNE, BOB);
        endpoint = new EndpointComponent(users, entities, log.logger(), Configs.of(EndpointComponent.Config.class,
                Map.of("port", 0, "serverId", SERVER.value(), "suites", suites)), dataDir(dir));
        server = newServer(pnConfig);
        server.bindEndpoint(endpoint);
    }

    /** A PnServer on this fixture's database and secret store: after {@link PnServer#deactivate}, the Server restarted. */
    PnServer newServer(Map<String, Object> pnConfig) {
        PnServer s = new PnServer(entities, pnStore, secrets, log.logger(), Configs.of(PnServer.Config.class, pnConfig));
        s.bindEndpoint(endpoint);
        return s;
    }

    /** The Server's Service Groups (server-groups) on the same database, bound to the PN part as DS binds them. */
    io.cpns.server.groups.GroupRegistryComponent groups() {
        var g = new io.cpns.server.groups.GroupRegistryComponent(db.groupStore(), entities, users, secrets, server, log.logger(),
                Configs.of(io.cpns.server.groups.GroupRegistryComponent.Config.class, Map.of("updateHours", 0)));
        server.bindGroups(io.cpns.testkit.ServiceObjects.of(g));
        return g;
    }

    private void assign(EntityId id, EntityKind kind, UserId owner) {
        euKeys.put(id, entities.assignEuKey(id, kind, owner));
    }

    /** The endpoint reads only getProperty("cpns.data") (where it writes its development PKI). */
    private static BundleContext dataDir(Path dir) {
        return (BundleContext) java.lang.reflect.Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, a) -> m.getName().equals("getProperty") && "cpns.data".equals(a[0])
                        ? dir.toString() : null);
    }

    static Principal gateway(EntityId gw, UserId user) {
        return new Principal(gw, EntityKind.GATEWAY, user);
    }

    static Principal alicesGateway() {
        return gateway(GW_ALICE, ALICE);
    }

    byte[] euKey(EntityId id) {
        return euKeys.get(id).clone();
    }

    /** A PNE's side of seed 004: its rand_PNE (step 1/3), hash_PNE (steps 8-9), check of hash_server (step 14-15). */
    final class Pne {
        final EntityId id;
        final CryptoSuite suite;
        final InitiatorHandshake handshake;

        Pne(EntityId id, CryptoSuite suite) {
            this.id = id;
            this.suite = suite;
            this.handshake = new InitiatorHandshake(suite, id, SERVER, euKeys.get(id));
        }

        PnePresence presence(boolean localEuKeyRequested) {
            return new PnePresence(id.value(), Map.of("ui", "true"), List.of("photos"), handshake.rand(), localEuKeyRequested,
                    suite.name());
        }

        PneProof proof(PnAuthRequest auth) {
            return new PneProof(id.value(), handshake.prove(auth.randServer()));
        }
    }

    Pne pne(EntityId id) {
        return new Pne(id, Suites.modern());
    }

    static PneKeys keysOf(PnAuthRequest auth, EntityId pne) {
        return auth.pnes().stream().filter(k -> k.pneId().equals(pne.value())).findFirst()
                .orElseThrow(() -> new AssertionError("no PneKeys for " + pne + " in " + auth.pnes()));
    }

    @Override
    public void close() throws Exception {
        server.deactivate();
        // EndpointComponent.deactivate is package-private (a DS lifecycle method): called reflectively
        // so the listener and its threads stop with the test
        Method deactivate = EndpointComponent.class.getDeclaredMethod("deactivate");
        deactivate.setAccessible(true);
        deactivate.invoke(endpoint);
        db.close();
    }
}
