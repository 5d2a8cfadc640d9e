package io.cpns.release;

import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.api.update.UpdateClass;
import io.cpns.api.update.UpdateFailure;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The wire form of {@link ReleaseManifest} and {@link ReleaseKeys}: canonical CBOR (RFC 8949
 * §4.2.1), one map each with short text keys, every key required, nothing else allowed
 * (docs/updates.md §2.1, §2.2). Decoding is strict: any other encoding of the same values, an
 * unknown or missing key, a wrong type, trailing bytes or a value out of its range is refused with
 * {@link UpdateFailure#MALFORMED}, so exactly one byte string stands for a document, the one that
 * was signed. Encoding checks the same rules (IllegalArgumentException), so the operator's tool
 * never signs what a gateway would refuse.
 */
public final class ReleaseCodec {
    /** Largest manifest read: checked before any parsing. */
    public static final int MAX_MANIFEST_BYTES = 1 << 20;
    public static final int MAX_BUNDLES = 1000;
    /** Largest release keys document read: checked before any parsing. */
    public static final int MAX_KEYS_BYTES = 64 << 10;
    public static final int MAX_KEYS = 100;

    // map keys (docs/updates.md §2.1, §2.2)
    static final String FORMAT = "fmt";
    static final String SEQ = "seq";
    static final String EXPIRES = "exp";
    static final String KEY_ID = "kid";
    static final String NAME = "name";
    static final String PRODUCT = "prod";
    static final String ROLE = "role";
    static final String BUNDLES = "bundles";
    static final String SYMBOLIC_NAME = "sn";
    static final String VERSION = "ver";
    static final String FILE = "file";
    static final String SIZE = "size";
    static final String CLASS = "class";
    static final String LEVEL = "level";
    static final String SHA256 = "sha256";
    static final String KEYS = "keys";
    static final String PUBLIC_KEY = "pub";

    private static final String[] MANIFEST_KEYS = {FORMAT, SEQ, NAME, PRODUCT, ROLE, EXPIRES, KEY_ID, BUNDLES};
    private static final String[] BUNDLE_KEYS = {SYMBOLIC_NAME, VERSION, SIZE, SHA256, LEVEL, CLASS, FILE};
    private static final String[] KEYS_KEYS = {FORMAT, SEQ, KEYS};
    private static final String[] KEY_KEYS = {PUBLIC_KEY, EXPIRES};

    static final int MAX_NAME = 128;
    static final int MAX_LABEL = 64;
    static final int MAX_SYMBOLIC_NAME = 255;
    static final int MAX_VERSION = 128;
    static final int MAX_FILE = 255;

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern KEY_ID_FORM = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SYMBOLIC_NAME_FORM = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final Pattern FILE_FORM = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9._+-]*");

    private ReleaseCodec() {
    }

    public static byte[] encode(ReleaseManifest m) {
        check(m, IllegalArgumentException::new);
        CanonicalCbor.Writer bundles = new CanonicalCbor.Writer().head(CanonicalCbor.ARRAY, m.bundles().size());
        for (BundleEntry b : m.bundles()) {
            bundles.raw(new CanonicalCbor.MapWriter()
                    .text(SYMBOLIC_NAME, b.symbolicName())
                    .text(VERSION, b.version())
                    .uint(SIZE, b.size())
                    .bytes(SHA256, b.sha256())
                    .uint(LEVEL, b.startLevel())
                    .text(CLASS, b.updateClass().name())
                    .text(FILE, b.file())
                    .toWriter().toByteArray());
        }
        return new CanonicalCbor.MapWriter()
                .uint(FORMAT, m.format())
                .uint(SEQ, m.releaseSeq())
                .text(NAME, m.name())
                .text(PRODUCT, m.product())
                .text(ROLE, m.role())
                .uint(EXPIRES, m.expires())
                .text(KEY_ID, m.keyId())
                .put(BUNDLES, bundles)
                .toWriter().toByteArray();
    }

    public static ReleaseManifest decodeManifest(byte[] b) throws ReleaseRefusedException {
        String what = "manifest";
        if (b == null || b.length == 0) {
            throw new ReleaseRefusedException(UpdateFailure.MALFORMED, what + ": empty");
        }
        if (b.length > MAX_MANIFEST_BYTES) {
            throw new ReleaseRefusedException(UpdateFailure.MALFORMED,
                    what + ": " + b.length + " bytes, more than " + MAX_MANIFEST_BYTES);
        }
        CanonicalCbor.Reader r = new CanonicalCbor.Reader(b, what);
        CanonicalCbor.MapKeys k = r.map(what, MANIFEST_KEYS);
        long format = 0, seq = 0, expires = 0;
        String name = null, product = null, role = null, keyId = null;
        List<BundleEntry> bundles = null;
        for (String key : k.order()) {
            k.key(key);
            switch (key) {
                case FORMAT -> format = r.uint(key);
                case SEQ -> seq = r.uint(key);
                case EXPIRES -> expires = r.uint(key);
                case KEY_ID -> keyId = r.text(key, 32);
                case NAME -> name = r.text(key, MAX_NAME);
                case PRODUCT -> product = r.text(key, MAX_LABEL);
                case ROLE -> role = r.text(key, MAX_LABEL);
                case BUNDLES -> bundles = bundles(r);
                default -> throw new IllegalStateException(key);
            }
        }
        k.done();
        r.end();
        if (format != ReleaseManifest.FORMAT) {
            throw r.malformed("format " + format + ", not " + ReleaseManifest.FORMAT);
        }
        ReleaseManifest m = new ReleaseManifest((int) format, seq, name, product, role, expires, keyId, bundles);
        check(m, r::malformed);
        return m;
    }

    private static List<BundleEntry> bundles(CanonicalCbor.Reader r) throws ReleaseRefusedException {
        int n = r.array(BUNDLES, MAX_BUNDLES);
        List<BundleEntry> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String what = "bundle " + i;
            CanonicalCbor.MapKeys k = r.map(what, BUNDLE_KEYS);
            String sn = null, version = null, file = null, cls = null;
            long size = 0, level = 0;
            byte[] sha = null;
            for (String key : k.order()) {
                k.key(key);
                switch (key) {
                    case SYMBOLIC_NAME -> sn = r.text(key, MAX_SYMBOLIC_NAME);
                    case VERSION -> version = r.text(key, MAX_VERSION);
                    case FILE -> file = r.text(key, MAX_FILE);
                    case SIZE -> size = r.uint(key);
                    case CLASS -> cls = r.text(key, 16);
                    case LEVEL -> level = r.uint(key);
                    case SHA256 -> sha = r.bytes(key, 64);
                    default -> throw new IllegalStateException(key);
                }
            }
            k.done();
            if (level > Integer.MAX_VALUE) {
                throw r.malformed(what + ": start level " + level + " out of range");
            }
            UpdateClass updateClass = switch (cls) {
                case "HOT" -> UpdateClass.HOT;
                case "RESTART" -> UpdateClass.RESTART;
                default -> throw r.malformed(what + ": unknown update class " + CanonicalCbor.quote(cls));
            };
            l.add(new BundleEntry(sn, version, size, sha, (int) level, updateClass, file));
        }
        return l;
    }

    public static byte[] encode(ReleaseKeys k) {
        check(k, IllegalArgumentException::new);
        CanonicalCbor.Writer keys = new CanonicalCbor.Writer().head(CanonicalCbor.ARRAY, k.keys().size());
        for (ReleaseKey key : k.keys()) {
            keys.raw(new CanonicalCbor.MapWriter()
                    .bytes(PUBLIC_KEY, key.publicKey())
                    .uint(EXPIRES, key.notAfter())
                    .toWriter().toByteArray());
        }
        return new CanonicalCbor.MapWriter()
                .uint(FORMAT, k.format())
                .uint(SEQ, k.keysSeq())
                .put(KEYS, keys)
                .toWriter().toByteArray();
    }

    public static ReleaseKeys decodeKeys(byte[] b) throws ReleaseRefusedException {
        String what = "release keys";
        if (b == null || b.length == 0) {
            throw new ReleaseRefusedException(UpdateFailure.MALFORMED, what + ": empty");
        }
        if (b.length > MAX_KEYS_BYTES) {
            throw new ReleaseRefusedException(UpdateFailure.MALFORMED,
                    what + ": " + b.length + " bytes, more than " + MAX_KEYS_BYTES);
        }
        CanonicalCbor.Reader r = new CanonicalCbor.Reader(b, what);
        CanonicalCbor.MapKeys k = r.map(what, KEYS_KEYS);
        long format = 0, seq = 0;
        List<ReleaseKey> keys = null;
        for (String key : k.order()) {
            k.key(key);
            switch (key) {
                case FORMAT -> format = r.uint(key);
                case SEQ -> seq = r.uint(key);
                case KEYS -> keys = keys(r);
                default -> throw new IllegalStateException(key);
            }
        }
        k.done();
        r.end();
        if (format != ReleaseKeys.FORMAT) {
            throw r.malformed("format " + format + ", not " + ReleaseKeys.FORMAT);
        }
        ReleaseKeys d = new ReleaseKeys((int) format, seq, keys);
        check(d, r::malformed);
        return d;
    }

    private static List<ReleaseKey> keys(CanonicalCbor.Reader r) throws ReleaseRefusedException {
        int n = r.array(KEYS, MAX_KEYS);
        List<ReleaseKey> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            CanonicalCbor.MapKeys k = r.map("key " + i, KEY_KEYS);
            byte[] pub = null;
            long notAfter = 0;
            for (String key : k.order()) {
                k.key(key);
                switch (key) {
                    case PUBLIC_KEY -> pub = r.bytes(key, 64);
                    case EXPIRES -> notAfter = r.uint(key);
                    default -> throw new IllegalStateException(key);
                }
            }
            k.done();
            if (pub.length != Ed25519.KEY_LENGTH) {
                throw r.malformed("key " + i + ": public key of " + pub.length + " bytes, not " + Ed25519.KEY_LENGTH);
            }
            l.add(new ReleaseKey(Ed25519.keyId(pub), pub, notAfter));
        }
        return l;
    }

    /** How a broken rule is reported: MALFORMED when decoding, IllegalArgumentException when encoding. */
    private interface Refusal<E extends Exception> {
        E of(String reason);
    }

    private static <E extends Exception> void check(ReleaseManifest m, Refusal<E> refuse) throws E {
        if (m.format() != ReleaseManifest.FORMAT) {
            throw refuse.of("format " + m.format() + ", not " + ReleaseManifest.FORMAT);
        }
        if (m.releaseSeq() < 1) {
            throw refuse.of("releaseSeq must be 1 or more");
        }
        if (m.expires() < 0) {
            throw refuse.of("negative expiry");
        }
        if (!KEY_ID_FORM.matcher(m.keyId()).matches()) {
            throw refuse.of("key id " + CanonicalCbor.quote(m.keyId()) + " is not 32 lowercase hex digits");
        }
        text(m.name(), "name", MAX_NAME, refuse);
        label(m.product(), "product", refuse);
        label(m.role(), "role", refuse);
        if (m.bundles().isEmpty()) {
            throw refuse.of("no bundles");
        }
        if (m.bundles().size() > MAX_BUNDLES) {
            throw refuse.of(m.bundles().size() + " bundles, more than " + MAX_BUNDLES);
        }
        Set<String> names = new HashSet<>();
        Set<String> files = new HashSet<>();
        for (int i = 0; i < m.bundles().size(); i++) {
            BundleEntry b = m.bundles().get(i);
            String what = "bundle " + i + ": ";
            if (b.symbolicName().length() > MAX_SYMBOLIC_NAME || !SYMBOLIC_NAME_FORM.matcher(b.symbolicName()).matches()) {
                throw refuse.of(what + "symbolic name " + CanonicalCbor.quote(b.symbolicName()) + " is not one");
            }
            if (b.version().length() > MAX_VERSION || !BundleVersions.isNormalized(b.version())) {
                throw refuse.of(what + "version " + CanonicalCbor.quote(b.version()) + " is not major.minor.micro[.qualifier]");
            }
            if (b.size() < 1) {
                throw refuse.of(what + "size " + b.size());
            }
            if (b.sha256().length != 32) {
                throw refuse.of(what + "sha256 of " + b.sha256().length + " bytes, not 32");
            }
            if (b.startLevel() < 1) {
                throw refuse.of(what + "start level " + b.startLevel() + ", not 1 or more");
            }
            if (b.file().length() > MAX_FILE || !FILE_FORM.matcher(b.file()).matches() || b.file().contains("..")) {
                throw refuse.of(what + "file " + CanonicalCbor.quote(b.file())
                        + " is not a plain file name (letters, digits, . _ + -; no '/', no '..')");
            }
            if (!names.add(b.symbolicName())) {
                throw refuse.of(what + "symbolic name " + CanonicalCbor.quote(b.symbolicName()) + " listed twice");
            }
            if (!files.add(b.file())) {
                throw refuse.of(what + "file " + CanonicalCbor.quote(b.file()) + " listed twice");
            }
        }
    }

    private static <E extends Exception> void check(ReleaseKeys k, Refusal<E> refuse) throws E {
        if (k.format() != ReleaseKeys.FORMAT) {
            throw refuse.of("format " + k.format() + ", not " + ReleaseKeys.FORMAT);
        }
        if (k.keysSeq() < 1) {
            throw refuse.of("keysSeq must be 1 or more");
        }
        if (k.keys().size() > MAX_KEYS) {
            throw refuse.of(k.keys().size() + " keys, more than " + MAX_KEYS);
        }
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < k.keys().size(); i++) {
            ReleaseKey key = k.keys().get(i);
            if (key.publicKey().length != Ed25519.KEY_LENGTH) {
                throw refuse.of("key " + i + ": public key of " + key.publicKey().length + " bytes, not 32");
            }
            if (!key.keyId().equals(Ed25519.keyId(key.publicKey()))) {
                throw refuse.of("key " + i + ": key id " + CanonicalCbor.quote(key.keyId()) + " is not its public key's");
            }
            if (key.notAfter() < 0) {
                throw refuse.of("key " + i + ": negative expiry");
            }
            if (!ids.add(key.keyId())) {
                throw refuse.of("key " + i + ": listed twice");
            }
        }
    }

    private static <E extends Exception> void label(String s, String what, Refusal<E> refuse) throws E {
        if (s.isEmpty() || s.length() > MAX_LABEL || !LABEL.matcher(s).matches()) {
            throw refuse.of(what + " " + CanonicalCbor.quote(s) + " is not 1 to " + MAX_LABEL + " of A-Z a-z 0-9 . _ -");
        }
    }

    private static <E extends Exception> void text(String s, String what, int max, Refusal<E> refuse) throws E {
        if (s.isEmpty() || s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > max) {
            throw refuse.of(what + " must have 1 to " + max + " bytes");
        }
        if (s.codePoints().anyMatch(Character::isISOControl)) {
            throw refuse.of(what + " holds a control character");
        }
    }
}
