package io.cpns.gw.pan;

import static io.cpns.gw.pan.GwFixture.GW;
import static io.cpns.gw.pan.GwFixture.SERVER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessage;
import io.cpns.api.gateway.PneRequestHandler;
import io.cpns.api.message.DiscoveryAnnounce;
import io.cpns.api.message.DiscoveryQuery;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.TunnelClose;
import io.cpns.api.message.TunnelData;
import io.cpns.api.message.TunnelOpen;
import io.cpns.api.message.TunnelOpened;
import io.cpns.gw.pan.GwFixture.Pne;
import io.cpns.pan.spi.PanSecurity;
import io.cpns.testkit.ServiceObjects;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.ComponentServiceObjects;

/** {@link PanManager}: the routing table from PNE ID to links, request dispatch, discovery, keys. */
class PanManagerTest {
    private static final String INFO = "entity.info.req";
    private GwFixture f;

    @BeforeEach
    void gateway() {
        f = new GwFixture();
    }

    @AfterEach
    void close() {
        f.close();
    }

    private static <T> T get(CompletionStage<T> s) throws Exception {
        return s.toCompletableFuture().get(GwFixture.WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static CpnsException failure(CompletionStage<?> s) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(s));
        return assertInstanceOf(CpnsException.class, e.getCause());
    }

    private static void handler(GwFixture f, String type, PneRequestHandler h) {
        f.manager.addHandler(ServiceObjects.of(h), Map.of(PneRequestHandler.TYPE, type));
    }

    // ---- kindOf ----

    @Test
    void kindOf_namesItselfTheGateway_theLinkedServerTheServer_andAnythingElseAPne() {
        f.serverLink(SERVER);
        assertEquals(EntityKind.GATEWAY, f.manager.kindOf(GW));
        assertEquals(EntityKind.SERVER, f.manager.kindOf(SERVER));
        assertEquals(EntityKind.PNE, f.manager.kindOf(EntityId.of("pne-a")));
        assertEquals(EntityKind.PNE, f.manager.kindOf(EntityId.BROADCAST));
    }

    @Test
    void kindOf_withoutAServerLink_theServersIdIsJustAPne() {
        assertEquals(EntityKind.PNE, f.manager.kindOf(SERVER));
        assertEquals(EntityKind.GATEWAY, f.manager.kindOf(GW));
    }

    // ---- routes ----

    @Test
    void pneOnTwoLinks_closingTheOlder_keepsTheRouteToTheNewer() throws Exception {
        Pne older = f.plain("pne-a");
        older.request(GW, new Ping(new byte[0]));
        older.expect(Pong.class);
        Pne newer = f.plain("pne-a");
        newer.request(GW, new Ping(new byte[0]));
        newer.expect(Pong.class);
        assertEquals(newer.connection.remote(), f.link(newer).remote(), "the newest link is the best");

        older.connection.close();
        assertEquals(newer.connection.remote(), f.link(newer).remote());
        var answer = f.manager.request(newer.id, new Ping(new byte[] {1}), Duration.ofSeconds(2));
        Envelope req = newer.receive();
        newer.send(req.reply(new Pong(new byte[] {1})));
        assertNotNull(get(answer));
    }

    @Test
    void pneOnTwoLinks_closingTheNewer_fallsBackToTheOlder() throws Exception {
        Pne older = f.tls("pne-a");
        Thread.sleep(2); // distinct "since" instants
        Pne newer = f.tls("pne-a");
        newer.connection.close();
        assertEquals(older.connection.remote(), f.link(older).remote());
        older.connection.close();
        assertTrue(f.manager.link(older.id).isEmpty());
    }

    @Test
    void authenticatedLink_isPreferred_overANewerClaimedOne() throws Exception {
        Pne proven = f.tls("pne-a");
        Thread.sleep(2);
        Pne claimed = f.plain("pne-a");
        claimed.request(GW, new Ping(new byte[0]));
        claimed.expect(Pong.class);
        assertEquals(proven.connection.remote(), f.link(proven).remote());
    }

