package io.cpns.release;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The test vector of docs/updates.md §2.7 stays true: the keys and values it lists encode to the
 * hex it prints, sign to the signatures it prints (Ed25519 is deterministic), render to its
 * diagnostic notation, and verify.
 */
class ReleaseVectorTest {
    static final ReleaseKeys KEYS = Fixtures.keys(1, Fixtures.key(Fixtures.RELEASE_PUBLIC, 1830297600L));
    static final ReleaseManifest MANIFEST = new ReleaseManifest(1, 42, "2026.12-1", "cpns", "gateway", 1798761600L,
            Ed25519.keyId(Fixtures.RELEASE_PUBLIC), List.of(new BundleEntry("io.cpns.gw.pn", "1.2.0", 48213,
                    Fixtures.HEX.parseHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), 2,
                    UpdateClass.HOT, "gw-pn-1.2.0.jar")));

    @Test
    void theVectorInTheDocs_isTrue() throws Exception {
        Map<String, String> v = vector();
        assertArrayEquals(Fixtures.ROOT_PRIVATE, hex(v, "root private key"));
        assertArrayEquals(Fixtures.ROOT_PUBLIC, hex(v, "root public key"));
        assertEquals(java.util.Base64.getEncoder().encodeToString(Fixtures.ROOT_PUBLIC), v.get("cpns.update.rootKeys"));
        assertArrayEquals(Fixtures.RELEASE_PRIVATE, hex(v, "release private key"));
        assertArrayEquals(Fixtures.RELEASE_PUBLIC, hex(v, "release public key"));
        assertArrayEquals(Ed25519.publicKey(Fixtures.ROOT_PRIVATE), Fixtures.ROOT_PUBLIC);
        assertArrayEquals(Ed25519.publicKey(Fixtures.RELEASE_PRIVATE), Fixtures.RELEASE_PUBLIC);
        assertEquals(Ed25519.keyId(Fixtures.RELEASE_PUBLIC), v.get("release key id"));

        byte[] keys = ReleaseCodec.encode(KEYS);
        assertEquals(Fixtures.HEX.formatHex(keys), v.get("keys.cbor"));
        assertEquals(Diagnostic.of(keys), squeeze(v.get("keys.cbor diagnostic")));
        assertEquals(Fixtures.HEX.formatHex(Ed25519.sign(Fixtures.ROOT_PRIVATE, keys)), v.get("keys.sig"));

        byte[] manifest = ReleaseCodec.encode(MANIFEST);
        assertEquals(Fixtures.HEX.formatHex(manifest), v.get("manifest.cbor"));
        assertEquals(Diagnostic.of(manifest), squeeze(v.get("manifest.cbor diagnostic")));
        assertEquals(Fixtures.HEX.formatHex(Ed25519.sign(Fixtures.RELEASE_PRIVATE, manifest)), v.get("manifest.sig"));

        VerifiedRelease r = new ReleaseVerifier(ReleaseVerifier.parseRootKeys(v.get("cpns.update.rootKeys")))
                .verify(hex(v, "manifest.cbor"), hex(v, "manifest.sig"), hex(v, "keys.cbor"), hex(v, "keys.sig"),
                        new ReleasePolicy(Instant.parse("2026-12-01T00:00:00Z"), 41, 1, "cpns", "gateway"));
        assertEquals(MANIFEST, r.manifest());
        assertEquals(KEYS, r.keys());
    }

    private static byte[] hex(Map<String, String> v, String name) {
        return Fixtures.HEX.parseHex(v.get(name));
    }

    private static String squeeze(String s) {
        return s.replaceAll("\\s+", "");
    }

    /**
     * The block after the line {@code <!-- test vector: ReleaseVectorTest -->}: {@code name:} lines,
     * each followed by its value, possibly over several indented lines (joined without spaces for
     * hex, kept for the rest).
     */
    static Map<String, String> vector() throws Exception {
        Path doc = Path.of(System.getProperty("cpns.docs", "../../../docs"), "updates.md");
        List<String> lines = Files.readAllLines(doc, StandardCharsets.UTF_8);
        int start = lines.indexOf("<!-- test vector: ReleaseVectorTest -->");
        assertTrue(start >= 0, "no test vector marker in " + doc);
        assertEquals("```text", lines.get(start + 1));
        Map<String, String> v = new LinkedHashMap<>();
        String name = null;
        StringBuilder value = new StringBuilder();
        for (int i = start + 2; !lines.get(i).equals("```"); i++) {
            String l = lines.get(i);
            if (!l.startsWith(" ") && l.endsWith(":")) {
                if (name != null) {
                    v.put(name, value.toString());
                }
                name = l.substring(0, l.length() - 1);
                value.setLength(0);
            } else if (!l.isBlank()) {
                String t = l.strip();
                value.append(t.matches("[0-9a-f]+") ? t : (value.length() > 0 ? " " : "") + t);
            }
        }
        v.put(name, value.toString());
        return v;
    }

    /** CBOR diagnostic notation (RFC 8949 §8) of the canonical subset, without spaces. */
    static final class Diagnostic {
        private final byte[] b;
        private int pos;

        private Diagnostic(byte[] b) {
            this.b = b;
        }

        static String of(byte[] b) {
            Diagnostic d = new Diagnostic(b);
            StringBuilder s = new StringBuilder();
            d.item(s);
            return s.toString();
        }

        private long arg(int info) {
            if (info < 24) {
                return info;
            }
            long v = 0;
            for (int i = 0; i < 1 << (info - 24); i++) {
                v = (v << 8) | (b[pos++] & 0xFF);
            }
            return v;
        }

        private void item(StringBuilder s) {
            int ib = b[pos++] & 0xFF;
            long n = arg(ib & 0x1F);
            switch (ib >>> 5) {
                case 0 -> s.append(n);
                case 2 -> {
                    s.append("h'").append(Fixtures.HEX.formatHex(b, pos, pos + (int) n)).append('\'');
                    pos += (int) n;
                }
                case 3 -> {
                    s.append('"').append(new String(b, pos, (int) n, StandardCharsets.UTF_8)).append('"');
                    pos += (int) n;
                }
                case 4 -> {
                    s.append('[');
                    for (int i = 0; i < n; i++) {
                        s.append(i > 0 ? "," : "");
                        item(s);
                    }
                    s.append(']');
                }
                case 5 -> {
                    s.append('{');
                    for (int i = 0; i < n; i++) {
                        s.append(i > 0 ? "," : "");
                        item(s);
                        s.append(':');
                        item(s);
                    }
                    s.append('}');
                }
                default -> throw new IllegalArgumentException("not in the canonical subset");
            }
        }
    }

    /** Prints the vector's values (run it to write the docs' block after a deliberate format change). */
    public static void main(String[] args) {
        byte[] keys = ReleaseCodec.encode(KEYS);
        byte[] manifest = ReleaseCodec.encode(MANIFEST);
        System.out.println("kid " + Ed25519.keyId(Fixtures.RELEASE_PUBLIC));
        System.out.println("b64 root " + java.util.Base64.getEncoder().encodeToString(Fixtures.ROOT_PUBLIC));
        System.out.println("keys.cbor " + Fixtures.HEX.formatHex(keys));
        System.out.println("keys diag " + Diagnostic.of(keys));
        System.out.println("keys.sig " + Fixtures.HEX.formatHex(Ed25519.sign(Fixtures.ROOT_PRIVATE, keys)));
        System.out.println("manifest.cbor " + Fixtures.HEX.formatHex(manifest));
        System.out.println("manifest diag " + Diagnostic.of(manifest));
        System.out.println("manifest.sig " + Fixtures.HEX.formatHex(Ed25519.sign(Fixtures.RELEASE_PRIVATE, manifest)));
    }
}
