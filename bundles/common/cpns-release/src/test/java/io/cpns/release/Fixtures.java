package io.cpns.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateFailure;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.function.Executable;

/** Keys, documents and assertions shared by the tests. */
final class Fixtures {
    static final HexFormat HEX = HexFormat.of();
    /** RFC 8032 §7.1 TEST 2: the operator's root key in the tests and in the docs' vector. */
    static final byte[] ROOT_PRIVATE = HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    static final byte[] ROOT_PUBLIC = HEX.parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    /** RFC 8032 §7.1 TEST 1: a release key. */
    static final byte[] RELEASE_PRIVATE = HEX.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    static final byte[] RELEASE_PUBLIC = HEX.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    /** RFC 8032 §7.1 TEST 3: a second release key. */
    static final byte[] OTHER_PRIVATE = HEX.parseHex("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7");
    static final byte[] OTHER_PUBLIC = HEX.parseHex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025");

    /** 2026-12-01T00:00:00Z: "now" in the tests. */
    static final long NOW = 1796083200L;
    static final long YEAR = 365L * 24 * 3600;

    private Fixtures() {
    }

    static ReleaseKey key(byte[] publicKey, long notAfter) {
        return new ReleaseKey(Ed25519.keyId(publicKey), publicKey, notAfter);
    }

    static ReleaseKeys keys(long seq, ReleaseKey... keys) {
        return new ReleaseKeys(ReleaseKeys.FORMAT, seq, List.of(keys));
    }

    static BundleEntry bundle(String sn, String version, byte fill) {
        byte[] sha = new byte[32];
        java.util.Arrays.fill(sha, fill);
        return new BundleEntry(sn, version, 4096, sha, 2, UpdateClass.HOT, sn + "-" + version + ".jar");
    }

    static ReleaseManifest manifest(long seq, long expires, byte[] signerPublic, BundleEntry... bundles) {
        return new ReleaseManifest(ReleaseManifest.FORMAT, seq, "2026.12-" + seq, "cpns", "gateway", expires,
                Ed25519.keyId(signerPublic), List.of(bundles));
    }

    static ReleaseManifest manifest(long seq) {
        return manifest(seq, NOW + 30 * 24 * 3600, RELEASE_PUBLIC, bundle("gw-pn", "1.2.0", (byte) 1),
                bundle("cpns-session", "1.0.3.202612011200", (byte) 2));
    }

    /** Asserts the refusal, its failure, and that its detail is one an operator can read in one log line. */
    static ReleaseRefusedException refused(UpdateFailure expected, Executable e) {
        ReleaseRefusedException x = assertThrows(ReleaseRefusedException.class, e);
        assertEquals(expected, x.failure(), x.getMessage());
        checkDetail(x);
        return x;
    }

    static void checkDetail(ReleaseRefusedException x) {
        String d = x.detail();
        assertTrue(!d.isBlank() && d.length() <= 240, d);
        assertTrue(d.chars().allMatch(c -> c >= 0x20 && c < 0x7F), "not printable ASCII: " + d);
        // outside the quoted peer strings (which may say anything, printable and cut)
        String ours = d.replaceAll("'[^']*'", "''");
        assertTrue(!ours.matches(".*(Exception|Error|jackson|bouncycastle|java\\.).*"), "library text in: " + d);
    }
}
