package io.cpns.gw.update;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.cpns.pki.DevPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real HTTPS artifact server for tests (the JDK's HttpsServer), with the development PKI's
 * certificate for {@code localhost}, serving files with Range support, and faults a test arms
 * per request: cut the body after N bytes, answer 500, stall after N bytes, send other bytes or
 * another length, ignore the Range header.
 */
final class ArtifactServer implements AutoCloseable {
    /** What the next requests get, in order; once used up, requests are served correctly. */
    enum Fault { CUT, ERROR_500, STALL, IGNORE_RANGE, SHORT_LENGTH, LONG_BODY, NOT_FOUND, WRONG_TOTAL }

    final Path pki;
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    final List<String> ranges = new CopyOnWriteArrayList<>(); // each request's Range header, "" if none
    final List<Fault> faults = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    volatile int cutAfter = 100;
    private final CountDownLatch release = new CountDownLatch(1);
    private final HttpsServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    ArtifactServer(Path dir) throws Exception {
        pki = dir;
        DevPki.PkiFiles files = DevPki.ensure(dir, "localhost", Duration.ofDays(1));
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls(files)));
        server.createContext("/cpns/releases/", this::serve);
        server.setExecutor(pool);
        server.start();
    }

    Path operatorCa() {
        return pki.resolve(DevPki.CA_CERT);
    }

    String base(long seq) {
        return "https://localhost:" + server.getAddress().getPort() + "/cpns/releases/" + seq + "/";
    }

    private void serve(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        String range = x.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "" : range);
        String name = x.getRequestURI().getPath().substring(x.getRequestURI().getPath().lastIndexOf('/') + 1);
        byte[] body = files.get(name);
        Fault f = faults.isEmpty() ? null : faults.remove(0);
        try (x) {
            if (body == null || f == Fault.NOT_FOUND) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            if (f == Fault.ERROR_500) {
                x.sendResponseHeaders(500, -1);
                return;
            }
            long from = 0;
            if (range != null && f != Fault.IGNORE_RANGE && range.startsWith("bytes=") && range.endsWith("-")) {
                from = Long.parseLong(range.substring(6, range.length() - 1));
            }
            OutputStream out = x.getResponseBody();
            if (f == Fault.SHORT_LENGTH) {
                x.sendResponseHeaders(200, body.length - 10);
                out.write(body, 0, body.length - 10);
                return;
            }
            if (f == Fault.LONG_BODY) {
                x.sendResponseHeaders(200, 0); // chunked: more than the file
                out.write(body);
                out.write(new byte[10]);
                return;
            }
            int length = (int) (body.length - from);
            if (from > 0) {
                long total = f == Fault.WRONG_TOTAL ? body.length + 1 : body.length;
                x.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + total);
                x.sendResponseHeaders(206, length);
            } else {
                x.sendResponseHeaders(200, length);
            }
            if (f == Fault.CUT || f == Fault.STALL) {
                out.write(body, (int) from, Math.min(cutAfter, length));
                out.flush();
                if (f == Fault.STALL) {
                    release.await(); // holds the connection open, sending nothing, until the test ends
                }
                x.getHttpContext().getServer(); // then close with bytes missing: the connection is cut
                throw new IOException("cut");
            }
            out.write(body, (int) from, length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        pool.shutdownNow();
    }

    private static SSLContext tls(DevPki.PkiFiles f) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<Certificate> chain = List.copyOf(cf.generateCertificates(new ByteArrayInputStream(Files.readAllBytes(f.serverChain()))));
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(pem(f.serverKey())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, new char[0], chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static byte[] pem(Path file) throws IOException {
        String s = Files.readString(file);
        String b64 = s.substring(s.indexOf("-----", s.indexOf("-----BEGIN") + 10) + 5, s.indexOf("-----END")).replaceAll("\\s", "");
        return Base64.getMimeDecoder().decode(b64);
    }
}
