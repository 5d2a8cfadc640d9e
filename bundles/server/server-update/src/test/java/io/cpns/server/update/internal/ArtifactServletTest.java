package io.cpns.server.update.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.pki.DevPki;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ArtifactServlet} in a real Jetty 12 (the one Felix HTTP Jetty embeds) over HTTPS with a
 * certificate of a development operator CA, fetched with {@link HttpClient} as the gateway does.
 * The Servlet Whiteboard wiring is covered by the Pax Exam IT.
 */
class ArtifactServletTest {
    @TempDir
    Path dir;
    private Server server;
    private HttpClient client;
    private String base;
    private byte[] jar;

    @BeforeEach
    void start() throws Exception {
        DevPki.PkiFiles pki = DevPki.ensure(dir.resolve("pki"), "localhost", Duration.ofDays(2));
        Path releases = dir.resolve("releases");
        Files.createDirectories(releases.resolve("7"));
        jar = new byte[200_000];
        new Random(7).nextBytes(jar);
        Files.write(releases.resolve("7").resolve("gw-pn-0.2.0.jar"), jar);
        Files.writeString(releases.resolve("7").resolve("notes.txt"), "not in the manifest");
        Files.writeString(dir.resolve("secret.txt"), "SECRET");
        Files.writeString(releases.resolve("secret.txt"), "SECRET");

        char[] pw = "changeit-test".toCharArray();
        Path p12 = dir.resolve("https.p12");
        TlsKeyStore.write(TlsKeyStore.fromPem(pki.serverChain(), pki.serverKey(), pw), pw, p12);
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(p12.toString());
        ssl.setKeyStoreType("PKCS12");
        ssl.setKeyStorePassword(new String(pw));
        server = new Server();
        ServerConnector c = new ServerConnector(server, ssl);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ServletHolder h = new ServletHolder(new ArtifactServlet((seq, file) -> seq == 7 && file.equals("gw-pn-0.2.0.jar")));
        h.setInitParameter("baseResource", releases.toUri().toString());
        h.setInitParameter("dirAllowed", "false");
        h.setInitParameter("allowAliases", "false");
        h.setInitParameter("etags", "true"); // as ArtifactServer registers it
        ctx.addServlet(h, "/cpns/releases/*");
        server.setHandler(ctx);
        server.start();
        base = "https://localhost:" + c.getLocalPort() + "/cpns/releases/";
        client = HttpClient.newBuilder().sslContext(trusting(pki.caCert())).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            ts.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void wholeFile_isServed() throws Exception {
        HttpResponse<byte[]> r = get("7/gw-pn-0.2.0.jar");
        assertEquals(200, r.statusCode());
        assertArrayEquals(jar, r.body());
        assertEquals(List.of("bytes"), r.headers().allValues("Accept-Ranges"));
        assertTrue(r.headers().firstValue("ETag").isPresent());
        assertTrue(r.headers().firstValue("Last-Modified").isPresent());
    }

    @Test
    void range_resumesWhereADownloadStopped_206WithContentRange() throws Exception {
        HttpResponse<byte[]> r = get("7/gw-pn-0.2.0.jar", "Range", "bytes=150000-");
        assertEquals(206, r.statusCode());
        assertEquals("bytes 150000-199999/200000", r.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(jar, 150_000, 200_000), r.body());
        HttpResponse<byte[]> mid = get("7/gw-pn-0.2.0.jar", "Range", "bytes=10-19");
        assertEquals(206, mid.statusCode());
        assertArrayEquals(Arrays.copyOfRange(jar, 10, 20), mid.body());
    }

    @Test
    void rangeBeyondTheEnd_is416() throws Exception {
        HttpResponse<byte[]> r = get("7/gw-pn-0.2.0.jar", "Range", "bytes=200000-");
        assertEquals(416, r.statusCode());
        assertEquals("bytes */200000", r.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void whatNoPublishedReleaseLists_is404_evenIfTheFileExists() throws Exception {
        assertEquals(404, get("7/notes.txt").statusCode(), "on disk, not in the manifest");
        assertEquals(404, get("8/gw-pn-0.2.0.jar").statusCode(), "no such release");
        assertEquals(404, get("7/").statusCode(), "no directory listing");
        assertEquals(404, get("7").statusCode());
        assertEquals(404, get("secret.txt").statusCode());
        assertEquals(404, get("007/gw-pn-0.2.0.jar").statusCode());
    }

    @Test
    void traversal_neverReadsAFile() throws Exception {
        for (String p : new String[] {"7/../secret.txt", "7/../../../secret.txt", "7/%2e%2e/secret.txt", "7/..%2Fsecret.txt",
            "7/gw-pn-0.2.0.jar/../../secret.txt", "7/%2e%2e%2f%2e%2e%2fsecret.txt", "..%2f..%2fsecret.txt"}) {
            HttpResponse<byte[]> r = get(p);
            assertTrue(r.statusCode() == 404 || r.statusCode() == 400, p + " → " + r.statusCode());
            assertFalse(new String(r.body(), java.nio.charset.StandardCharsets.ISO_8859_1).contains("SECRET"), p);
        }
    }

    @Test
    void otherMethods_are405() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "7/gw-pn-0.2.0.jar"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(405, r.statusCode());
        HttpResponse<byte[]> head = client.send(HttpRequest.newBuilder(URI.create(base + "7/gw-pn-0.2.0.jar"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals("200000", head.headers().firstValue("Content-Length").orElseThrow());
    }

    @Test
    void aClientThatTrustsAnotherCa_cannotConnect() throws Exception {
        DevPki.PkiFiles other = DevPki.ensure(dir.resolve("other-pki"), "localhost", Duration.ofDays(2));
        HttpClient stranger = HttpClient.newBuilder().sslContext(trusting(other.caCert())).build();
        assertThrows(SSLHandshakeException.class, () -> stranger.send(HttpRequest.newBuilder(URI.create(base + "7/gw-pn-0.2.0.jar")).build(),
                HttpResponse.BodyHandlers.ofByteArray()));
    }
}
