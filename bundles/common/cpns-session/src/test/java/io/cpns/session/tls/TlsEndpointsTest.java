package io.cpns.session.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cpns.crypto.Randoms;
import io.cpns.pki.DevPki;
import io.cpns.testkit.Commands;
import java.util.HexFormat;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PSK-TLS and bootstrap TLS over real loopback sockets. */
class TlsEndpointsTest {
    @TempDir
    Path dir;
    ServerSocket listener;
    final byte[] euKey = Randoms.bytes(32);
    final Map<String, byte[]> keys = Map.of("gw-1", euKey);
    final PskLookup lookup = id -> keys.containsKey(id) ? keys.get(id).clone() : null;

    @BeforeEach
    void listen() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws IOException {
        listener.close();
    }

    /** Accepts one connection, handshakes, echoes one line back, and reports the connection. */
    private CompletableFuture<TlsConnection> serveOnce(TlsServerEndpoint endpoint) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                TlsConnection c = endpoint.accept(listener.accept(), 5000, 5000);
                int b = c.in().read();
                c.out().write(b);
                c.out().flush();
                return c;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private Socket dial() throws IOException {
        return new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    private static void echo(TlsConnection c) throws IOException {
        c.out().write(42);
        c.out().flush();
        assertEquals(42, c.in().read());
    }

    private DevPki.PkiFiles pki() throws IOException {
        return DevPki.ensure(dir, "localhost", Duration.ofDays(1));
    }

    @Test
    void psk_knownIdentityAndKey_connectsAndBothSidesKnowTheIdentity() throws Exception {
        var served = serveOnce(new TlsServerEndpoint(lookup, null));
        TlsConnection client = TlsClientEndpoint.psk(dial(), "gw-1", euKey, 5000, 5000);
        echo(client);
        assertEquals("gw-1", served.get(5, TimeUnit.SECONDS).pskIdentity());
        client.close();
    }

    @Test
    void psk_wrongKey_failsTheHandshakeOnBothSides() throws Exception {
        var served = serveOnce(new TlsServerEndpoint(lookup, null));
        assertThrows(IOException.class, () -> TlsClientEndpoint.psk(dial(), "gw-1", Randoms.bytes(32), 5000, 5000));
        assertThrows(Exception.class, () -> served.get(5, TimeUnit.SECONDS));
    }

    @Test
    void psk_unknownIdentity_onPskOnlyServer_fails() throws Exception {
        var served = serveOnce(new TlsServerEndpoint(lookup, null));
        assertThrows(IOException.class, () -> TlsClientEndpoint.psk(dial(), "stranger", euKey, 5000, 5000));
        assertThrows(Exception.class, () -> served.get(5, TimeUnit.SECONDS));
    }

    /**
     * Issue 10: an unknown identity got another alert (internal_error on a PSK-only endpoint; a
     * certificate on the Server's) than a known one with a wrong key (decrypt_error), so the alerts
     * told which Entity IDs have a key. Both now fail alike, on both kinds of endpoint.
     */
    @Test
    void psk_unknownIdentity_failsWithTheAlertOfAWrongKey_onPskOnlyAndCertificateServers() throws Exception {
        DevPki.PkiFiles f = pki();
        for (ServerCredentials credentials : new ServerCredentials[] {null, ServerCredentials.fromPem(f.serverChain(), f.serverKey())}) {
            String kind = credentials == null ? "PSK-only" : "with a certificate";
            var wrong = serveOnce(new TlsServerEndpoint(lookup, credentials));
            short wrongKey = alertReceived(() -> TlsClientEndpoint.psk(dial(), "gw-1", Randoms.bytes(32), 5000, 5000));
            assertThrows(Exception.class, () -> wrong.get(5, TimeUnit.SECONDS));
            var unknown = serveOnce(new TlsServerEndpoint(lookup, credentials));
            short unknownIdentity = alertReceived(() -> TlsClientEndpoint.psk(dial(), "stranger", euKey, 5000, 5000));
            assertThrows(Exception.class, () -> unknown.get(5, TimeUnit.SECONDS));
            assertEquals(AlertDescription.getName(wrongKey), AlertDescription.getName(unknownIdentity), kind);
            assertEquals(AlertDescription.decrypt_error, unknownIdentity, kind);
        }
    }

    private interface Handshake {
        void run() throws Exception;
    }

    /** The alert the server ended the client's handshake with. */
    private static short alertReceived(Handshake h) {
        Exception e = assertThrows(Exception.class, h::run);
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TlsFatalAlertReceived r) {
                return r.getAlertDescription();
            }
        }
        throw new AssertionError("no alert received", e);
    }

    @Test
    void bootstrap_certificateChainingToOperatorCa_connectsWithoutPsk() throws Exception {
        DevPki.PkiFiles f = pki();
        var served = serveOnce(new TlsServerEndpoint(lookup, ServerCredentials.fromPem(f.serverChain(), f.serverKey())));
        TlsConnection client = TlsClientEndpoint.certificate(dial(), ServerCertificateVerifier.fromFile(f.caCert(), "localhost"), 5000, 5000);
        echo(client);
        assertNull(served.get(5, TimeUnit.SECONDS).pskIdentity());
        client.close();
    }

    @Test
    void bootstrap_certificateFromAnotherCa_isRejected() throws Exception {
        DevPki.PkiFiles f = pki();
        DevPki.PkiFiles other = DevPki.ensure(dir.resolve("other"), "localhost", Duration.ofDays(1));
        var served = serveOnce(new TlsServerEndpoint(lookup, ServerCredentials.fromPem(f.serverChain(), f.serverKey())));
        IOException e = assertThrows(IOException.class, () -> TlsClientEndpoint.certificate(dial(),
                ServerCertificateVerifier.fromFile(other.caCert(), "localhost"), 5000, 5000));
        assertTrue(String.valueOf(e.getMessage()).contains("operator CA"), e.toString());
        assertThrows(Exception.class, () -> served.get(5, TimeUnit.SECONDS));
    }

    @Test
    void bootstrap_certificateForAnotherName_isRejected() throws Exception {
        DevPki.PkiFiles f = pki();
        var served = serveOnce(new TlsServerEndpoint(lookup, ServerCredentials.fromPem(f.serverChain(), f.serverKey())));
        IOException e = assertThrows(IOException.class, () -> TlsClientEndpoint.certificate(dial(),
                ServerCertificateVerifier.fromFile(f.caCert(), "cpns.example.net"), 5000, 5000));
        assertTrue(String.valueOf(e.getMessage()).contains("not for 'cpns.example.net'"), e.toString());
        assertThrows(Exception.class, () -> served.get(5, TimeUnit.SECONDS));
    }

    @Test
    void bootstrap_ipv6ServerName_matchesTheIpAddressSan_inAnyNotation() throws Exception {
        DevPki.PkiFiles f = DevPki.ensure(dir, "::1", Duration.ofDays(1));
        var served = serveOnce(new TlsServerEndpoint(lookup, ServerCredentials.fromPem(f.serverChain(), f.serverKey())));
        TlsConnection client = TlsClientEndpoint.certificate(dial(), ServerCertificateVerifier.fromFile(f.caCert(), "::1"), 5000, 5000);
        echo(client);
        client.close();
        served.get(5, TimeUnit.SECONDS);
        assertEquals(java.net.InetAddress.getByName("0:0:0:0:0:0:0:1"), ServerCertificateVerifier.ipLiteral("[::1]"));
        assertNull(ServerCertificateVerifier.ipLiteral("localhost"));
    }

    @Test
    void emptyOperatorCaFile_isAnIOException_withTheFileName() throws Exception {
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("empty.pem"), "");
        IOException e = assertThrows(IOException.class, () -> ServerCertificateVerifier.fromFile(empty, "localhost"));
        assertTrue(e.getMessage().contains("empty.pem"), e.getMessage());
    }

    @Test
    void silentPeer_timesOutTheHandshake_insteadOfHangingAThread() throws Exception {
        var served = CompletableFuture.supplyAsync(() -> {
            try {
                return new TlsServerEndpoint(lookup, null).accept(listener.accept(), 300, 300);
            } catch (IOException e) {
                return null;
            }
        });
        try (Socket s = dial()) {
            assertNull(served.get(5, TimeUnit.SECONDS)); // returned (with an error) well before 5 s
        }
    }

    private CompletableFuture<TlsConnection> serveHello(TlsServerEndpoint endpoint) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                TlsConnection c = endpoint.accept(listener.accept(), 5000, 5000);
                c.out().write("hello from cpns\n".getBytes(StandardCharsets.US_ASCII));
                c.out().flush();
                return c;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private String openssl(String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + listener.getLocalPort(), "-psk", HexFormat.of().formatHex(euKey), "-psk_identity", "gw-1", "-quiet"));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line = new String(p.getInputStream().readNBytes(16), StandardCharsets.US_ASCII);
        p.destroy();
        return line;
    }

    /** Small devices: a TLS 1.2 PSK peer (OpenSSL, plain and ECDHE PSK suites) when the endpoint allows it. */
    @Test
    void interop_opensslTls12Psk_whenAllowed() throws Exception {
        assumeOpenssl();
        for (String cipher : java.util.List.of("PSK-AES128-GCM-SHA256", "ECDHE-PSK-AES128-CBC-SHA256")) {
            var served = serveHello(new TlsServerEndpoint(lookup, null, true));
            assertEquals("hello from cpns\n", openssl("-tls1_2", "-cipher", cipher), cipher);
            TlsConnection c = served.get(5, TimeUnit.SECONDS);
            assertEquals("gw-1", c.pskIdentity(), cipher);
            assertTrue(c.tls12(), cipher);
        }
    }

    /** A client preferring plain PSK still gets the forward-secret suite: the server's order decides. */
    @Test
    void tls12Psk_theServerPrefersEcdhePsk_overTheClientsOrder() throws Exception {
        assumeOpenssl();
        var served = serveHello(new TlsServerEndpoint(lookup, null, true));
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(), "-tls1_2",
                "-cipher", "PSK-AES128-GCM-SHA256:ECDHE-PSK-AES128-CBC-SHA256", "-psk", HexFormat.of().formatHex(euKey), "-psk_identity", "gw-1")
                .redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null && !line.contains("hello from cpns"); ) {
                out.append(line).append('\n');
            }
        } finally {
            p.destroy();
        }
        assertTrue(served.get(5, TimeUnit.SECONDS).tls12());
        assertTrue(out.toString().contains("Cipher is ECDHE-PSK-AES128-CBC-SHA256"), out.toString());
    }

    @Test
    void tls12Psk_isRefused_unlessAllowed() throws Exception {
        assumeOpenssl();
        var served = serveHello(new TlsServerEndpoint(lookup, null));
        assertEquals("", openssl("-tls1_2", "-cipher", "PSK-AES128-GCM-SHA256"));
        assertThrows(Exception.class, () -> served.get(5, TimeUnit.SECONDS));
    }

    /** A standard PSK-TLS peer (OpenSSL) completes a TLS 1.3 external-PSK handshake with us. */
    @Test
    void interop_opensslTls13PskClient() throws Exception {
        assumeOpenssl();
        var served = CompletableFuture.supplyAsync(() -> {
            try {
                TlsConnection c = new TlsServerEndpoint(lookup, null).accept(listener.accept(), 5000, 5000);
                c.out().write("hello from cpns\n".getBytes(StandardCharsets.US_ASCII));
                c.out().flush();
                return c;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + listener.getLocalPort(),
                "-tls1_3", "-psk", HexFormat.of().formatHex(euKey), "-psk_identity", "gw-1", "-quiet")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line = new String(p.getInputStream().readNBytes(16), StandardCharsets.US_ASCII);
        assertEquals("hello from cpns\n", line);
        assertEquals("gw-1", served.get(5, TimeUnit.SECONDS).pskIdentity());
        p.destroy();
    }

    private static void assumeOpenssl() {
        String missing = Commands.missing("openssl").orElse(null);
        if (missing != null) {
            System.out.println("[TlsEndpointsTest] interop test skipped: " + missing);
        }
        assumeTrue(missing == null, missing);
    }
}
