package io.cpns.server.update.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.file.AtomicFile;
import io.cpns.api.update.BundleEntry;
import io.cpns.api.update.ReleaseKey;
import io.cpns.api.update.ReleaseKeys;
import io.cpns.api.update.ReleaseManifest;
import io.cpns.release.BundleCheck;
import io.cpns.release.Ed25519;
import io.cpns.release.ReleaseCodec;
import io.cpns.release.ReleasePolicy;
import io.cpns.release.ReleaseRefusedException;
import io.cpns.release.ReleaseVerifier;
import io.cpns.server.store.UpdateStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Publishes a release directory as {@code bin/cpns-release} writes it (docs/updates.md §5.1): the
 * documents decoded with {@link ReleaseCodec}, the manifest's signature checked against the key
 * the keys document names (and the whole chain against the root keys when configured: a sanity
 * check, the gateways decide), every jar checked with {@link BundleCheck}, then copied under the
 * release directory ({@code <releaseSeq>/}, written in a temporary directory, fsync'ed, renamed)
 * and recorded. Nothing half-published: a failure leaves neither files nor a row.
 */
final class Publisher {
    static final String MANIFEST = "manifest.cbor";
    static final String MANIFEST_SIG = "manifest.sig";
    static final String KEYS = "keys.cbor";
    static final String KEYS_SIG = "keys.sig";

    private final UpdateStore store;
    private final Path releases;
    private final List<byte[]> rootKeys;
    private final Clock clock;

    Publisher(UpdateStore store, Path releases, List<byte[]> rootKeys, Clock clock) {
        this.store = store;
        this.releases = releases;
        this.rootKeys = List.copyOf(rootKeys);
        this.clock = clock;
    }

    synchronized UpdateStore.ReleaseRow publish(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw refused(dir + " is not a directory");
        }
        byte[] manifest = read(dir, MANIFEST, ReleaseCodec.MAX_MANIFEST_BYTES);
        byte[] manifestSig = read(dir, MANIFEST_SIG, Ed25519.SIGNATURE_LENGTH);
        byte[] keys = read(dir, KEYS, ReleaseCodec.MAX_KEYS_BYTES);
        byte[] keysSig = read(dir, KEYS_SIG, Ed25519.SIGNATURE_LENGTH);
        ReleaseManifest m;
        ReleaseKeys k;
        try {
            k = ReleaseCodec.decodeKeys(keys);
            m = ReleaseCodec.decodeManifest(manifest);
        } catch (ReleaseRefusedException e) {
            throw refused(e.failure() + ": " + e.detail());
        }
        Instant now = clock.instant();
        if (!rootKeys.isEmpty()) {
            try {
                new ReleaseVerifier(rootKeys).verify(manifest, manifestSig, keys, keysSig, new ReleasePolicy(now, 0, 0, m.product(), m.role()));
            } catch (ReleaseRefusedException e) {
                throw refused("gateways pinning the configured root keys would refuse it: " + e.failure() + ": " + e.detail());
            }
        } else {
            ReleaseKey signer = k.keys().stream().filter(x -> x.keyId().equals(m.keyId())).findFirst().orElseThrow(() -> refused(
                    "UNKNOWN_KEY: the manifest's key " + m.keyId() + " is not in " + KEYS));
            if (manifestSig.length != Ed25519.SIGNATURE_LENGTH || !Ed25519.verify(signer.publicKey(), manifest, manifestSig)) {
                throw refused("BAD_SIGNATURE: " + MANIFEST_SIG + " does not verify with key " + m.keyId());
            }
        }
        if (Instant.ofEpochSecond(m.expires()).isBefore(now)) {
            throw refused("EXPIRED: the release expired at " + Instant.ofEpochSecond(m.expires()));
        }
        for (BundleEntry e : m.bundles()) {
            check(e, dir.resolve(e.file()));
        }
        UpdateStore.ReleaseRow row = row(m, k, manifest, manifestSig, keys, keysSig, now);
        java.util.Optional<UpdateStore.ReleaseRow> existing = store.release(m.releaseSeq());
        if (existing.isPresent()) {
            if (Arrays.equals(existing.get().manifest(), manifest)) {
                return existing.get(); // published already: the same bytes, nothing to do
            }
            throw refused("release " + m.releaseSeq() + " is published already with another manifest; a new release needs a higher"
                    + " releaseSeq");
        }
        Path target = releases.resolve(Long.toString(m.releaseSeq()));
        Path tmp = releases.resolve("." + m.releaseSeq() + ".tmp");
        try {
            Files.createDirectories(releases);
            delete(tmp);
            Files.createDirectory(tmp);
            for (String f : List.of(MANIFEST, MANIFEST_SIG, KEYS, KEYS_SIG)) {
                copy(dir.resolve(f), tmp.resolve(f));
            }
            for (BundleEntry e : m.bundles()) {
                copy(dir.resolve(e.file()), tmp.resolve(e.file()));
                check(e, tmp.resolve(e.file())); // what is served is what was checked
            }
            AtomicFile.syncDirectory(tmp); // the files' names, before the directory is renamed into place
            delete(target); // left by a publish cut before its row was written
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFile.syncDirectory(releases);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new CpnsException(ErrorCode.UNAVAILABLE, "cannot write the release under " + releases + ": " + e.getMessage(), e);
        }
        try {
            if (!store.insertRelease(row)) {
                throw refused("release " + m.releaseSeq() + " was published meanwhile");
            }
        } catch (RuntimeException e) {
            deleteQuietly(target);
            throw e;
        }
        return row;
    }

    /** At start: removes what a publish cut short left (temporary directories, directories without a row). */
    synchronized List<Path> clean() {
        List<Path> removed = new ArrayList<>();
        if (!Files.isDirectory(releases)) {
            return removed;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(releases)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                boolean leftover = n.startsWith(".") && n.endsWith(".tmp");
                boolean orphan = n.matches("[1-9][0-9]{0,17}") && store.release(Long.parseLong(n)).isEmpty();
                if (leftover || orphan) {
                    delete(p);
                    removed.add(p);
                }
            }
        } catch (IOException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "cannot clean " + releases + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private static void check(BundleEntry e, Path jar) {
        try {
            BundleCheck.verify(e, jar);
        } catch (ReleaseRefusedException x) {
            throw refused(e.file() + ": " + x.failure() + ": " + x.detail());
        }
    }

    private static UpdateStore.ReleaseRow row(ReleaseManifest m, ReleaseKeys k, byte[] manifest, byte[] manifestSig, byte[] keys,
                                              byte[] keysSig, Instant now) {
        List<UpdateStore.ReleaseFile> files = m.bundles().stream().map(b -> new UpdateStore.ReleaseFile(b.file(), b.symbolicName(),
                b.version(), b.size(), b.sha256(), b.updateClass().name(), b.startLevel())).toList();
        return new UpdateStore.ReleaseRow(m.releaseSeq(), m.name(), m.product(), m.role(), m.expires(), m.keyId(), k.keysSeq(), manifest,
                manifestSig, keys, keysSig, now, files);
    }

    private static byte[] read(Path dir, String name, int max) {
        Path f = dir.resolve(name);
        try (InputStream in = Files.newInputStream(f)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw refused(name + " is larger than " + max + " bytes");
            }
            return b;
        } catch (NoSuchFileException e) {
            throw refused("no " + name + " in " + dir + " (bin/cpns-release sign writes it)");
        } catch (IOException e) {
            throw refused("cannot read " + f + ": " + e.getMessage());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try {
            Files.createFile(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r-----")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(to);
        }
        try (InputStream in = Files.newInputStream(from); FileChannel out = FileChannel.open(to, StandardOpenOption.WRITE)) {
            in.transferTo(java.nio.channels.Channels.newOutputStream(out));
            out.force(true);
        }
    }

    private static void delete(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            delete(p);
        } catch (IOException ignored) {
            // a leftover is removed at the next start (clean)
        }
    }

    private static CpnsException refused(String why) {
        return new CpnsException(ErrorCode.INVALID_ARGUMENT, "release not published: " + why);
    }
}
