package io.cpns.release;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds CBOR in exactly the order and form a test says, canonical or not: maps keep their
 * insertion order, {@link Raw} values are written as given.
 */
final class RawCbor {
    /** Bytes written as they are (a hand-made encoding). */
    record Raw(byte[] bytes) {
        static Raw hex(String hex) {
            return new Raw(Fixtures.HEX.parseHex(hex.replace(" ", "")));
        }
    }

    private RawCbor() {
    }

    static byte[] encode(Object v) {
        CanonicalCbor.Writer w = new CanonicalCbor.Writer();
        write(w, v);
        return w.toByteArray();
    }

    private static void write(CanonicalCbor.Writer w, Object v) {
        if (v instanceof Raw r) {
            w.raw(r.bytes());
        } else if (v instanceof String s) {
            w.text(s);
        } else if (v instanceof Number n) {
            w.uint(n.longValue());
        } else if (v instanceof byte[] b) {
            w.bytes(b);
        } else if (v instanceof List<?> l) {
            w.head(CanonicalCbor.ARRAY, l.size());
            l.forEach(i -> write(w, i));
        } else if (v instanceof Map<?, ?> m) {
            w.head(CanonicalCbor.MAP, m.size());
            m.forEach((k, x) -> {
                write(w, k);
                write(w, x);
            });
        } else {
            throw new IllegalArgumentException(String.valueOf(v));
        }
    }

    /** A manifest's map with its keys in canonical order, for a test to change one thing. */
    static LinkedHashMap<Object, Object> parts(ReleaseManifest m) {
        LinkedHashMap<Object, Object> p = new LinkedHashMap<>();
        p.put("exp", m.expires());
        p.put("fmt", m.format());
        p.put("kid", m.keyId());
        p.put("seq", m.releaseSeq());
        p.put("name", m.name());
        p.put("prod", m.product());
        p.put("role", m.role());
        List<Object> bundles = new ArrayList<>();
        for (BundleEntry b : m.bundles()) {
            bundles.add(parts(b));
        }
        p.put("bundles", bundles);
        return p;
    }

    static LinkedHashMap<Object, Object> parts(BundleEntry b) {
        LinkedHashMap<Object, Object> p = new LinkedHashMap<>();
        p.put("sn", b.symbolicName());
        p.put("ver", b.version());
        p.put("file", b.file());
        p.put("size", b.size());
        p.put("class", b.updateClass().name());
        p.put("level", b.startLevel());
        p.put("sha256", b.sha256());
        return p;
    }

    static LinkedHashMap<Object, Object> parts(ReleaseKeys k) {
        LinkedHashMap<Object, Object> p = new LinkedHashMap<>();
        p.put("fmt", k.format());
        p.put("seq", k.keysSeq());
        List<Object> keys = new ArrayList<>();
        for (ReleaseKey key : k.keys()) {
            LinkedHashMap<Object, Object> e = new LinkedHashMap<>();
            e.put("exp", key.notAfter());
            e.put("pub", key.publicKey());
            keys.add(e);
        }
        p.put("keys", keys);
        return p;
    }

    @SuppressWarnings("unchecked")
    static LinkedHashMap<Object, Object> bundle0(Map<Object, Object> manifest) {
        return (LinkedHashMap<Object, Object>) ((List<Object>) manifest.get("bundles")).get(0);
    }
}
