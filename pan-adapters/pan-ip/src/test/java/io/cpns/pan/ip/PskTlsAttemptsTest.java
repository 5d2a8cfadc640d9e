package io.cpns.pan.ip;

import static io.cpns.pan.ip.AdapterFixture.MAX_FRAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cpns.codec.FrameWriter;
import io.cpns.crypto.Randoms;
import io.cpns.session.tls.TlsClientEndpoint;
import io.cpns.testkit.Commands;
import java.util.HexFormat;
import java.io.File;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.BasicTlsPSKIdentity;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PSK-TLS attempts that fail, from real TLS clients over loopback (Bouncy Castle, and OpenSSL's
 * {@code s_client} where installed). Issue 10: an unknown identity got a different alert than a
 * known one with a wrong key, so a device could list the PNEs a PN GW knows; and wrong keys could
 * be tried without limit.
 */
class PskTlsAttemptsTest {
    private static final String KNOWN = "pne-a";
    private static final String UNKNOWN = "pne-nobody";
    private static final Pattern OPENSSL_ALERT = Pattern.compile("alert number (\\d+)");

    private final AdapterFixture f = new AdapterFixture();
    private final byte[] key = Randoms.bytes(32);

    @BeforeEach
    void keys() {
        f.context.keys.put(KNOWN, key);
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    /** The alert the PN GW ended the handshake with, as the client received it. */
    private interface Attempt {
        void run() throws Exception;
    }

    private static String alertOf(Attempt attempt) {
        try {
            attempt.run();
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof TlsFatalAlertReceived r) {
                    return AlertDescription.getName(r.getAlertDescription());
                }
            }
            throw new AssertionError("no alert received: " + e, e);
        }
        throw new AssertionError("the handshake succeeded");
    }

    private String bcTls13(String identity, byte[] psk, InetAddress from) {
        return alertOf(() -> TlsClientEndpoint.psk(f.dial(from), identity, psk, 2000, 2000).close());
    }

    private String bcTls13(String identity, byte[] psk) {
        return bcTls13(identity, psk, InetAddress.getLoopbackAddress());
    }

    /** A small device's TLS 1.2 PSK client (RFC 4279/5489): Bouncy Castle's own PSKTlsClient. */
    private String bcTls12(String identity, byte[] psk) {
        return alertOf(() -> {
            try (Socket s = f.dial()) {
                PSKTlsClient client = new PSKTlsClient(new BcTlsCrypto(Randoms.secureRandom()),
                        new BasicTlsPSKIdentity(identity, psk)) {
                    @Override
                    protected ProtocolVersion[] getSupportedVersions() {
                        return ProtocolVersion.TLSv12.only();
                    }

                    @Override
                    protected int[] getSupportedCipherSuites() {
                        return new int[] {CipherSuite.TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256,
                            CipherSuite.TLS_PSK_WITH_AES_128_GCM_SHA256};
                    }
                };
                new TlsClientProtocol(s.getInputStream(), s.getOutputStream()).connect(client);
            }
        });
    }

    /** OpenSSL as the PNE: the alert number it prints. */
    private String openssl(String version, String identity, byte[] psk, String... more) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + f.adapter.port(),
                version, "-psk", HexFormat.of().formatHex(psk), "-psk_identity", identity));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "s_client ended");
        Matcher m = OPENSSL_ALERT.matcher(out);
        if (!m.find()) {
            throw new AssertionError("s_client saw no alert:\n" + out);
        }
        return "alert " + m.group(1);
    }

    private static void assumeOpenssl() {
        String missing = Commands.missing("openssl").orElse(null);
        if (missing != null) {
            System.out.println("[PskTlsAttemptsTest] SKIPPED: " + missing);
        }
        assumeTrue(missing == null, missing);
    }

    // ---- item: PSK identity enumeration ----

    @Test
    void tls13_unknownIdentity_getsTheAlertOfAWrongKey() throws Exception {
        f.start(Map.of());
        String wrongKey = bcTls13(KNOWN, Randoms.bytes(32));
        String unknown = bcTls13(UNKNOWN, Randoms.bytes(32));
        System.out.println("[PskTlsAttemptsTest] TLS 1.3 (Bouncy Castle): wrong key -> " + wrongKey + ", unknown identity -> " + unknown);
        assertEquals(wrongKey, unknown);
    }

    @Test
    void tls12Psk_unknownIdentity_getsTheAlertOfAWrongKey() throws Exception {
        f.start(Map.of());
        String wrongKey = bcTls12(KNOWN, Randoms.bytes(32));
        String unknown = bcTls12(UNKNOWN, Randoms.bytes(32));
        System.out.println("[PskTlsAttemptsTest] TLS 1.2 PSK (Bouncy Castle): wrong key -> " + wrongKey + ", unknown identity -> " + unknown);
        assertEquals(wrongKey, unknown);
    }

    @Test
    void openssl_unknownIdentity_getsTheAlertOfAWrongKey_inTls13AndTls12() throws Exception {
        assumeOpenssl();
        f.start(Map.of());
        String wrong13 = openssl("-tls1_3", KNOWN, Randoms.bytes(32));
        String unknown13 = openssl("-tls1_3", UNKNOWN, Randoms.bytes(32));
        String wrong12 = openssl("-tls1_2", KNOWN, Randoms.bytes(32), "-cipher", "PSK-AES128-GCM-SHA256");
        String unknown12 = openssl("-tls1_2", UNKNOWN, Randoms.bytes(32), "-cipher", "PSK-AES128-GCM-SHA256");
        System.out.printf("[PskTlsAttemptsTest] openssl s_client: TLS 1.3 wrong key %s, unknown %s; TLS 1.2 wrong key %s, unknown %s%n",
                wrong13, unknown13, wrong12, unknown12);
        assertEquals(wrong13, unknown13, "TLS 1.3");
        assertEquals(wrong12, unknown12, "TLS 1.2");
    }

    // ---- item: failed PSK-TLS handshakes back off per source ----

    @Test
    void failedHandshakes_fromOneAddress_areRefusedWithoutAHandshake_whileItBacksOff() throws Exception {
        f.start(Map.of("handshakeFailuresFree", 2, "handshakeBackoffMillis", 60000));
        for (int i = 0; i < 3; i++) {
            assertEquals("decrypt_error", bcTls13(KNOWN, Randoms.bytes(32)));
        }
        // the client reads the alert before the adapter counts the failure; the slot is freed after it is counted
        f.assertSlotsInUse(0);
        int lookups = f.context.pskLookups.get();
        assertEquals(3, lookups);

        assertEquals("access_denied", bcTls13(KNOWN, key), "even the right key is not tried while backed off");
        if (Commands.installed("openssl")) { // a standard stack reads the refusal too
            assertEquals("alert 49", openssl("-tls1_3", KNOWN, key), "access_denied");
        }
        assertEquals(lookups, f.context.pskLookups.get(), "no handshake ran: no key was looked up");
        assertTrue(f.log.all().contains("without a handshake"), f.log.all());
        f.assertSlotsInUse(0);

        Socket plain = f.dial(); // a keyless first contact from the same address is still served
        new FrameWriter(plain.getOutputStream(), MAX_FRAME).write(Randoms.bytes(10));
        assertNull(f.context.nextLink().connection.authenticatedIdentity());

        // another address has its own count
        Socket other = f.dial(InetAddress.getByName("127.0.0.2"));
        TlsClientEndpoint.psk(other, KNOWN, key, 2000, 2000);
        assertEquals(KNOWN, f.context.nextLink().connection.authenticatedIdentity());
    }

    @Test
    void aSuccessfulHandshake_startsTheCountAfresh() throws Exception {
        f.start(Map.of("handshakeFailuresFree", 2, "handshakeBackoffMillis", 60000));
        for (int round = 0; round < 3; round++) {
            assertEquals("decrypt_error", bcTls13(KNOWN, Randoms.bytes(32)));
            assertEquals("decrypt_error", bcTls13(KNOWN, Randoms.bytes(32)));
            TlsClientEndpoint.psk(f.dial(), KNOWN, key, 2000, 2000);
            assertEquals(KNOWN, f.context.nextLink().connection.authenticatedIdentity());
        }
    }
}