    /**
     * The race fixed in 8d1b282: a PNE reconnects while its old link closes. Whatever the
     * interleaving of the old link's close and the new link's identification, the new link keeps
     * its route.
     */
    @Test
    void newLink_identifiedWhileTheOldLinkCloses_keepsItsRoute() throws Exception {
        EntityId pne = EntityId.of("pne-r");
        CyclicBarrier start = new CyclicBarrier(2);
        AtomicReference<Link> old = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread closer = null;
        for (int i = 0; i < 500; i++) {
            Link a = new Link(new TestConnection("test", "old-" + i, pne.value(), PanSecurity.NONE), f.manager);
            f.manager.identified(a);
            Link b = new Link(new TestConnection("test", "new-" + i, pne.value(), PanSecurity.NONE), f.manager);
            old.set(a);
            closer = new Thread(() -> {
                try {
                    start.await();
                    f.manager.closed(old.get(), "reconnected");
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            closer.start();
            start.await();
            f.manager.identified(b);
            closer.join(GwFixture.WAIT_MILLIS);
            assertNull(failure.get());
            PneLink route = f.manager.link(pne).orElse(null);
            assertNotNull(route, "iteration " + i + ": the new link lost its route to the old link's close");
            assertEquals("new-" + i, route.remote());
            f.manager.closed(b, "next round");
            start.reset();
        }
        assertTrue(f.manager.link(pne).isEmpty());
    }

    @Test
    void disconnect_endsEveryLinkOfThePne_andOnlyItsLinks() throws Exception {
        Pne one = f.tls("pne-a");
        Pne two = f.plain("pne-a");
        two.request(GW, new Ping(new byte[0]));
        two.expect(Pong.class);
        Pne other = f.tls("pne-b");

        assertEquals(2, f.manager.disconnect(EntityId.of("pne-a")));
        assertTrue(one.connection.isClosed());
        assertTrue(two.connection.isClosed());
        assertTrue(f.manager.link(one.id).isEmpty());
        assertFalse(other.connection.isClosed());
        assertEquals(List.of("pne-b"), f.manager.links().stream().map(PneLink::pneId).toList());
        assertEquals(0, f.manager.disconnect(EntityId.of("pne-a")));
    }

    @Test
    void links_listsEveryLink_byPneId() {
        f.tls("pne-b");
        f.tls("pne-a");
        f.onSecurePan("pne-c"); // not identified yet: listed with no PNE ID
        assertEquals(List.of("", "pne-a", "pne-b"), f.manager.links().stream().map(PneLink::pneId).toList());
    }

    // ---- gateway -> PNE requests ----

    @Test
    void request_toAPneWithoutALink_isUnavailable() {
        assertEquals(ErrorCode.UNAVAILABLE, failure(f.manager.request(EntityId.of("pne-x"), new Ping(new byte[0]),
                Duration.ofSeconds(1))).code());
    }

    @Test
    void request_unanswered_isTimeout() throws Exception {
        Pne pne = f.tls("pne-a");
        var answer = f.manager.request(pne.id, new Ping(new byte[0]), Duration.ofMillis(100));
        pne.receive();
        assertEquals(ErrorCode.TIMEOUT, failure(answer).code());
    }

    @Test
    void request_isAnsweredByTheMatchingResponse_withTheLinkItCameOn() throws Exception {
        Pne pne = f.tls("pne-a");
        var answer = f.manager.request(pne.id, new Ping(new byte[] {5}), Duration.ofSeconds(2));
        Envelope req = pne.receive();
        assertEquals(GW, req.src());
        pne.send(req.reply(new Pong(new byte[] {5})));
        PneMessage m = get(answer);
        assertInstanceOf(Pong.class, m.envelope().body());
        assertEquals("tls", m.link().protectionName());
    }

    // ---- PNE -> gateway requests: built-ins and the PneRequestHandler whiteboard ----

    @Test
    void request_isDispatchedToTheHandlerRegisteredForItsType() throws Exception {
        AtomicReference<PneMessage> seen = new AtomicReference<>();
        handler(f, INFO, m -> {
            seen.set(m);
            return CompletableFuture.completedFuture(new EntityInfo("pne-a", EntityKind.PNE, "alice"));
        });
        Pne pne = f.tls("pne-a");
        long id = pne.request(GW, new EntityInfoRequest("pne-a"));
        Envelope e = pne.receive();
        assertEquals(id, e.id());
        assertEquals("alice", assertInstanceOf(EntityInfo.class, e.body()).userId());
        assertEquals(pne.id, seen.get().envelope().src());
        assertEquals("tls", seen.get().link().protectionName());
        assertTrue(seen.get().link().authenticated());
    }

    @Test
    void request_answeredLater_goesBackWithItsId() throws Exception {
        CompletableFuture<Message> later = new CompletableFuture<>();
        handler(f, INFO, m -> later);
        Pne pne = f.tls("pne-a");
        long id = pne.request(GW, new EntityInfoRequest("pne-a"));
        assertNull(pne.nothingFor(50));
        later.complete(new EntityInfo("pne-a", EntityKind.PNE, "alice"));
        assertEquals(id, pne.receive().id());
    }

    @Test
    void request_withoutAHandlerForItsType_isUnavailable_andTheLinkStays() throws Exception {
        Pne pne = f.tls("pne-a");
        long id = pne.request(GW, new EntityInfoRequest("pne-a"));
        assertEquals(id, pne.expectError(ErrorCode.UNAVAILABLE).id());
        assertFalse(pne.connection.isClosed());
    }

    @Test
    void handlerFailingWithACpnsException_sendsItsCode() throws Exception {
        handler(f, INFO, m -> CompletableFuture.failedFuture(new CpnsException(ErrorCode.UNKNOWN_ENTITY, "who?")));
        Pne pne = f.tls("pne-a");
        pne.request(GW, new EntityInfoRequest("pne-z"));
        pne.expectError(ErrorCode.UNKNOWN_ENTITY);
    }

    @Test
    void handlerThrowing_isAnInternalError() throws Exception {
        handler(f, INFO, m -> {
            throw new IllegalStateException("bug in a handler");
        });
        Pne pne = f.tls("pne-a");
        pne.request(GW, new EntityInfoRequest("pne-a"));
        pne.expectError(ErrorCode.INTERNAL);
    }

    @Test
    void removedHandler_isNoLongerCalled() throws Exception {
        f.close();
        f = new GwFixture(Map.of("handlerWaitMillis", 0));
        PneRequestHandler h = m -> CompletableFuture.completedFuture(new EntityInfo("pne-a", EntityKind.PNE, "alice"));
        ComponentServiceObjects<PneRequestHandler> objects = ServiceObjects.of(h);
        f.manager.addHandler(objects, Map.of(PneRequestHandler.TYPE, INFO));
        f.manager.removeHandler(objects, Map.of(PneRequestHandler.TYPE, INFO));
        Pne pne = f.tls("pne-a");
        pne.request(GW, new EntityInfoRequest("pne-a"));
        pne.expectError(ErrorCode.UNAVAILABLE);
    }

    /** A hot update of the handler's bundle: its request waits for the new handler instead of failing (issue 11). */
    @Test
    void aRequestWhileItsHandlerIsBeingReplaced_waitsForTheNewOne() throws Exception {
        ComponentServiceObjects<PneRequestHandler> old = ServiceObjects.of(m -> CompletableFuture.completedFuture(
                new EntityInfo("pne-a", EntityKind.PNE, "old")));
        f.manager.addHandler(old, Map.of(PneRequestHandler.TYPE, INFO));
        Pne pne = f.tls("pne-a");
        f.manager.removeHandler(old, Map.of(PneRequestHandler.TYPE, INFO)); // the bundle stops for its update
        Thread reader = new Thread(() -> pne.request(GW, new EntityInfoRequest("pne-a"))); // the link's reader thread waits
        reader.start();
        Thread.State s;
        while ((s = reader.getState()) != Thread.State.TIMED_WAITING && s != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.TIMED_WAITING, s, "the request waits for a handler");
        assertTrue(pne.connection.sent.isEmpty(), "no answer while there is no handler");
        f.manager.addHandler(ServiceObjects.of(m -> CompletableFuture.completedFuture(new EntityInfo("pne-a", EntityKind.PNE, "new"))),
                Map.of(PneRequestHandler.TYPE, INFO)); // and comes back
        assertEquals("new", pne.expect(EntityInfo.class).userId());
        reader.join();
    }

    /**
     * The race of a hot update: a request finds the handler in the table just as SCR unbinds it (its
     * bundle stopping), so getting it gives null. It waits for the new one like a request that found
     * none (before: UNAVAILABLE at once; 2 of the demo's relays during the swap of gw-pn).
     */
    @Test
    void aRequestThatFindsItsHandlerGoingAway_waitsForTheNewOne() throws Exception {
        ComponentServiceObjects<PneRequestHandler> going = ServiceObjects.of(null); // unregistered: getService gives null
        f.manager.addHandler(going, Map.of(PneRequestHandler.TYPE, INFO));
        Pne pne = f.tls("pne-a");
        Thread reader = new Thread(() -> pne.request(GW, new EntityInfoRequest("pne-a"))); // the link's reader thread
        reader.start();
        Thread.State s;
        while ((s = reader.getState()) != Thread.State.TIMED_WAITING && s != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.TIMED_WAITING, s, "the request waits for a handler: " + pne.connection.sent.size() + " answer(s)");
        f.manager.removeHandler(going, Map.of(PneRequestHandler.TYPE, INFO));
        f.manager.addHandler(ServiceObjects.of(m -> CompletableFuture.completedFuture(new EntityInfo("pne-a", EntityKind.PNE, "new"))),
                Map.of(PneRequestHandler.TYPE, INFO));
        assertEquals("new", pne.expect(EntityInfo.class).userId());
        reader.join();
    }

    @Test
    void removingAReplacedHandler_keepsItsReplacement() throws Exception {
        ComponentServiceObjects<PneRequestHandler> first = ServiceObjects.of(m -> CompletableFuture.completedFuture(
                new EntityInfo("pne-a", EntityKind.PNE, "first")));
        ComponentServiceObjects<PneRequestHandler> second = ServiceObjects.of(m -> CompletableFuture.completedFuture(
                new EntityInfo("pne-a", EntityKind.PNE, "second")));
        f.manager.addHandler(first, Map.of(PneRequestHandler.TYPE, INFO));
        f.manager.addHandler(second, Map.of(PneRequestHandler.TYPE, INFO));
        f.manager.removeHandler(first, Map.of(PneRequestHandler.TYPE, INFO)); // SCR unbinds the old one late
        Pne pne = f.tls("pne-a");
        pne.request(GW, new EntityInfoRequest("pne-a"));
        assertEquals("second", pne.expect(EntityInfo.class).userId());
    }

    @Test
    void handler_isObtainedOnItsFirstRequest_keptAfterwards_andReleasedWhenReplaced() throws Exception {
        Counting first = new Counting(ServiceObjects.of(m -> CompletableFuture.completedFuture(
                new EntityInfo("pne-a", EntityKind.PNE, "alice"))));
        f.manager.addHandler(first, Map.of(PneRequestHandler.TYPE, INFO));
        assertEquals(0, first.gets.get(), "not obtained while binding (an SCR cycle)");
        Pne pne = f.tls("pne-a");
        pne.request(GW, new EntityInfoRequest("pne-a"));
        pne.expect(EntityInfo.class);
        pne.request(GW, new EntityInfoRequest("pne-a"));
        pne.expect(EntityInfo.class);
        assertEquals(1, first.gets.get());
        f.manager.addHandler(ServiceObjects.of(m -> CompletableFuture.completedFuture(
                new EntityInfo("pne-a", EntityKind.PNE, "bob"))), Map.of(PneRequestHandler.TYPE, INFO));
        assertEquals(1, first.ungets.get());
    }

    @Test
    void ping_isAnsweredByTheGatewayItself() throws Exception {
        Pne pne = f.tls("pne-a");
        pne.request(GW, new Ping(new byte[] {1, 2, 3}));
        assertEquals(3, pne.expect(Pong.class).data().length);
    }

    @Test
    void tunnelOpen_withoutAServerLink_isUnavailable() throws Exception {
        Pne pne = f.plain("pne-a");
        pne.request(GW, new TunnelOpen());
        pne.expectError(ErrorCode.UNAVAILABLE);
        assertFalse(pne.connection.isClosed());
    }

    @Test
    void tunnelData_withoutAnOpenTunnel_isUnexpectedMessage_andClosed() throws Exception {
        Pne pne = f.plain("pne-a");
        pne.send(new Envelope(pne.id, GW, 0, new TunnelData(new byte[] {1})));
        pne.expectError(ErrorCode.UNEXPECTED_MESSAGE);
        assertTrue(pne.connection.awaitClosed(GwFixture.WAIT_MILLIS));
    }

    @Test
    void tunnelBrokenByTheServerSide_isClosedWithOurOwnReason_notTheJdksText() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            f.serverLink(EntityId.of("cpns-server"), new java.net.InetSocketAddress("127.0.0.1", server.getLocalPort()));
            Pne pne = f.plain("pne-a");
            pne.request(GW, new TunnelOpen());
            pne.expect(TunnelOpened.class);
            try (java.net.Socket accepted = server.accept()) {
                accepted.setSoLinger(true, 0); // closing now sends a RST: the PN GW's read fails with "Connection reset"
            }
            String reason = pne.expect(TunnelClose.class).reason();
            assertEquals("tunnel broken (I/O error)", reason);
        }
    }

    /**
     * The Server answers and closes (a refused password), and the PNE at once closes its end and
     * opens the next tunnel: whichever side's close wins, the PNE hears it before the new tunnel's
     * answer, and the new tunnel is not refused as "already open" nor torn down by the old one.
     */
    @Test
    void tunnelClosedByBothEnds_theNextTunnelOpensAtOnce() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            f.serverLink(EntityId.of("cpns-server"), new java.net.InetSocketAddress("127.0.0.1", server.getLocalPort()));
            Pne pne = f.plain("pne-a");
            pne.request(GW, new TunnelOpen());
            pne.expect(TunnelOpened.class);
            for (int i = 0; i < 300; i++) {
                try (java.net.Socket accepted = server.accept()) {
                    accepted.getOutputStream().write(i);
                }
                assertEquals(1, pne.expect(TunnelData.class).data().length);
                pne.send(new Envelope(pne.id, GW, 0, new TunnelClose("done")));
                pne.request(GW, new TunnelOpen());
                pne.expect(TunnelClose.class);
                pne.expect(TunnelOpened.class);
            }
        }
    }

    /**
     * The tunnel's connect to the Server hangs (a listening socket whose accept queue is full drops
     * the SYN), and the same link's ping is answered first: the connect runs beside the link's
     * reader thread, and {@code tunnel.open} is answered when it gives up. Before, the connect ran on
     * the reader thread, so the tunnel's error came before the pong.
     */
    @Test
    void tunnelConnectHanging_theLinksOtherRequestsAreAnsweredMeanwhile() throws Exception {
        f.close();
        f = new GwFixture(Map.of("tunnelConnectTimeoutMillis", 500));
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             Backlog full = Backlog.fill(server)) {
            f.serverLink(EntityId.of("cpns-server"), new java.net.InetSocketAddress("127.0.0.1", server.getLocalPort()));
            Pne pne = f.plain("pne-a");
            long open = pne.request(GW, new TunnelOpen());
            long ping = pne.request(GW, new Ping(new byte[] {7}));
            Envelope first = pne.receive();
            assertEquals(ping, first.id(), () -> "the ping waited for the tunnel's connect: " + first);
            assertArrayEquals(new byte[] {7}, assertInstanceOf(Pong.class, first.body()).data());
            assertEquals(open, pne.expectError(ErrorCode.UNAVAILABLE).id());
        }
    }

    /** Client connections that fill a listener's accept queue: the next connect to it hangs until its timeout. */
    private static final class Backlog implements AutoCloseable {
        private final List<java.net.Socket> sockets = new java.util.ArrayList<>();

        static Backlog fill(java.net.ServerSocket server) throws java.io.IOException {
            Backlog b = new Backlog();
            for (int i = 0; i < 64; i++) {
                java.net.Socket s = new java.net.Socket();
                try {
                    s.connect(server.getLocalSocketAddress(), 200);
                    b.sockets.add(s);
                } catch (java.net.SocketTimeoutException full) {
                    s.close();
                    return b;
                }
            }
            b.close();
            throw new org.opentest4j.TestAbortedException("the accept queue never filled: cannot make a connect hang here");
        }

        @Override
        public void close() throws java.io.IOException {
            for (java.net.Socket s : sockets) {
                s.close();
            }
        }
    }

    // ---- what adapters are given ----

    @Test
    void adapterDiscovery_answersAQueryToItsSender_withTheSameId() {
        EntityId pne = EntityId.of("pne-look");
        byte[] answer = f.pan.context.discovery(f.codec.encode(new Envelope(pne, EntityId.BROADCAST, 42,
                new DiscoveryQuery(EntityKind.PNE, Map.of()))));
        Envelope e = f.codec.decode(answer);
        assertEquals(GW, e.src());
        assertEquals(pne, e.dst());
        assertEquals(42, e.id());
        DiscoveryAnnounce a = assertInstanceOf(DiscoveryAnnounce.class, e.body());
        assertEquals(List.of("test-address", "secure-address"),
                a.access().stream().map(x -> x.address()).sorted((x, y) -> x.startsWith("test") ? -1 : 1).toList());
    }

    @Test
    void adapterDiscovery_ignoresGarbageAndOtherMessages() {
        assertNull(f.pan.context.discovery(new byte[] {1, 2, 3}));
        assertNull(f.pan.context.discovery(f.codec.encode(new Envelope(EntityId.of("pne-a"), GW, 1, new Ping(new byte[0])))));
    }

    @Test
    void adapterAnnouncement_isABroadcastAnnounce() {
        Envelope e = f.codec.decode(f.pan.context.announcement());
        assertEquals(EntityId.BROADCAST, e.dst());
        assertEquals(GW.value(), assertInstanceOf(DiscoveryAnnounce.class, e.body()).gatewayId());
    }

    @Test
    void adapterPsk_isTheLocalEuKey_elseThePreAssignedKey_elseNull() {
        assertNull(f.pan.context.psk("pne-a"));
        f.preAssigned.set("pne-a", new byte[16]);
        assertEquals(16, f.pan.context.psk("pne-a").length);
        f.secrets.put(Keys.LOCAL_EUKEY + "pne-a", new byte[32]);
        assertEquals(32, f.pan.context.psk("pne-a").length);
        assertNull(f.pan.context.psk("not a valid id!"), "a malformed ID has no key");
    }

    @Test
    void removedAdapter_isStopped_andItsLinksForgotten() {
        f.tls("pne-a");
        f.manager.removeAdapter(f.pan);
        assertTrue(f.pan.stopped);
        assertTrue(f.manager.links().isEmpty());
        assertTrue(f.manager.announce().access().stream().noneMatch(a -> a.adapter().equals("test")));
    }

    @Test
    void secondAdapterWithAnIdInUse_isNotStarted_andTakesOverWhenTheFirstGoes() {
        GwFixture.TestAdapter twin = new GwFixture.TestAdapter("test", PanSecurity.FULL);
        f.manager.addAdapter(twin);
        assertNull(twin.context, "not started while the id is taken");
        assertFalse(f.pan.stopped, "the first keeps running");
        assertTrue(f.log.all().contains("PAN adapter id 'test' is already in use"), f.log.all());

        f.manager.removeAdapter(f.pan);
        assertTrue(f.pan.stopped);
        assertNotNull(twin.context, "started once the id is free");
        assertTrue(f.manager.announce().access().stream().anyMatch(a -> a.adapter().equals("test") && a.secure()));
    }

    /**
     * Issue 14 §4: an adapter whose start failed was only logged, and a vendor's adapter counted for
     * readiness only if its bundle name began with {@code pan-}. The "PAN adapters" check names it
     * (whatever its bundle), and forgets it once its service goes; a waiting twin is named too.
     */
    @Test
    void anAdapterThatFailsToStart_orWaitsForItsId_isAHealthProblem_untilItGoes() {
        assertEquals(List.of(), f.manager.problems());
        GwFixture.TestAdapter broken = new GwFixture.TestAdapter("vendor-zigbee", PanSecurity.FULL) {
            @Override
            public void start(io.cpns.pan.spi.PanContext ctx) throws java.io.IOException {
                throw new java.io.IOException("no dongle on /dev/ttyACM0");
            }
        };
        f.manager.addAdapter(broken);
        assertEquals(List.of("PAN adapter vendor-zigbee failed to start: java.io.IOException: no dongle on /dev/ttyACM0 (fix its "
                + "configuration or bundle; it starts again when its service comes back)"), f.manager.problems());
        f.manager.removeAdapter(broken);
        assertEquals(List.of(), f.manager.problems());

        GwFixture.TestAdapter twin = new GwFixture.TestAdapter("test", PanSecurity.FULL);
        f.manager.addAdapter(twin);
        assertTrue(f.manager.problems().get(0).endsWith("not started: its id 'test' is in use by another adapter"), f.manager.problems().toString());
        f.manager.removeAdapter(twin);
        assertEquals(List.of(), f.manager.problems());
    }

    /** An adapter the operator requires (cpns.gw.pan requiredAdapters) counts by its id until it runs. */
    @Test
    void aRequiredAdapterNotRunning_isAHealthProblem_untilItStarts() {
        GwFixture g = new GwFixture(Map.of("requiredAdapters", new String[] {"test", "vendor-zigbee"}));
        try {
            assertEquals(List.of("PAN adapter vendor-zigbee is required (cpns.gw.pan requiredAdapters) and not running: is its bundle "
                    + "installed and active?"), g.manager.problems());
            g.manager.addAdapter(new GwFixture.TestAdapter("vendor-zigbee", PanSecurity.FULL));
            assertEquals(List.of(), g.manager.problems());
        } finally {
            g.close();
        }
    }

    @Test
    void waitingAdapter_removedBeforeItsTurn_isNeverStarted() {
        GwFixture.TestAdapter twin = new GwFixture.TestAdapter("test", PanSecurity.FULL);
        f.manager.addAdapter(twin);
        f.manager.removeAdapter(twin);
        f.manager.removeAdapter(f.pan);
        assertNull(twin.context);
        assertFalse(twin.stopped);
    }

    /**
     * SCR may deactivate the manager (its secret store reconfigured at start) on one thread while it
     * binds an adapter on another: the adapter must not end up started by a manager that is gone (it
     * kept its port bound and the next manager's start could not bind it: StartupLogIT.l04).
     */
    @Test
    void anAdapterStartingWhileTheManagerIsDeactivated_isStoppedAfterItsStartReturns() throws Exception {
        java.util.concurrent.CountDownLatch inStart = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        GwFixture.TestAdapter slow = new GwFixture.TestAdapter("slow", PanSecurity.NONE) {
            @Override
            public void start(io.cpns.pan.spi.PanContext ctx) throws java.io.IOException {
                inStart.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.incrementAndGet();
                super.start(ctx);
            }

            @Override
            public void stop() {
                running.set(0);
                super.stop();
            }
        };
        Thread binder = new Thread(() -> f.manager.addAdapter(slow), "scr-bind");
        binder.start();
        assertTrue(inStart.await(GwFixture.WAIT_MILLIS, TimeUnit.MILLISECONDS));
        Thread deactivator = new Thread(f.manager::deactivate, "scr-deactivate");
        deactivator.start();
        // either the deactivation waits for the start in progress or (before the fix) it ran past it
        while (deactivator.getState() != Thread.State.BLOCKED && deactivator.getState() != Thread.State.WAITING
                && deactivator.getState() != Thread.State.TERMINATED) {
            Thread.onSpinWait();
        }
        release.countDown();
        binder.join(GwFixture.WAIT_MILLIS);
        deactivator.join(GwFixture.WAIT_MILLIS);
        assertEquals(0, running.get(), "the adapter was left running by a deactivated manager");
        assertTrue(slow.stopped);
    }

    @Test
    void anAdapterBoundAfterTheManagerWasDeactivated_isNotStarted() {
        f.manager.deactivate();
        GwFixture.TestAdapter late = new GwFixture.TestAdapter("late", PanSecurity.NONE);
        f.manager.addAdapter(late);
        assertNull(late.context);
    }

    // ---- pre-assigned keys ----

    @Test
    void preAssignedKey_shorterThan16Bytes_isInvalidArgument() {
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(CpnsException.class, () -> f.preAssigned.set("pne-a", new byte[15])).code());
        assertFalse(f.preAssigned.has("pne-a"));
    }

    @Test
    void preAssignedKey_setHasRemove() {
        f.preAssigned.set("pne-a", new byte[16]);
        assertTrue(f.preAssigned.has("pne-a"));
        assertFalse(f.preAssigned.has("pne-ab"), "prefix of another PNE's alias is not a match");
        assertTrue(f.preAssigned.remove("pne-a"));
        assertFalse(f.preAssigned.has("pne-a"));
        assertFalse(f.preAssigned.remove("pne-a"));
    }

    /** Counts what PanManager obtains and releases. */
    private static final class Counting implements ComponentServiceObjects<PneRequestHandler> {
        private final ComponentServiceObjects<PneRequestHandler> inner;
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger ungets = new AtomicInteger();

        Counting(ComponentServiceObjects<PneRequestHandler> inner) {
            this.inner = inner;
        }

        @Override
        public PneRequestHandler getService() {
            gets.incrementAndGet();
            return inner.getService();
        }

        @Override
        public void ungetService(PneRequestHandler s) {
            ungets.incrementAndGet();
        }

        @Override
        public ServiceReference<PneRequestHandler> getServiceReference() {
            return inner.getServiceReference();
        }
    }
}
