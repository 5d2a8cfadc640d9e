package io.cpns.itests;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The artifact endpoint for the tests (the Server's own is another helper's work): the JDK's
 * HTTPS server with the test Server's development certificate ({@code <data>/pki}, issued by the
 * operator CA the gateways already trust, for {@code localhost}), serving
 * {@code /cpns/releases/<seq>/<file>} with {@code Range} support.
 */
final class ArtifactHttps implements AutoCloseable {
    final Map<String, byte[]> files = new ConcurrentHashMap<>(); // "<seq>/<file>"
    private final HttpsServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    ArtifactHttps(Path serverPki) throws Exception {
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls(serverPki.resolve("server.pem"), serverPki.resolve("server.key"))));
        server.createContext("/cpns/releases/", this::serve);
        server.setExecutor(pool);
        server.start();
    }

    String base(long seq) {
        return "https://localhost:" + server.getAddress().getPort() + "/cpns/releases/" + seq + "/";
    }

    void put(long seq, String file, byte[] jar) {
        files.put(seq + "/" + file, jar);
    }

    private void serve(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath().substring("/cpns/releases/".length());
        byte[] body = files.get(path);
        try (x) {
            if (body == null) {
                x.sendResponseHeaders(404, -1);
                return;
            }
            String range = x.getRequestHeaders().getFirst("Range");
            int from = range != null && range.startsWith("bytes=") && range.endsWith("-") ? Integer.parseInt(range.substring(6,
                    range.length() - 1)) : 0;
            if (from > 0) {
                x.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                x.sendResponseHeaders(206, body.length - from);
            } else {
                x.sendResponseHeaders(200, body.length);
            }
            OutputStream out = x.getResponseBody();
            out.write(body, from, body.length - from);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private static SSLContext tls(Path chain, Path key) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        String pem = Files.readString(chain);
        List<Certificate> certs = List.copyOf(cf.generateCertificates(new ByteArrayInputStream(pem.substring(pem.indexOf("-----BEGIN"))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
        String k = Files.readString(key);
        byte[] der = Base64.getMimeDecoder().decode(k.substring(k.indexOf('\n', k.indexOf("-----BEGIN")) + 1, k.indexOf("-----END")));
        PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", pk, new char[0], certs.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, new char[0]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
