package io.cpns.gw.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.ServerLinkListener;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.testkit.Configs;
import io.cpns.testkit.ServiceObjects;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.component.ComponentServiceObjects;

/** The PN GW's link to the CPNS Server (TS §5.3.3.1, §5.3.1) over real sockets and TLS. */
class ServerLinkTest {
    private static final Duration REQUEST = Duration.ofSeconds(5);

    @TempDir
    java.nio.file.Path dir;
    LinkFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new LinkFixture(dir);
    }

    @AfterEach
    void tearDown() throws Exception {
        f.close();
    }

    /** TS §5.3.3.1: PSK-TLS 1.3 with the EUKey, then the message-level mutual authentication. */
    @Test
    void authenticatesWithItsEuKey() throws Exception {
        f.assigned();
        f.start();
        TestServer.Session s = f.server.session();
        assertEquals(LinkFixture.GW, s.gateway);
        f.await(LinkState.AUTHENTICATED);
        LinkStatus st = f.link.status();
        assertEquals("modern-v1", st.suite());
        assertEquals(1, st.sessions());
        assertEquals("", st.lastError());
        assertFalse(st.euKeyFingerprint().isEmpty());
        assertTrue(f.link.hasEuKey());
    }

    /** Answers go to their own requests by envelope id, in whatever order the Server sends them. */
    @Test
    void answersMatchTheirRequestsInAnyOrder() throws Exception {
        TestServer.Session s = f.authenticated();
        CompletableFuture<Message> a = f.link.request(new Ping(utf8("a")), REQUEST).toCompletableFuture();
        CompletableFuture<Message> b = f.link.request(new Ping(utf8("b")), REQUEST).toCompletableFuture();
        CompletableFuture<Message> c = f.link.request(new Ping(utf8("c")), REQUEST).toCompletableFuture();
        Envelope ra = s.next();
        Envelope rb = s.next();
        Envelope rc = s.next();
        s.answer(rc, new Pong(utf8("c")));
        s.answer(rb, ErrorMessage.of(new CpnsException(ErrorCode.FORBIDDEN, "not this one")));
        s.answer(ra, new Pong(utf8("a")));
        assertArrayEquals(utf8("a"), assertInstanceOf(Pong.class, a.get(5, TimeUnit.SECONDS)).data());
        assertArrayEquals(utf8("c"), assertInstanceOf(Pong.class, c.get(5, TimeUnit.SECONDS)).data());
        assertEquals(ErrorCode.FORBIDDEN, codeOf(b)); // the Server's typed error, for that request only
    }

    @Test
    void unansweredRequestTimesOut() throws Exception {
        TestServer.Session s = f.authenticated();
        CompletableFuture<Message> r = f.link.request(new Ping(utf8("x")), Duration.ofMillis(50)).toCompletableFuture();
        s.next(); // received, never answered
        assertEquals(ErrorCode.TIMEOUT, codeOf(r));
        assertEquals(LinkState.AUTHENTICATED, f.link.status().state(), "one lost answer does not drop the link");
    }

    /**
     * A configuration update that changes nothing the link uses (configured enrolment erasing its
     * password right after the assignment) arrives while the link authenticates: the session it was
     * establishing is kept, not dropped and made again (UpdateFaultsIT.f10 saw two sessions and a
     * request between them found none).
     */
    @Test
    void aConfigurationUpdateChangingNothing_whileAuthenticating_keepsTheSessionBeingMade() throws Exception {
        f.assigned();
        f.server.holdHandshake = new java.util.concurrent.CountDownLatch(1);
        f.start();
        f.await(LinkState.AUTHENTICATING);
        f.link.modified(Configs.of(ServerLinkComponent.Config.class, f.config(Map.of())));
        f.server.holdHandshake.countDown();
        TestServer.Session s = f.server.session();
        f.await(LinkState.AUTHENTICATED);
        Envelope answer = s.push(new Ping(utf8("still there")));
        assertInstanceOf(Pong.class, answer.body(), "the first session is the link's");
        assertEquals(1, f.link.status().sessions(), "one session made");
    }

    /** The Server's own ping on the session is answered by the link itself. */
    @Test
    void answersTheServersPing() throws Exception {
        f.assigned();
        f.start();
        TestServer.Session s = f.server.session();
        Envelope answer = s.push(new Ping(utf8("are you there")));
        assertArrayEquals(utf8("are you there"), assertInstanceOf(Pong.class, answer.body()).data());
    }

    /** The Server drops the connection: what was in flight fails UNAVAILABLE, and the link comes back by itself. */
    @Test
    void reconnectsAfterTheServerDrops() throws Exception {
        TestServer.Session first = f.authenticated();
        CompletableFuture<Message> inFlight = f.link.request(new Ping(utf8("x")), REQUEST).toCompletableFuture();
        first.next();
        f.server.dropAll();
        assertEquals(ErrorCode.UNAVAILABLE, codeOf(inFlight));
        TestServer.Session second = f.server.session();
        f.await(LinkState.AUTHENTICATED);
        assertEquals(2, f.link.status().sessions());
        CompletableFuture<Message> again = f.link.request(new Ping(utf8("y")), REQUEST).toCompletableFuture();
        second.answer(second.next(), new Pong(utf8("y")));
        assertInstanceOf(Pong.class, again.get(5, TimeUnit.SECONDS));
        assertTrue(f.log.all().contains("reconnecting to 127.0.0.1:" + f.server.port()), f.log.all());
    }

    /**
     * While the Server refuses, each wait is the next back-off step (jittered between half and all
     * of it, capped); an authenticated session starts the steps again.
     */
    @Test
    void backsOffMoreWhileTheServerRefusesAndStartsAgainOnceIn() throws Exception {
        f.assigned();
        f.server.mode = TestServer.Mode.REFUSE;
        f.start();
        for (int i = 0; i < 4; i++) {
            f.server.connection();
        }
        f.server.mode = TestServer.Mode.SERVE;
        f.server.session();
        f.await(LinkState.AUTHENTICATED);
        List<Long> refused = delays();
        assertTrue(refused.size() >= 4, refused::toString);
        long[] steps = {LinkFixture.BACKOFF_INITIAL, 2L * LinkFixture.BACKOFF_INITIAL, LinkFixture.BACKOFF_MAX, LinkFixture.BACKOFF_MAX};
        for (int i = 0; i < steps.length; i++) {
            long d = refused.get(i);
            assertTrue(d >= steps[i] / 2 && d <= steps[i], "wait " + i + " was " + d + " ms, step " + steps[i] + ": " + refused);
        }
        f.server.dropAll();
        f.server.session();
        List<Long> after = delays();
        long last = after.get(after.size() - 1);
        assertTrue(last <= LinkFixture.BACKOFF_INITIAL, "after a session the first step again: " + after);
    }

    /** TS §5.3.3.1 / ServerLink contract: no session, no request; the caller hears why at once. */
    @Test
    void requestWhileDownIsUnavailable() throws Exception {
        f.authenticated();
        f.server.mode = TestServer.Mode.REFUSE;
        f.server.dropAll();
        f.await(LinkState.BACKOFF);
        CpnsException e = assertThrows(CpnsException.class,
                () -> join(f.link.request(new Ping(utf8("x")), REQUEST).toCompletableFuture()));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("not connected to the CPNS Server"), e.getMessage());
    }

    /** Link listeners: told after each authentication, at once when they come while the link is up, never while it is down. */
    @Test
    void listenersToldOfEachAuthentication() throws Exception {
        f.assigned();
        f.server.mode = TestServer.Mode.REFUSE;
        f.start();
        Recorder early = new Recorder();
        f.link.addLinkListener(ServiceObjects.of(early));
        f.server.connection();
        f.await(LinkState.BACKOFF);
        assertEquals(0, early.count.get(), "down: nothing to tell");
        f.server.mode = TestServer.Mode.SERVE;
        f.server.session();
        early.await(1);
        Recorder late = new Recorder();
        ComponentServiceObjects<ServerLinkListener> lateService = ServiceObjects.of(late);
        f.link.addLinkListener(lateService); // comes while the link is up
        late.await(1);
        f.server.dropAll(); // down, and up again
        f.server.session();
        early.await(2);
        late.await(2);
        f.link.removeLinkListener(lateService);
        f.server.dropAll();
        f.server.session();
        early.await(3);
        assertEquals(2, late.count.get(), "removed: not told again");
    }

    /** TS §5.3.1: without an EUKey the link does not dial the Server; requests are refused; an assignment brings it up. */
    @Test
    void withoutEuKeyWaitsForAssignment() throws Exception {
        f.start();
        f.await(LinkState.UNASSIGNED);
        assertTrue(f.server.accepted.isEmpty(), "no EUKey: no connection attempt");
        assertFalse(f.link.hasEuKey());
        assertEquals(ErrorCode.UNAVAILABLE, codeOf(f.link.request(new Ping(utf8("x")), REQUEST).toCompletableFuture()));
        CpnsException noKey = assertThrows(CpnsException.class,
                () -> f.link.encryptWithPsk1(new byte[16], "alice", "pw".toCharArray()));
        assertEquals(ErrorCode.UNAVAILABLE, noKey.code());

        f.server.users.add("alice:right-password");
        CpnsException wrong = assertThrows(CpnsException.class, () -> f.link.assignEuKey("alice", "wrong".toCharArray()));
        assertEquals(ErrorCode.AUTH_FAILED, wrong.code());
        assertFalse(f.link.hasEuKey());

        char[] password = "right-password".toCharArray();
        f.link.assignEuKey("alice", password);
        assertArrayEquals(new char[password.length], password, "the caller's password is wiped");
        assertArrayEquals(f.server.euKeyOf(LinkFixture.GW), f.secrets.get(KeyStoreAliases.euKey(LinkFixture.GW)).orElseThrow(),
                "the assigned EUKey is in the keystore");
        f.server.session();
        f.await(LinkState.AUTHENTICATED);
        CpnsException again = assertThrows(CpnsException.class, () -> f.link.assignEuKey("alice", "right-password".toCharArray()));
        assertEquals(ErrorCode.ALREADY_ASSIGNED, again.code());
        assertFalse(f.log.all().contains("right-password"), "no password in the log");
    }

    /** Unattended assignment from the configuration's CPNS User ID and password (TS §5.3.1). */
    @Test
    void assignsFromConfiguration() throws Exception {
        f.server.users.add("alice:configured");
        f.start(Map.of("userId", "alice", "password", "configured"));
        f.server.session();
        f.await(LinkState.AUTHENTICATED);
        assertArrayEquals(f.server.euKeyOf(LinkFixture.GW), f.secrets.get(KeyStoreAliases.euKey(LinkFixture.GW)).orElseThrow());
    }

    /** Stopping while the Server has not answered the TLS handshake: the attempt is aborted, not waited out. */
    @Test
    void stopsWhileConnecting() throws Exception {
        f.assigned();
        f.server.mode = TestServer.Mode.STALL;
        f.start();
        Socket attempt = f.server.connection();
        f.await(LinkState.CONNECTING);
        f.link.deactivate();
        assertEquals(LinkState.STOPPED, f.link.status().state());
        assertTrue(TestServer.closedByPeer(attempt), "the gateway closed its connection attempt");
        assertTrue(f.server.sessions.isEmpty());
        assertEquals(ErrorCode.UNAVAILABLE, codeOf(f.link.request(new Ping(utf8("x")), REQUEST).toCompletableFuture()));
        f.link = null; // stopped already
    }

    // ---- helpers ----

    private static final Pattern DELAY = Pattern.compile("reconnecting to \\S+ in (\\d+) ms");

    /** The back-off waits the link logged, in order. */
    private List<Long> delays() {
        return f.log.lines().stream().map(DELAY::matcher).filter(Matcher::find).map(m -> Long.parseLong(m.group(1))).toList();
    }

    private static final class Recorder implements ServerLinkListener {
        final AtomicInteger count = new AtomicInteger();
        private final LinkedBlockingQueue<Integer> told = new LinkedBlockingQueue<>();

        @Override
        public void authenticated() {
            told.add(count.incrementAndGet());
        }

        void await(int n) throws InterruptedException {
            while (count.get() < n) {
                Integer c = told.poll(TestServer.WAIT_MILLIS, TimeUnit.MILLISECONDS);
                if (c == null) {
                    throw new AssertionError("listener told " + count.get() + " times, expected " + n);
                }
            }
            assertEquals(n, count.get());
        }
    }

    private static Message join(CompletableFuture<Message> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            throw (RuntimeException) e.getCause();
        }
    }

    private static ErrorCode codeOf(CompletableFuture<?> f) {
        try {
            f.get(TestServer.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return assertInstanceOf(CpnsException.class, e.getCause()).code();
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("not completed", e);
        }
        throw new AssertionError("completed normally: " + f.join());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
