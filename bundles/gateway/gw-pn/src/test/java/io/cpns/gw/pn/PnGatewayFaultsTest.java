package io.cpns.gw.pn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Ack;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.PnAuthRequest;
import io.cpns.api.message.PnAuthResponse;
import io.cpns.api.message.PnEstablishAck;
import io.cpns.api.message.PnEstablishNotify;
import io.cpns.api.message.PnMemberRemove;
import io.cpns.api.message.PnRegisterRequest;
import io.cpns.api.message.PnRegisterResponse;
import io.cpns.api.message.PnSetupNotify;
import io.cpns.api.message.PnSetupNotifyResponse;
import io.cpns.api.message.PneAuthRequest;
import io.cpns.api.message.PneAuthResponse;
import io.cpns.api.message.PneKeys;
import io.cpns.api.message.PneProof;
import io.cpns.api.message.PneVerdict;
import io.cpns.api.message.SetupType;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Randoms;
import io.cpns.crypto.Suites;
import io.cpns.keystore.EncryptedFileStore;
import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gw:expel} against what else is going on (issue 10, found by the fault campaign's helpers):
 * a registration batch of that PNE in flight, and a link to the Server that is down. The expel must
 * win: no key of the PNE is left or put back, it joins no PN here, and the Server hears of it,
 * also after the link comes back or the PN GW restarts. And a registration whose answer is lost:
 * the Server must not keep PNEs in a PN this PN GW does not hold (D60). PN GW initiated establishment of {@code
 * pne-x} and {@code pne-y}, with the PAN and the Server answering as the test says, on a real
 * encrypted secret store.
 */
class PnGatewayFaultsTest {
    static final String GW = "gw-test";
    static final byte[] OLD = "the-old-local-eukey-of-pne-x-32b".getBytes();

    @TempDir
    Path dir;
    EncryptedFileStore store;
    /** The store, whose writes fail as on a full disk while {@link #full} is set. */
    SecretStore secrets;
    volatile boolean full;
    final TestLogger log = new TestLogger("gw-pn");
    final Pan pan = new Pan();
    final Server server = new Server();
    byte[] gwKey;

    @BeforeEach
    void store() throws Exception {
        store = new EncryptedFileStore(dir.resolve("ks"), dir.resolve("ks/master.key"));
        secrets = new SecretStore() {
            @Override
            public Optional<byte[]> get(String alias) {
                return store.get(alias);
            }

            @Override
            public void put(String alias, byte[] secret) {
                if (full) {
                    throw new java.io.UncheckedIOException("cannot write secret " + alias, new java.nio.file.FileSystemException(
                            dir.resolve("ks").resolve(alias + ".sec.tmp").toString(), null, "No space left on device"));
                }
                store.put(alias, secret);
            }

            @Override
            public boolean delete(String alias) {
                return store.delete(alias);
            }

            @Override
            public java.util.Set<String> aliases(String prefix) {
                return store.aliases(prefix);
            }
        };
        gwKey = Randoms.bytes(32);
        secrets.put("euk." + GW, gwKey);
        secrets.put("lek.pne-x", OLD); // from an earlier PN: what a re-establishment replaces
    }

    PnGateway gateway(ServerLink link) throws Exception {
        PnGateway g = new PnGateway(pan, new NoPreAssignedKeys(), secrets, () -> EntityId.of(GW), log.logger(),
                Configs.of(PnGateway.Config.class, Map.of("authTimeoutMillis", 10000, "serverTimeoutMillis", 5000)));
        io.cpns.testkit.FieldReferences.bind(g, "server", link);
        return g;
    }

    static <T> T get(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** Expelled after its new LocalEUKey was stored, before it answered: the batch must not give it its old key back. */
    @Test
    void expelWhileItsBatchWaitsForItsAnswer_noKeyGivenBack_itJoinsNothing() throws Exception {
        PnGateway g = gateway(server);
        pan.hold("pne-x");
        CompletionStage<PnRecord> pn = g.establish(SetupType.INVITE, List.of("pne-x", "pne-y"));
        pan.awaitHeld("pne-x"); // step 6 done: the new keys stored, the PNEs asked

        g.expel("pne-x");
        PnRecord done = get(pn);

        assertEquals(List.of("pne-y"), done.members().stream().map(m -> m.pneId()).toList());
        assertFalse(secrets.get("lek.pne-x").isPresent(), "the expelled PNE's old key was put back when the batch settled");
        assertEquals(java.util.Set.of(), secrets.aliases(LocalKeyChanges.PENDING));
        assertTrue(secrets.get("lek.pne-y").isPresent());
    }

    /**
     * Expelled after it answered (the Server will authenticate it), while the batch waits for
     * another PNE: it must not join the PN here, and the Server, which registered it, is told.
     */
    @Test
    void expelAfterItAnswered_whileTheBatchWaits_itJoinsNothing_andTheServerIsTold() throws Exception {
        PnGateway g = gateway(server);
        pan.hold("pne-y");
        CompletionStage<PnRecord> pn = g.establish(SetupType.INVITE, List.of("pne-x", "pne-y"));
        pan.awaitHeld("pne-y");
        pan.awaitAnswered("pne-x");

        g.expel("pne-x");
        pan.release("pne-y");
        PnRecord done = get(pn);

        assertEquals(List.of("pne-y"), done.members().stream().map(m -> m.pneId()).toList());
        assertTrue(g.pnsOf("pne-x").isEmpty());
        assertFalse(secrets.get("lek.pne-x").isPresent());
        server.awaitRemoved(done.pnId(), "pne-x");
        assertEquals(java.util.Set.of(), secrets.aliases(PendingRemovals.EXPELS), "confirmed: nothing left to send");
    }

    /** The link is down at the expel: the removal is journaled and sent once the link is up, also after a restart. */
    @Test
    void expelWhileTheLinkIsDown_theRemovalReachesTheServer_whenTheLinkIsBack_evenAfterARestart() throws Exception {
        PnGateway g = gateway(server);
        PnRecord pn = get(g.establish(SetupType.INVITE, List.of("pne-x", "pne-y")));
        assertEquals(2, pn.members().size());

        server.down = true;
        g.expel("pne-x");
        g.resendRemovals(); // a link-up that fails again
        assertEquals(List.of(), server.removed);
        assertEquals(java.util.Set.of(PendingRemovals.EXPELS + "pne-x"), secrets.aliases(PendingRemovals.EXPELS));

        PnGateway restarted = gateway(server); // a power cut meanwhile: the journal is on disk
        server.down = false;
        restarted.authenticated(); // the link to the Server is authenticated
        server.awaitRemoved(pn.pnId(), "pne-x");
        Wait.until(() -> secrets.aliases(PendingRemovals.EXPELS).isEmpty());
        assertEquals(1, server.removed.size(), "sent once");
    }

    /**
     * The Server registered the batch but its answer never arrived: the PNEs it may hold in that PN
     * are withdrawn from it (not expelled: their Service Groups stay), and the journal empties.
     */
    @Test
    void answerToTheAuthenticationResponsesLost_thePnesAreWithdrawnFromTheServersPn() throws Exception {
        PnGateway g = gateway(server);
        server.answerLost = true;
        CompletionStage<PnRecord> pn = g.establish(SetupType.INVITE, List.of("pne-x", "pne-y"));
        try {
            get(pn);
        } catch (java.util.concurrent.ExecutionException expected) {
            // no PNE joined
        }
        Wait.until(() -> server.withdrawn.size() == 2);
        assertEquals(List.of(), server.removed, "not expelled");
        assertEquals(List.of(), g.pns());
        Wait.until(() -> secrets.aliases(PendingRemovals.WITHDRAWALS).isEmpty());
        assertEquals(java.util.Set.of(), secrets.aliases(UnsettledRegistrations.PREFIX));
    }

    /** A PN GW that died after step 10 finds the journal when it starts: what the Server may hold is withdrawn once the link is up. */
    @Test
    void stoppedAfterSendingTheAuthenticationResponses_theRestartWithdrawsThePnes() throws Exception {
        secrets.put(UnsettledRegistrations.PREFIX + "pn-cut", "pne-x\npne-y".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        PnGateway restarted = gateway(server);
        restarted.authenticated();
        Wait.until(() -> server.withdrawn.size() == 2);
        assertEquals(List.of("pn-cut pne-x", "pn-cut pne-y"), server.withdrawn.stream().sorted().toList());
        assertEquals(java.util.Set.of(), secrets.aliases(UnsettledRegistrations.PREFIX));
        Wait.until(() -> secrets.aliases(PendingRemovals.WITHDRAWALS).isEmpty());
    }

    /**
     * The PN GW's disk is full at step 6: the establishment fails saying so (the operating system's
     * words), never that the Server did not authenticate the PNEs; no key changed; with space again
     * it works (issue 10).
     */
    @Test
    void diskFull_theEstablishmentFailsNamingTheDisk_notTheServer_andWorksOnceThereIsSpace() throws Exception {
        PnGateway g = gateway(server);
        full = true;
        java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> get(g.establish(SetupType.INVITE, List.of("pne-x", "pne-y"))));
        CpnsException why = (CpnsException) e.getCause();
        assertEquals(ErrorCode.UNAVAILABLE, why.code());
        assertTrue(why.getMessage().contains("No space left on device") && !why.getMessage().contains("authenticat"), why.getMessage());
        assertFalse(why.getMessage().contains(dir.toString()), "no path on the wire: " + why.getMessage());
        assertTrue(log.all().contains("No space left on device") && log.all().contains(".sec.tmp"), log.all());
        assertFalse(log.all().contains("did not authenticate"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(OLD, store.get("lek.pne-x").orElseThrow(), "no key changed");

        full = false;
        assertEquals(2, get(g.establish(SetupType.INVITE, List.of("pne-x", "pne-y"))).members().size());
    }

    // ---- the PAN: PNEs that accept, and answer with a link secured after their new key ----

    final class Pan implements PneMessenger {
        private final Map<String, CompletableFuture<PneMessage>> held = new ConcurrentHashMap<>();
        private final Map<String, Message> heldAnswer = new ConcurrentHashMap<>();
        private final java.util.Set<String> holding = ConcurrentHashMap.newKeySet();
        private final java.util.Set<String> answered = ConcurrentHashMap.newKeySet();

        void hold(String pne) {
            holding.add(pne);
        }

        void awaitHeld(String pne) {
            Wait.until(() -> held.containsKey(pne));
        }

        void awaitAnswered(String pne) {
            Wait.until(() -> answered.contains(pne));
        }

        void release(String pne) {
            held.remove(pne).complete(message(pne, heldAnswer.remove(pne), true));
        }

        @Override
        public CompletionStage<PneMessage> request(EntityId pne, Message request, Duration timeout) {
            String id = pne.value();
            Message answer;
            if (request instanceof PnSetupNotify) {
                answer = new PnSetupNotifyResponse(true, Map.of(), List.of(), Randoms.bytes(32), true, "modern-v1");
            } else if (request instanceof PneAuthRequest) {
                answer = new PneAuthResponse(Randoms.bytes(32));
                if (holding.remove(id)) {
                    CompletableFuture<PneMessage> f = new CompletableFuture<>();
                    heldAnswer.put(id, answer);
                    held.put(id, f);
                    return f;
                }
                answered.add(id);
            } else if (request instanceof PnEstablishNotify) {
                answer = new PnEstablishAck(true);
            } else {
                return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, request.toString()));
            }
            return CompletableFuture.completedFuture(message(id, answer, true));
        }

        private PneMessage message(String pne, Message body, boolean authenticated) {
            return new PneMessage(new Envelope(EntityId.of(pne), EntityId.of(GW), 1, body),
                    new PneLink(pne, "ip", "127.0.0.1:1", authenticated, authenticated ? io.cpns.api.LinkProtection.TLS : io.cpns.api.LinkProtection.NONE, Instant.now()));
        }

        @Override
        public void reply(PneMessage request, Message response) {
        }

        @Override
        public List<PneLink> links() {
            return List.of();
        }

        @Override
        public Optional<PneLink> link(EntityId pne) {
            return Optional.empty();
        }

        @Override
        public int disconnect(EntityId pne) { // as gw-pan: a request to a PNE whose link closes fails
            CompletableFuture<PneMessage> f = held.remove(pne.value());
            if (f != null) {
                f.completeExceptionally(new CpnsException(ErrorCode.UNAVAILABLE, "link closed"));
            }
            return 1;
        }
    }

    // ---- the Server: keys for every PNE, every proof accepted ----

    final class Server implements ServerLink {
        volatile boolean down;
        /** The Server registers the batch, and its answer is lost (the link or the Server died meanwhile). */
        volatile boolean answerLost;
        final List<String> removed = new CopyOnWriteArrayList<>();
        final List<String> withdrawn = new CopyOnWriteArrayList<>();

        void awaitRemoved(String pnId, String pne) {
            Wait.until(() -> removed.contains(pnId + " " + pne));
        }

        @Override
        public CompletionStage<Message> request(Message request, Duration timeout) {
            if (down) {
                return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "no link to the CPNS Server"));
            }
            if (request instanceof PnRegisterRequest r) {
                List<PneKeys> keys = new ArrayList<>();
                r.pnes().forEach(p -> keys.add(new PneKeys(p.pneId(), 0, Randoms.bytes(40),
                        Suites.modern().wrap(gwKey, Randoms.bytes(32)))));
                return CompletableFuture.completedFuture(new PnAuthRequest(r.pnId(), r.batch(), Randoms.bytes(32), keys));
            }
            if (request instanceof PnAuthResponse r) {
                List<PneVerdict> v = new ArrayList<>();
                for (PneProof p : r.results()) {
                    v.add(new PneVerdict(p.pneId(), true, Randoms.bytes(32)));
                }
                if (answerLost) {
                    return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNAVAILABLE, "link to the CPNS Server lost"));
                }
                return CompletableFuture.completedFuture(new PnRegisterResponse(r.pnId(), r.batch(), !v.isEmpty(), v));
            }
            if (request instanceof PnMemberRemove m) {
                (m.expelled() ? removed : withdrawn).add(m.pnId() + " " + m.pneId());
                return CompletableFuture.completedFuture(new Ack());
            }
            return CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, request.toString()));
        }

        @Override
        public LinkStatus status() {
            return null;
        }

        @Override
        public void reconnect() {
        }

        @Override
        public InetSocketAddress serverAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public EntityId serverId() {
            return EntityId.of("cpns-server");
        }
    }

    static final class NoPreAssignedKeys implements PreAssignedKeys {
        @Override
        public void set(String pneId, byte[] key) {
        }

        @Override
        public boolean remove(String pneId) {
            return false;
        }

        @Override
        public boolean has(String pneId) {
            return false;
        }

        @Override
        public Optional<byte[]> get(String pneId) {
            return Optional.empty();
        }
    }

    /** Waits for a condition another thread brings about. */
    static final class Wait {
        static void until(java.util.function.BooleanSupplier c) {
            long until = System.nanoTime() + 20_000_000_000L;
            while (!c.getAsBoolean()) {
                if (System.nanoTime() > until) {
                    throw new AssertionError("not within 20 s");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }
}
