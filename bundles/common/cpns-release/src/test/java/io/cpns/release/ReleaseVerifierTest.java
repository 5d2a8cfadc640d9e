package io.cpns.release;

import static io.cpns.release.Fixtures.NOW;
import static io.cpns.release.Fixtures.OTHER_PRIVATE;
import static io.cpns.release.Fixtures.OTHER_PUBLIC;
import static io.cpns.release.Fixtures.RELEASE_PRIVATE;
import static io.cpns.release.Fixtures.RELEASE_PUBLIC;
import static io.cpns.release.Fixtures.ROOT_PRIVATE;
import static io.cpns.release.Fixtures.ROOT_PUBLIC;
import static io.cpns.release.Fixtures.YEAR;
import static io.cpns.release.Fixtures.bundle;
import static io.cpns.release.Fixtures.key;
import static io.cpns.release.Fixtures.keys;
import static io.cpns.release.Fixtures.manifest;
import static io.cpns.release.Fixtures.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateFailure;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseVerifierTest {
    private static final ReleaseVerifier VERIFIER = new ReleaseVerifier(List.of(ROOT_PUBLIC));
    private static final ReleasePolicy POLICY = policy(NOW, 6, 2);

    /** One offer as the Server carries it: the four signed byte strings. */
    private record Offer(byte[] manifest, byte[] manifestSig, byte[] keys, byte[] keysSig) {
        static Offer of(ReleaseManifest m, byte[] signer, ReleaseKeys k, byte[] root) {
            byte[] mb = ReleaseCodec.encode(m);
            byte[] kb = ReleaseCodec.encode(k);
            return new Offer(mb, Ed25519.sign(signer, mb), kb, Ed25519.sign(root, kb));
        }

        VerifiedRelease verify(ReleasePolicy p) throws ReleaseRefusedException {
            return VERIFIER.verify(manifest, manifestSig, keys, keysSig, p);
        }
    }

    private static ReleasePolicy policy(long now, long committed, long heldKeys) {
        return new ReleasePolicy(Instant.ofEpochSecond(now), committed, heldKeys, "cpns", "gateway");
    }

    private static ReleaseKeys currentKeys() {
        return keys(2, key(RELEASE_PUBLIC, NOW + YEAR), key(OTHER_PUBLIC, NOW + YEAR));
    }

    private static Offer good() {
        return Offer.of(manifest(7), RELEASE_PRIVATE, currentKeys(), ROOT_PRIVATE);
    }

    @Test
    void rfc8032Keys_areTheOnesTheTestsName() {
        assertArrayEquals(ROOT_PUBLIC, Ed25519.publicKey(ROOT_PRIVATE));
        assertArrayEquals(RELEASE_PUBLIC, Ed25519.publicKey(RELEASE_PRIVATE));
        assertArrayEquals(OTHER_PUBLIC, Ed25519.publicKey(OTHER_PRIVATE));
        // RFC 8032 §7.1 TEST 1: the empty message
        assertEquals("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
                Fixtures.HEX.formatHex(Ed25519.sign(RELEASE_PRIVATE, new byte[0])));
    }

    @Test
    void aGoodRelease_isAccepted_withItsSignerAndKeys() throws Exception {
        VerifiedRelease v = good().verify(POLICY);
        assertEquals(manifest(7), v.manifest());
        assertEquals(currentKeys(), v.keys());
        assertEquals(Ed25519.keyId(RELEASE_PUBLIC), v.signer().keyId());
    }

    // --- tampering

    @Test
    void everySingleByteChanged_inManifestKeysOrSignatures_isRefused() {
        Offer o = good();
        byte[][] parts = {o.manifest, o.manifestSig, o.keys, o.keysSig};
        for (int part = 0; part < parts.length; part++) {
            for (int i = 0; i < parts[part].length; i++) {
                byte[][] copy = {o.manifest.clone(), o.manifestSig.clone(), o.keys.clone(), o.keysSig.clone()};
                copy[part][i] ^= 0x01;
                Offer t = new Offer(copy[0], copy[1], copy[2], copy[3]);
                ReleaseRefusedException x = assertThrows(ReleaseRefusedException.class, () -> t.verify(POLICY),
                        "part " + part + " byte " + i);
                Fixtures.checkDetail(x);
                assertTrue(x.failure() == UpdateFailure.BAD_SIGNATURE || x.failure() == UpdateFailure.MALFORMED
                        || x.failure() == UpdateFailure.UNKNOWN_KEY, x.getMessage());
            }
        }
    }

    @Test
    void aTamperedManifestValue_isABadSignature() {
        Offer o = good();
        byte[] m = o.manifest.clone();
        int at = indexOf(m, "2026.12-7".getBytes()) + 8;
        m[at] = '8'; // name "2026.12-8": still a well-formed manifest
        String d = refused(UpdateFailure.BAD_SIGNATURE, () -> new Offer(m, o.manifestSig, o.keys, o.keysSig).verify(POLICY)).detail();
        assertTrue(d.contains("manifest signature") && d.contains(Ed25519.keyId(RELEASE_PUBLIC)), d);
    }

    @Test
    void aTamperedKeysDocument_isABadSignature() {
        Offer o = good();
        byte[] k = o.keys.clone();
        int at = indexOf(k, RELEASE_PUBLIC);
        System.arraycopy(Fixtures.HEX.parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"), 0, k, at, 32);
        assertTrue(refused(UpdateFailure.BAD_SIGNATURE, () -> new Offer(o.manifest, o.manifestSig, k, o.keysSig).verify(POLICY))
                .detail().contains("pinned root key"));
    }

    @Test
    void signaturesOfTheWrongLength_areBadSignatures() {
        Offer o = good();
        refused(UpdateFailure.BAD_SIGNATURE, () -> new Offer(o.manifest, new byte[0], o.keys, o.keysSig).verify(POLICY));
        refused(UpdateFailure.BAD_SIGNATURE, () -> new Offer(o.manifest, o.manifestSig, o.keys, java.util.Arrays.copyOf(o.keysSig, 65)).verify(POLICY));
    }

    @Test
    void aKeysDocumentSignedByAnotherRoot_isRefused() {
        Offer o = Offer.of(manifest(7), RELEASE_PRIVATE, currentKeys(), OTHER_PRIVATE);
        refused(UpdateFailure.BAD_SIGNATURE, () -> o.verify(POLICY));
        // the other root pinned too: accepted (two roots pinned during a root rotation)
        ReleaseVerifier two = new ReleaseVerifier(List.of(ROOT_PUBLIC, OTHER_PUBLIC));
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> two.verify(o.manifest, o.manifestSig, o.keys, o.keysSig, POLICY));
    }

    @Test
    void aManifestSignedByTheRootOrAnotherCertifiedKey_isABadSignature() {
        Offer o = good();
        refused(UpdateFailure.BAD_SIGNATURE, () -> new Offer(o.manifest, Ed25519.sign(ROOT_PRIVATE, o.manifest), o.keys, o.keysSig).verify(POLICY));
        refused(UpdateFailure.BAD_SIGNATURE, () -> new Offer(o.manifest, Ed25519.sign(OTHER_PRIVATE, o.manifest), o.keys, o.keysSig).verify(POLICY));
    }

    // --- keys

    @Test
    void aManifestByAKeyTheRootNeverCertified_isAnUnknownKey() {
        Offer o = Offer.of(manifest(7, NOW + 3600, ROOT_PUBLIC, bundle("gw-pn", "1.2.0", (byte) 1)), ROOT_PRIVATE,
                currentKeys(), ROOT_PRIVATE);
        assertTrue(refused(UpdateFailure.UNKNOWN_KEY, () -> o.verify(POLICY)).detail().contains("never certified, or revoked"));
    }

    @Test
    void aRevokedKey_absentFromANewerKeysDocument_isAnUnknownKey() throws Exception {
        ReleaseManifest byOther = manifest(7, NOW + 3600, OTHER_PUBLIC, bundle("gw-pn", "1.2.0", (byte) 1));
        Offer before = Offer.of(byOther, OTHER_PRIVATE, currentKeys(), ROOT_PRIVATE);
        before.verify(POLICY);
        ReleaseKeys revoked = keys(3, key(RELEASE_PUBLIC, NOW + YEAR));
        Offer after = Offer.of(byOther, OTHER_PRIVATE, revoked, ROOT_PRIVATE);
        refused(UpdateFailure.UNKNOWN_KEY, () -> after.verify(POLICY));
        // and the old document that still lists it cannot be replayed once keys 3 are held
        refused(UpdateFailure.REPLAYED, () -> before.verify(policy(NOW, 6, 3)));
    }

    @Test
    void anOlderKeysDocument_isReplayed_theSameOrANewerOneAccepted() throws Exception {
        Offer o = good(); // keys 2
        assertTrue(refused(UpdateFailure.REPLAYED, () -> o.verify(policy(NOW, 6, 3))).detail().contains("older than the 3 held"));
        o.verify(policy(NOW, 6, 2));
        o.verify(policy(NOW, 6, 0));
    }

    // --- time

    @Test
    void anExpiredKey_isRefused() {
        Offer o = Offer.of(manifest(7), RELEASE_PRIVATE, keys(2, key(RELEASE_PUBLIC, NOW - 1)), ROOT_PRIVATE);
        assertTrue(refused(UpdateFailure.EXPIRED, () -> o.verify(POLICY)).detail().contains("key " + Ed25519.keyId(RELEASE_PUBLIC)));
    }

    @Test
    void anExpiredManifest_isRefused_upToTheSecondItNames() throws Exception {
        long expires = NOW + 100;
        Offer o = Offer.of(manifest(7, expires, RELEASE_PUBLIC, bundle("gw-pn", "1.2.0", (byte) 1)), RELEASE_PRIVATE,
                currentKeys(), ROOT_PRIVATE);
        o.verify(policy(expires, 6, 2));
        ReleasePolicy justAfter = new ReleasePolicy(Instant.ofEpochSecond(expires, 1), 6, 2, "cpns", "gateway");
        assertTrue(refused(UpdateFailure.EXPIRED, () -> o.verify(justAfter)).detail().contains("release 7 expired at"));
    }

    @Test
    void expiriesBeyondInstantsRange_areNoError() throws Exception {
        Offer o = Offer.of(manifest(7, Long.MAX_VALUE, RELEASE_PUBLIC, bundle("gw-pn", "1.2.0", (byte) 1)), RELEASE_PRIVATE,
                keys(2, key(RELEASE_PUBLIC, Long.MAX_VALUE)), ROOT_PRIVATE);
        o.verify(POLICY);
    }

    // --- compatibility and sequence

    @Test
    void anotherProductOrRole_isIncompatible() {
        Offer o = good();
        assertTrue(refused(UpdateFailure.INCOMPATIBLE, () -> o.verify(new ReleasePolicy(Instant.ofEpochSecond(NOW), 6, 2, "cpns", "server")))
                .detail().contains("is for cpns/gateway, this is cpns/server"));
        refused(UpdateFailure.INCOMPATIBLE, () -> o.verify(new ReleasePolicy(Instant.ofEpochSecond(NOW), 6, 2, "other", "gateway")));
    }

    @Test
    void aReleaseNotAboveTheCommittedOne_isReplayed() throws Exception {
        Offer o = good(); // release 7
        assertTrue(refused(UpdateFailure.REPLAYED, () -> o.verify(policy(NOW, 7, 2))).detail().contains("not above release 7"));
        refused(UpdateFailure.REPLAYED, () -> o.verify(policy(NOW, 9, 2)));
        o.verify(policy(NOW, 6, 2));
        o.verify(policy(NOW, 0, 0));
    }

    // --- the order of checks (docs/updates.md §2.4)

    @Test
    void theFirstFailingCheck_isTheOneReported() {
        // expired, incompatible and replayed at once: expiry comes first
        Offer all = Offer.of(new ReleaseManifest(1, 3, "old", "cpns", "server", NOW - 10, Ed25519.keyId(RELEASE_PUBLIC),
                List.of(bundle("gw-pn", "1.2.0", (byte) 1))), RELEASE_PRIVATE, keys(2, key(RELEASE_PUBLIC, NOW - 5)), ROOT_PRIVATE);
        assertTrue(refused(UpdateFailure.EXPIRED, () -> all.verify(POLICY)).detail().contains("key"), "the key's expiry before the manifest's");
        // incompatible and replayed: incompatible
        Offer both = Offer.of(new ReleaseManifest(1, 3, "old", "cpns", "server", NOW + 10, Ed25519.keyId(RELEASE_PUBLIC),
                List.of(bundle("gw-pn", "1.2.0", (byte) 1))), RELEASE_PRIVATE, currentKeys(), ROOT_PRIVATE);
        refused(UpdateFailure.INCOMPATIBLE, () -> both.verify(POLICY));
        // an old keys document and an unknown key: the keys document first
        Offer oldKeys = Offer.of(manifest(7, NOW + 10, ROOT_PUBLIC, bundle("gw-pn", "1.2.0", (byte) 1)), ROOT_PRIVATE,
                keys(1, key(RELEASE_PUBLIC, NOW + YEAR)), ROOT_PRIVATE);
        refused(UpdateFailure.REPLAYED, () -> oldKeys.verify(POLICY));
        // a bad keys signature before a malformed manifest
        Offer o = good();
        refused(UpdateFailure.BAD_SIGNATURE, () -> new Offer(new byte[] {1}, o.manifestSig, o.keys, new byte[64]).verify(POLICY));
        // a malformed keys document before everything
        refused(UpdateFailure.MALFORMED, () -> new Offer(new byte[] {1}, o.manifestSig, new byte[] {(byte) 0xa0}, o.keysSig).verify(POLICY));
        // an unknown key before a bad manifest signature
        Offer unknown = Offer.of(manifest(7, NOW + 10, ROOT_PUBLIC, bundle("gw-pn", "1.2.0", (byte) 1)), ROOT_PRIVATE,
                currentKeys(), ROOT_PRIVATE);
        refused(UpdateFailure.UNKNOWN_KEY, () -> new Offer(unknown.manifest, new byte[64], unknown.keys, unknown.keysSig).verify(POLICY));
    }

    // --- pinned root keys

    @Test
    void rootKeys_parseFromTheFrameworkProperty() {
        String a = Base64.getEncoder().encodeToString(ROOT_PUBLIC);
        String b = Base64.getEncoder().encodeToString(OTHER_PUBLIC);
        List<byte[]> keys = ReleaseVerifier.parseRootKeys(" " + a + " , " + b);
        assertEquals(2, keys.size());
        assertArrayEquals(OTHER_PUBLIC, keys.get(1));
        assertThrows(IllegalArgumentException.class, () -> ReleaseVerifier.parseRootKeys(null));
        assertThrows(IllegalArgumentException.class, () -> ReleaseVerifier.parseRootKeys("  "));
        assertThrows(IllegalArgumentException.class, () -> ReleaseVerifier.parseRootKeys(a + ","));
        assertThrows(IllegalArgumentException.class, () -> ReleaseVerifier.parseRootKeys("not*base64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ReleaseVerifier.parseRootKeys(
                Base64.getEncoder().encodeToString(new byte[31]))).getMessage().contains("31 bytes"));
        assertThrows(IllegalArgumentException.class, () -> new ReleaseVerifier(List.of()));
        assertThrows(IllegalArgumentException.class, () -> new ReleaseVerifier(List.of(new byte[31])));
    }

    @Test
    void keyId_isTheFirst16BytesOfSha256_inLowercaseHex() throws Exception {
        byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(RELEASE_PUBLIC);
        assertEquals(Fixtures.HEX.formatHex(sha).substring(0, 32), Ed25519.keyId(RELEASE_PUBLIC));
        assertThrows(IllegalArgumentException.class, () -> Ed25519.keyId(new byte[31]));
    }

    @Test
    void verify_isFalse_neverAnError_forKeysThatAreNoPoints() {
        byte[] notAPoint = new byte[32];
        java.util.Arrays.fill(notAPoint, (byte) 0xff);
        assertTrue(!Ed25519.verify(notAPoint, new byte[1], new byte[64]));
        assertTrue(!Ed25519.verify(null, new byte[1], new byte[64]));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
