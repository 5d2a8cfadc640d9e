package io.cpns.release;

import static io.cpns.release.Fixtures.NOW;
import static io.cpns.release.Fixtures.OTHER_PUBLIC;
import static io.cpns.release.Fixtures.RELEASE_PUBLIC;
import static io.cpns.release.Fixtures.bundle;
import static io.cpns.release.Fixtures.key;
import static io.cpns.release.Fixtures.keys;
import static io.cpns.release.Fixtures.manifest;
import static io.cpns.release.Fixtures.refused;
import static io.cpns.release.RawCbor.bundle0;
import static io.cpns.release.RawCbor.parts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateFailure;
import io.cpns.release.RawCbor.Raw;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ReleaseCodecTest {
    private static final ReleaseManifest M = manifest(7);
    private static final ReleaseKeys K = keys(3, key(RELEASE_PUBLIC, NOW + Fixtures.YEAR), key(OTHER_PUBLIC, NOW));

    // --- round trips

    @Test
    void manifest_roundTrips_andTheEncodingIsTheHandOrderedOne() throws Exception {
        byte[] b = ReleaseCodec.encode(M);
        assertEquals(M, ReleaseCodec.decodeManifest(b));
        assertArrayEquals(RawCbor.encode(parts(M)), b, "keys sorted shorter first, then bytewise");
    }

    @Test
    void keys_roundTrip_keyIdDerivedFromThePublicKey() throws Exception {
        byte[] b = ReleaseCodec.encode(K);
        ReleaseKeys d = ReleaseCodec.decodeKeys(b);
        assertEquals(K, d);
        assertEquals(Ed25519.keyId(RELEASE_PUBLIC), d.keys().get(0).keyId());
        assertArrayEquals(RawCbor.encode(parts(K)), b);
    }

    @Test
    void keys_mayBeEmpty_revokingEveryKey() throws Exception {
        assertEquals(keys(9), ReleaseCodec.decodeKeys(ReleaseCodec.encode(keys(9))));
    }

    @Test
    void versions_areOneForm() throws Exception {
        assertEquals("1.0.0", BundleVersions.normalize("1.0"));
        assertEquals("0.0.0", BundleVersions.normalize(null)); // OSGi: no header is version 0.0.0
        assertEquals("2.10.3.v2026_12-a", BundleVersions.normalize(" 02.10.3.v2026_12-a "));
        assertEquals(null, BundleVersions.normalize("1.0.0."));
        assertEquals(null, BundleVersions.normalize("3000000000"));
        assertTrue(BundleVersions.isNormalized("0.1.0.SNAPSHOT"));
        assertTrue(!BundleVersions.isNormalized("1.0") && !BundleVersions.isNormalized("01.0.0"));
    }

    // --- encodings that are not canonical

    @Test
    void anIntegerNotInItsShortestForm_isRefused() {
        refusedManifest("shortest", p -> p.put("fmt", Raw.hex("18 01")));
        refusedManifest("shortest", p -> p.put("seq", Raw.hex("19 0007")));
        refusedManifest("shortest", p -> p.put("exp", Raw.hex("1b 00000000 6b0c8880"))); // fits in 4 bytes
        refusedManifest("shortest", p -> bundle0(p).put("size", Raw.hex("1a 00001000")));
    }

    @Test
    void aLengthNotInItsShortestForm_isRefused() {
        refusedManifest("shortest", p -> p.put("role", Raw.hex("78 07" + hex("gateway"))));
        byte[] canonical = ReleaseCodec.encode(M);
        byte[] b = new byte[canonical.length + 1]; // the top-level map head: a8 -> b8 08
        b[0] = (byte) 0xb8;
        b[1] = 8;
        System.arraycopy(canonical, 1, b, 2, canonical.length - 1);
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(b));
    }

    @Test
    void indefiniteLengths_areRefused() {
        refusedManifest("indefinite", p -> p.put("name", Raw.hex("7f 62" + hex("20") + " 63" + hex("26.12-7".substring(0, 3)) + " ff")));
        refusedManifest("indefinite", p -> bundle0(p).put("sha256", Raw.hex("5f 58 20" + "01".repeat(32) + " ff")));
        byte[] canonical = ReleaseCodec.encode(M);
        byte[] b = Arrays.copyOf(canonical, canonical.length + 1); // map a8 -> bf ... ff
        b[0] = (byte) 0xbf;
        b[b.length - 1] = (byte) 0xff;
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(b));
    }

    @Test
    void keysOutOfCanonicalOrder_areRefused() {
        LinkedHashMap<Object, Object> p = parts(M);
        LinkedHashMap<Object, Object> swapped = new LinkedHashMap<>();
        swapped.put("fmt", p.get("fmt")); // fmt before exp: bytewise "exp" < "fmt"
        swapped.put("exp", p.get("exp"));
        p.forEach(swapped::putIfAbsent);
        assertTrue(detail(swapped).contains("canonical order"));

        LinkedHashMap<Object, Object> longFirst = new LinkedHashMap<>();
        longFirst.put("bundles", p.get("bundles")); // sorted by length first, not alphabetically
        p.forEach(longFirst::putIfAbsent);
        assertTrue(detail(longFirst).contains("canonical order"));
    }

    @Test
    void aDuplicateKey_isRefused() {
        LinkedHashMap<Object, Object> p = parts(M);
        List<Object> entries = new ArrayList<>();
        p.forEach((k, v) -> {
            entries.add(k);
            entries.add(v);
            if (k.equals("exp")) {
                entries.add("exp");
                entries.add(v);
            }
        });
        // nine entries under a head of eight would leave trailing bytes: say nine
        byte[] body = RawCbor.encode(entries);
        byte[] b = body.clone();
        b[0] = (byte) 0xa9;
        String d = refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(b)).detail();
        assertTrue(d.contains("twice") || d.contains("canonical"), d);
    }

    @Test
    void trailingBytes_areRefused() {
        byte[] canonical = ReleaseCodec.encode(M);
        byte[] b = Arrays.copyOf(canonical, canonical.length + 1);
        assertTrue(refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(b)).detail().contains("after the end"));
        byte[] k = ReleaseCodec.encode(K);
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(Arrays.copyOf(k, k.length + 1)));
    }

    @Test
    void truncatedInput_isRefusedAtEveryLength() {
        byte[] canonical = ReleaseCodec.encode(M);
        for (int n = 0; n < canonical.length; n++) {
            byte[] b = Arrays.copyOf(canonical, n);
            refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(b));
        }
    }

    // --- keys and types

    @Test
    void anUnknownKey_isRefused() {
        assertTrue(detailWith(p -> p.put("zzz", 1L)).contains("unknown key 'zzz'"));
        assertTrue(detailWith(p -> bundle0(p).put("x", 1L)).contains("unknown key 'x'"));
        LinkedHashMap<Object, Object> k = parts(K);
        k.put("note", "hi");
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(RawCbor.encode(k)));
    }

    @Test
    void aMissingKey_isRefused() {
        assertTrue(detailWith(p -> p.remove("exp")).contains("'exp'"));
        assertTrue(detailWith(p -> p.remove("bundles")).contains("'bundles'"));
        refusedManifest("'sha256'", p -> bundle0(p).remove("sha256"));
    }

    @Test
    void aWrongType_isRefused() {
        refusedManifest("text string, not an unsigned", p -> p.put("fmt", "1"));
        refusedManifest("negative integer", p -> p.put("seq", Raw.hex("20"))); // -1
        refusedManifest("negative integer", p -> bundle0(p).put("size", Raw.hex("39 0fff"))); // -4096
        refusedManifest("float", p -> p.put("exp", Raw.hex("fb 41da c32b 0000 0000")));
        refusedManifest("tagged", p -> p.put("exp", Raw.hex("c1 1a 6b0c8880"))); // tag 1: epoch time
        refusedManifest("simple value", p -> p.put("name", Raw.hex("f6"))); // null
        refusedManifest("byte string, not a text", p -> p.put("kid", Fixtures.HEX.parseHex(M.keyId())));
        refusedManifest("not valid UTF-8", p -> p.put("name", Raw.hex("62 c328")));
        refusedManifest("unknown update class", p -> bundle0(p).put("class", "hot"));
        refusedManifest("reserved", p -> p.put("seq", Raw.hex("1c")));
        refusedManifest("too large", p -> p.put("seq", Raw.hex("1b ffffffffffffffff")));
    }

    // --- values

    @Test
    void aFileThatIsNotAPlainName_isRefused() {
        for (String f : List.of("../gw-pn.jar", "a/b.jar", "..", "x..jar", ".hidden.jar", "", "a\\b.jar", "a b.jar",
                "a\u0000.jar", "é.jar", "x".repeat(256))) {
            refusedManifest(null, p -> bundle0(p).put("file", f));
        }
    }

    @Test
    void aSha256NotOf32Bytes_isRefused() {
        assertTrue(detailWith(p -> bundle0(p).put("sha256", new byte[31])).contains("31 bytes, not 32"));
        refusedManifest(null, p -> bundle0(p).put("sha256", new byte[33]));
    }

    @Test
    void valuesOutOfRange_areRefused() {
        refusedManifest("size 0", p -> bundle0(p).put("size", 0L));
        refusedManifest("start level 0", p -> bundle0(p).put("level", 0L));
        refusedManifest("out of range", p -> bundle0(p).put("level", 1L << 31));
        refusedManifest("releaseSeq", p -> p.put("seq", 0L));
        refusedManifest("format 2", p -> p.put("fmt", 2L));
        refusedManifest("key id", p -> p.put("kid", M.keyId().toUpperCase()));
        refusedManifest("product", p -> p.put("prod", "cp ns"));
        refusedManifest("role", p -> p.put("role", ""));
        refusedManifest("control character", p -> p.put("name", "a\nb"));
        refusedManifest("version", p -> bundle0(p).put("ver", "1.0"));
        refusedManifest("symbolic name", p -> bundle0(p).put("sn", "gw-pn;singleton:=true"));
        refusedManifest("no bundles", p -> p.put("bundles", List.of()));
    }

    @Test
    void aDuplicateSymbolicNameOrFile_isRefused() {
        BundleEntry a = bundle("gw-pn", "1.0.0", (byte) 1);
        BundleEntry sameName = bundle("gw-pn", "1.1.0", (byte) 2);
        BundleEntry sameFile = new BundleEntry("gw-link", "1.0.0", 1, new byte[32], 2, UpdateClass.HOT, a.file());
        for (BundleEntry second : List.of(sameName, sameFile)) {
            LinkedHashMap<Object, Object> p = parts(M);
            p.put("bundles", List.of(parts(a), parts(second)));
            assertTrue(detail(p).contains("listed twice"), detail(p));
            assertThrows(IllegalArgumentException.class, () -> ReleaseCodec.encode(new ReleaseManifest(1, 7, "n", "cpns",
                    "gateway", NOW, M.keyId(), List.of(a, second))));
        }
    }

    @Test
    void keysDocument_valuesAndDuplicates() {
        LinkedHashMap<Object, Object> k = parts(K);
        k.put("fmt", 2L);
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(RawCbor.encode(k)));
        LinkedHashMap<Object, Object> dup = parts(keys(3, key(RELEASE_PUBLIC, NOW), key(OTHER_PUBLIC, NOW)));
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) dup.get("keys");
        dup.put("keys", List.of(list.get(0), list.get(0)));
        assertTrue(refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(RawCbor.encode(dup))).detail().contains("twice"));
        LinkedHashMap<Object, Object> shortKey = parts(K);
        LinkedHashMap<Object, Object> e = new LinkedHashMap<>();
        e.put("exp", NOW);
        e.put("pub", new byte[31]);
        shortKey.put("keys", List.of(e));
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(RawCbor.encode(shortKey)));
        LinkedHashMap<Object, Object> seq0 = parts(K);
        seq0.put("seq", 0L);
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(RawCbor.encode(seq0)));
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(ReleaseCodec.encode(M))); // a manifest is no keys document
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(ReleaseCodec.encode(K)));
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(new byte[0]));
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(null));
    }

    // --- bounds

    @Test
    void aManifestOver1MiB_isRefusedBeforeParsing() {
        byte[] b = new byte[ReleaseCodec.MAX_MANIFEST_BYTES + 1];
        assertTrue(refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(b)).detail().contains("1048577 bytes"));
        refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(new byte[ReleaseCodec.MAX_KEYS_BYTES + 1]));
    }

    @Test
    void upTo1000Bundles_areRead_1001Refused() throws Exception {
        List<BundleEntry> many = new ArrayList<>();
        for (int i = 0; i < ReleaseCodec.MAX_BUNDLES; i++) {
            many.add(bundle("b" + i, "1.0.0", (byte) i));
        }
        ReleaseManifest full = new ReleaseManifest(1, 7, "big", "cpns", "gateway", NOW, M.keyId(), many);
        assertEquals(full, ReleaseCodec.decodeManifest(ReleaseCodec.encode(full)));

        List<Object> over = new ArrayList<>();
        many.forEach(b -> over.add(parts(b)));
        over.add(parts(bundle("b1000", "1.0.0", (byte) 0)));
        assertTrue(detailWith(p -> p.put("bundles", over)).contains("more than 1000 items"));
        // a head claiming 2^32 items and nothing after it: refused on the count, nothing allocated
        assertTrue(detailWith(p -> p.put("bundles", Raw.hex("9b 0000000100000000"))).contains("more than 1000"));
        many.add(bundle("b1000", "1.0.0", (byte) 0));
        assertThrows(IllegalArgumentException.class, () -> ReleaseCodec.encode(
                new ReleaseManifest(1, 7, "big", "cpns", "gateway", NOW, M.keyId(), many)));
    }

    @Test
    void moreThan100Keys_areRefused() {
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i <= ReleaseCodec.MAX_KEYS; i++) {
            LinkedHashMap<Object, Object> e = new LinkedHashMap<>();
            e.put("exp", NOW);
            byte[] pub = new byte[32];
            pub[0] = (byte) i;
            e.put("pub", pub);
            keys.add(e);
        }
        LinkedHashMap<Object, Object> k = parts(K);
        k.put("keys", keys);
        assertTrue(refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeKeys(RawCbor.encode(k))).detail().contains("more than 100"));
    }

    @Test
    void aLengthBeyondTheInput_isRefusedWithoutAllocatingIt() {
        refusedManifest("longer than", p -> p.put("name", Raw.hex("7a 7fffffff")));
        // the last value of the document claims 32 bytes and has 2
        refusedManifest("ends inside", p -> {
            LinkedHashMap<Object, Object> last = bundle0(p);
            last.put("sha256", Raw.hex("58 20 0102"));
            p.put("bundles", List.of(last));
        });
    }

    @Test
    void encode_refusesWhatAGatewayWouldRefuse() {
        BundleEntry negative = new BundleEntry("gw-pn", "1.0.0", -1, new byte[32], 2, UpdateClass.HOT, "gw-pn.jar");
        assertThrows(IllegalArgumentException.class, () -> ReleaseCodec.encode(manifest(1, NOW, RELEASE_PUBLIC, negative)));
        BundleEntry slash = new BundleEntry("gw-pn", "1.0.0", 1, new byte[32], 2, UpdateClass.HOT, "a/gw-pn.jar");
        assertThrows(IllegalArgumentException.class, () -> ReleaseCodec.encode(manifest(1, NOW, RELEASE_PUBLIC, slash)));
        assertThrows(IllegalArgumentException.class, () -> ReleaseCodec.encode(new ReleaseKeys(1, 1,
                List.of(new io.cpns.api.update.ReleaseKey("00".repeat(16), RELEASE_PUBLIC, NOW)))));
    }

    // --- helpers

    private static String hex(String ascii) {
        return Fixtures.HEX.formatHex(ascii.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String detail(Map<Object, Object> parts) {
        return refused(UpdateFailure.MALFORMED, () -> ReleaseCodec.decodeManifest(RawCbor.encode(parts))).detail();
    }

    private static String detailWith(Consumer<LinkedHashMap<Object, Object>> change) {
        LinkedHashMap<Object, Object> p = parts(M);
        change.accept(p);
        return detail(p);
    }

    private static void refusedManifest(String detailContains, Consumer<LinkedHashMap<Object, Object>> change) {
        String d = detailWith(change);
        if (detailContains != null) {
            assertTrue(d.contains(detailContains), d);
        }
    }
}
