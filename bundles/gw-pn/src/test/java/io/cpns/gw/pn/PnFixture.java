package io.cpns.gw.pn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.LinkProtection;
import io.cpns.api.gateway.GatewayIdentity;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.crypto.Randoms;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.FieldReferences;
import io.cpns.testkit.TestLogger;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real {@link PnGateway} over the gateway's real encrypted keystore (a temporary directory), with
 * the services of the other bundles it talks to replaced by recording ones the test answers: the
 * PNEs ({@link Pnes}, gw-pan's routing table) and the CPNS Server ({@link Server}, gw-link).
 */
final class PnFixture implements AutoCloseable {
    static final EntityId GW = EntityId.of("gw-home");
    /** Safety net only: a broken flow fails instead of hanging. */
    static final long WAIT_MILLIS = 5000;

    final Path dir;
    final EncryptedFileStore secrets;
    final TestLogger log = new TestLogger("gw-pn");
    final Pnes pnes = new Pnes();
    final Server server = new Server();
    final PreAssigned preAssigned = new PreAssigned();
    final byte[] euKey = Randoms.bytes(32);
    final GatewayIdentity identity = () -> GW;
    PnGateway gateway;

    PnFixture(Path dir) throws IOException {
        this(dir, Map.of());
    }

    PnFixture(Path dir, Map<String, Object> config) throws IOException {
        this.dir = dir;
        secrets = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        secrets.put(KeyStoreAliases.euKey(GW), euKey);
        gateway = start(config);
        bindServer();
    }

    /** A PnGateway as SCR activates it (again, over the same keystore: a restart). */
    PnGateway start(Map<String, Object> config) {
        return new PnGateway(pnes, preAssigned, secrets, identity, log.logger(), Configs.of(PnGateway.Config.class, config));
    }

    /** gw-link's ServerLink bound (SCR sets the field reference). */
    void bindServer() {
        FieldReferences.bind(gateway, "server", server);
    }

    /** gw-link gone (being updated). */
    void unbindServer() {
        FieldReferences.bind(gateway, "server", null);
    }

    /** A PNE's link protected by {@code p} (the PNE-PN GW secure session, a secure PAN, or nothing). */
    static PneLink link(EntityId pne, LinkProtection p) {
        return new PneLink(pne.value(), p == LinkProtection.PAN ? "secure-pan" : "ip", "remote-" + pne.value(), p != LinkProtection.NONE, p,
                Instant.now());
    }

    /** {@code body} from {@code pne} over a link protected by {@code p}, as gw-pan hands it to a flow. */
    static PneMessage from(EntityId pne, LinkProtection p, Message body) {
        return new PneMessage(new Envelope(pne, GW, 7, body), link(pne, p));
    }

    @Override
    public void close() {
        secrets.close();
    }

    static <T> T poll(BlockingQueue<T> q, String what) throws InterruptedException {
        T t = q.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertNotNull(t, "no " + what + " within " + WAIT_MILLIS + " ms");
        return t;
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    static ErrorCode errorOf(CompletionStage<?> stage) throws Exception {
        try {
            await(stage);
        } catch (java.util.concurrent.ExecutionException e) {
            return assertInstanceOf(CpnsException.class, e.getCause()).code();
        }
        throw new AssertionError("completed normally");
    }

    /** gw-pan's routing table as gw-pn sees it: what it sends each PNE, answered by the test. */
    static final class Pnes implements PneMessenger {
        /** One request to a PNE; the test answers it as the PNE, on a link of its choosing. */
        record Sent(EntityId pne, Message message, CompletableFuture<PneMessage> answer) {
            void answer(LinkProtection p, Message body) {
                answer.complete(new PneMessage(new Envelope(pne, GW, 9, body), PnFixture.link(pne, p)));
            }

            void fail(ErrorCode code) {
                answer.completeExceptionally(new CpnsException(code, "test: " + code));
            }
        }

        final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
        final List<PneLink> links = new CopyOnWriteArrayList<>();
        final List<EntityId> disconnected = new CopyOnWriteArrayList<>();

        @Override
        public CompletionStage<PneMessage> request(EntityId pne, Message request, Duration timeout) {
            Sent s = new Sent(pne, request, new CompletableFuture<>());
            sent.add(s);
            return s.answer;
        }

        @Override
        public void reply(PneMessage request, Message response) {
            throw new UnsupportedOperationException("gw-pn's flows answer through their handlers' stages");
        }

        @Override
        public List<PneLink> links() {
            return List.copyOf(links);
        }

        @Override
        public Optional<PneLink> link(EntityId pne) {
            return links.stream().filter(l -> l.pneId().equals(pne.value())).findFirst();
        }

        @Override
        public int disconnect(EntityId pne) {
            disconnected.add(pne);
            return 1;
        }

        /** The next request to a PNE, which must be of {@code type}. */
        <M extends Message> Sent next(Class<M> type) throws InterruptedException {
            Sent s = poll(sent, type.getSimpleName() + " to a PNE");
            assertInstanceOf(type, s.message(), () -> "sent " + s);
            return s;
        }

        /** The next requests to {@code n} PNEs, by PNE. */
        Map<EntityId, Sent> next(Class<? extends Message> type, int n) throws InterruptedException {
            Map<EntityId, Sent> out = new ConcurrentHashMap<>();
            for (int i = 0; i < n; i++) {
                Sent s = next(type);
                out.put(s.pne(), s);
            }
            assertEquals(n, out.size(), () -> "one " + type.getSimpleName() + " per PNE: " + out.keySet());
            return out;
        }
    }

    /** gw-link's link to the CPNS Server: requests recorded for the test to answer; down, it refuses as gw-link does. */
    static final class Server implements ServerLink {
        record Sent(Message message, CompletableFuture<Message> answer) {
            void answer(Message body) {
                answer.complete(body);
            }
        }

        final BlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
        volatile boolean up = true;

        @Override
        public LinkStatus status() {
            throw new UnsupportedOperationException("not used by gw-pn");
        }

        @Override
        public CompletionStage<Message> request(Message request, Duration timeout) {
            if (!up) {
                return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "not connected to the CPNS Server"));
            }
            Sent s = new Sent(request, new CompletableFuture<>());
            sent.add(s);
            return s.answer;
        }

        @Override
        public void reconnect() {
        }

        @Override
        public InetSocketAddress serverAddress() {
            return InetSocketAddress.createUnresolved("127.0.0.1", 1);
        }

        @Override
        public EntityId serverId() {
            return EntityId.of("cpns-server");
        }

        <M extends Message> M next(Class<M> type, java.util.function.Function<M, Message> answer) throws InterruptedException {
            Sent s = poll(sent, type.getSimpleName() + " to the Server");
            M m = assertInstanceOf(type, s.message(), () -> "sent " + s);
            if (answer != null) {
                s.answer(answer.apply(m));
            }
            return m;
        }
    }

    /** gw-pan's pre-assigned keys (seed 004 R01), in memory. */
    static final class PreAssigned implements PreAssignedKeys {
        final Map<String, byte[]> keys = new ConcurrentHashMap<>();

        @Override
        public void set(String pneId, byte[] key) {
            keys.put(pneId, key.clone());
        }

        @Override
        public boolean remove(String pneId) {
            return keys.remove(pneId) != null;
        }

        @Override
        public boolean has(String pneId) {
            return keys.containsKey(pneId);
        }

        @Override
        public Optional<byte[]> get(String pneId) {
            return Optional.ofNullable(keys.get(pneId)).map(byte[]::clone);
        }
    }
}
