package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.EntityKind;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Envelope;
import io.cpns.api.message.ErrorMessage;
import io.cpns.api.message.EuKeyAssignRequest;
import io.cpns.codec.MessageChannel;
import io.cpns.codec.MessageCodec;
import io.cpns.session.tls.ServerCertificateVerifier;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.session.tls.TlsConnection;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Wrong passwords against a real {@code bin/cpns-server} process with the distribution's heap
 * (the script's default {@code CPNS_JAVA_OPTS}, plus a GC log to report the heap): many at once
 * must neither exhaust the heap (each Argon2id check takes 19 MiB) nor go unanswered, and a long
 * series must be throttled before Argon2 runs. Attempts use the real bootstrap: certificate TLS
 * 1.3 to the Server and {@code euk.assign.req}, as a PN GW (or a PNE through its tunnel) sends it.
 */
public class PasswordFloodIT {
    private static final Pattern GC_BEFORE = Pattern.compile("\\) (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final int PARALLEL = 16;

    private final MessageCodec codec = new MessageCodec();
    private ForkedRuntime server;
    private int port;

    @Before
    public void startServer() throws Exception {
        Path home = Files.createDirectories(Path.of(System.getProperty("cpns.itest.data", "target/itest-data")).toAbsolutePath()
                .resolve("password-flood-" + UUID.randomUUID().toString().substring(0, 8)));
        port = AbstractSliceIT.freePort();
        String opts = ForkedRuntime.scriptDefaultJavaOpts("server") + " -Xlog:gc:file=" + home.resolve("gc.log");
        server = ForkedRuntime.of("server", home).javaOpts(opts).configure("cpns.server.endpoint", "port=" + port).start().awaitReady();
    }

    @After
    public void stopServer() throws Exception {
        server.close();
    }

    /** One bootstrap attempt: the error code the Server answered, or null if the connection ended without one. */
    private ErrorCode attempt(String user, String password) {
        Path ca = server.data().resolve("pki/operator-ca.pem");
        try (Socket s = new Socket("127.0.0.1", port)) {
            TlsConnection t = TlsClientEndpoint.certificate(s, ServerCertificateVerifier.fromFile(ca, "localhost"), 30_000, 30_000);
            try (MessageChannel ch = new MessageChannel(codec, t.in(), t.out(), 65536, t)) {
                String gw = "gw-" + UUID.randomUUID().toString().substring(0, 8);
                ch.send(new Envelope(EntityId.of(gw), EntityId.of("cpns-server"), 1,
                        new EuKeyAssignRequest(gw, EntityKind.GATEWAY, user, password.getBytes(StandardCharsets.UTF_8))));
                Envelope answer = ch.receive();
                return answer != null && answer.body() instanceof ErrorMessage e ? e.errorCode() : null;
            }
        } catch (IOException e) {
            return null; // reset or closed without an answer
        }
    }

    private static Map<String, Integer> count(List<ErrorCode> answers) {
        Map<String, Integer> n = new TreeMap<>();
        answers.forEach(a -> n.merge(a == null ? "no answer" : a.name(), 1, Integer::sum));
        return n;
    }

    /** The largest heap in use before a collection, from the GC log (MiB). */
    private int peakHeapMiB() throws IOException {
        Matcher m = GC_BEFORE.matcher(Files.readString(server.home().resolve("gc.log")));
        int peak = 0;
        while (m.find()) {
            peak = Math.max(peak, Integer.parseInt(m.group(1)));
        }
        return peak;
    }

    @Test
    public void sixteenParallelWrongPasswords_eachGetsATypedAnswer_andTheServerStaysUp() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<ErrorCode>> attempts = new ArrayList<>();
        for (int i = 0; i < PARALLEL; i++) {
            String user = "mallory-" + i;
            attempts.add(pool.submit(() -> {
                go.await();
                return attempt(user, "not-the-password");
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        List<ErrorCode> answers = new ArrayList<>();
        for (Future<ErrorCode> f : attempts) {
            answers.add(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("PasswordFloodIT: %d parallel wrong passwords: %s in %.2f s (%.1f answers/s), peak heap %d MiB (%s)%n",
                PARALLEL, count(answers), seconds, PARALLEL / seconds, peakHeapMiB(), ForkedRuntime.scriptDefaultJavaOpts("server"));

        for (ErrorCode a : answers) {
            assertTrue("every attempt answered AUTH_FAILED or BUSY: " + count(answers), a == ErrorCode.AUTH_FAILED || a == ErrorCode.BUSY);
        }
        assertFalse("no OutOfMemoryError in the Server's output", server.log().contains("OutOfMemoryError"));
        assertTrue("the Server is still running", server.alive());
        assertEquals("and still answers", ErrorCode.AUTH_FAILED, attempt("mallory-after", "not-the-password"));
    }

    @Test
    public void thousandSequentialWrongPasswords_areThrottled_beforeArgon2Runs() throws Exception {
        List<ErrorCode> answers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            answers.add(attempt("alice", "guess-" + i));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long checked = answers.stream().filter(a -> a == ErrorCode.AUTH_FAILED).count();
        System.out.printf("PasswordFloodIT: 1000 sequential wrong passwords for one user: %s in %.1f s "
                + "(%.1f attempts/s, %.2f passwords actually checked/s), peak heap %d MiB%n",
                count(answers), seconds, 1000 / seconds, checked / seconds, peakHeapMiB());

        for (ErrorCode a : answers) {
            assertTrue("every attempt answered AUTH_FAILED or RATE_LIMITED: " + count(answers),
                    a == ErrorCode.AUTH_FAILED || a == ErrorCode.RATE_LIMITED);
        }
        // the defaults (etc/server/config/cpns.server.users.cfg): 5 failures free, then waits of 1 s,
        // 2 s, 4 s ... So in this run's time at most 5 + log2(seconds + 1) + 1 guesses can be checked.
        long bound = 5 + (long) Math.ceil(Math.log(seconds + 1) / Math.log(2)) + 1;
        assertTrue(checked + " passwords checked in " + seconds + " s; at most " + bound + " may be", checked <= bound);
        assertTrue("the rest were refused unchecked", answers.contains(ErrorCode.RATE_LIMITED));
        long refusedLines = server.log().lines().filter(l -> l.contains("RATE_LIMITED")).count();
        assertTrue(refusedLines + " log lines for " + (1000 - checked) + " refusals: throttled", refusedLines <= 20);
    }
}
