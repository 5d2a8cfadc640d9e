package io.cpns.keystore;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import io.cpns.api.file.AtomicFile;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One file per secret, {@code <alias>.sec}, each AES-256-GCM encrypted under a master key with
 * the alias as associated data (so a file renamed to another alias does not decrypt):
 * {@code "CPKS" | 0x01 | nonce (12) | ciphertext+tag}. A write goes to a temporary file that is
 * fsynced and then atomically renamed over the old one, and the directory is fsynced: after a
 * crash the secret is the old value or the new one. Files and the master key are owner-only (0600),
 * the directory too (0700).
 *
 * <p>The master key is 32 random bytes in its own file, created when the store holds no secret
 * yet. A missing master key next to existing secrets is refused ({@link MissingMasterKeyException}):
 * a new key would silently make every secret undecryptable. Only {@code initialise} starts over,
 * and it sets the old secrets aside in {@code quarantine/} rather than deleting them. Vendors that
 * have a secure element point {@code masterKeyFile} at storage it protects (docs/security.md).
 *
 * <p>A record that no longer reads back is reported as {@link CorruptSecretException} and can be
 * {@linkplain #quarantine moved aside} to {@code quarantine/<alias>.sec.<UTC time>}.
 */
public final class EncryptedFileStore implements SecretStore {
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final byte[] MAGIC = {'C', 'P', 'K', 'S', 1};
    private static final byte[] AAD_LABEL = "CPKS1 ".getBytes(StandardCharsets.US_ASCII);
    private static final String SUFFIX = ".sec";
    private static final String QUARANTINE = "quarantine";
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'");

    private final Path directory;
    private final byte[] masterKey;
    private final List<String> initialised = new ArrayList<>();
    private boolean closed;

    /** Opens the store; refuses a missing master key while secrets exist (see the class comment). */
    public EncryptedFileStore(Path directory, Path masterKeyFile) throws IOException {
        this(directory, masterKeyFile, false);
    }

    /**
     * @param initialise if the master key is missing while secrets exist, move them to
     *                   {@code quarantine/} and create a new master key (see {@link #initialised()})
     */
    public EncryptedFileStore(Path directory, Path masterKeyFile, boolean initialise) throws IOException {
        this.directory = directory;
        ownerOnlyDirectory(directory);
        this.masterKey = loadOrCreateMasterKey(masterKeyFile, initialise);
    }

    public Path directory() {
        return directory;
    }

    /** Where {@link #quarantine} puts records. */
    public Path quarantineDirectory() {
        return directory.resolve(QUARANTINE);
    }

    /** Where the secrets went that {@code initialise} set aside when this store opened; empty normally. */
    public List<String> initialised() {
        return List.copyOf(initialised);
    }

    @Override
    public synchronized Optional<byte[]> get(String alias) {
        ensureOpen();
        Path file = fileOf(alias);
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secret " + alias, e);
        }
        if (data.length < MAGIC.length + AeadCipher.NONCE_LENGTH + 16 || !Arrays.equals(MAGIC, 0, MAGIC.length, data, 0, MAGIC.length)) {
            throw new CorruptSecretException(alias, "secret file " + file + " is corrupt (bad header)");
        }
        byte[] nonce = Arrays.copyOfRange(data, MAGIC.length, MAGIC.length + AeadCipher.NONCE_LENGTH);
        byte[] ct = Arrays.copyOfRange(data, MAGIC.length + AeadCipher.NONCE_LENGTH, data.length);
        try (AeadCipher c = new AeadCipher(masterKey)) {
            return Optional.of(c.open(nonce, aad(alias), ct));
        } catch (CpnsException e) {
            throw new CorruptSecretException(alias, "secret file " + file
                    + " does not decrypt: corrupt, tampered, or written under another master key");
        }
    }

    /**
     * Moves {@code <alias>.sec} to {@code quarantine/<alias>.sec.<UTC time>} (0600 in a 0700
     * directory): the alias is free again, the bytes stay for an operator.
     */
    @Override
    public synchronized Optional<String> quarantine(String alias) {
        ensureOpen();
        Path file = fileOf(alias);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Path target = moveToQuarantine(file);
            AtomicFile.syncDirectory(directory);
            return Optional.of(target.toString());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot quarantine secret " + alias, e);
        }
    }

    @Override
    public synchronized void put(String alias, byte[] secret) {
        ensureOpen(); // after close the master key is zeros: a put would seal the secret under a zero key
        Path file = fileOf(alias);
        byte[] nonce = Randoms.bytes(AeadCipher.NONCE_LENGTH);
        byte[] sealed;
        try (AeadCipher c = new AeadCipher(masterKey)) {
            sealed = c.seal(nonce, aad(alias), secret);
        }
        try {
            AtomicFile.write(file, Bytes.concat(MAGIC, nonce, sealed));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write secret " + alias, e);
        }
    }

    @Override
    public synchronized boolean delete(String alias) {
        ensureOpen();
        try {
            boolean existed = Files.deleteIfExists(fileOf(alias));
            AtomicFile.syncDirectory(directory);
            return existed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete secret " + alias, e);
        }
    }

    @Override
    public synchronized Set<String> aliases(String prefix) {
        ensureOpen();
        Set<String> out = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                String alias = name.substring(0, name.length() - SUFFIX.length());
                if (alias.startsWith(prefix) && ALIAS.matcher(alias).matches()) {
                    out.add(alias);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list secrets", e);
        }
        return out;
    }

    /** Wipes the master key from memory; the store is unusable afterwards. */
    public synchronized void close() {
        closed = true;
        Bytes.wipe(masterKey);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("secret store closed (its bundle is stopping or being updated)");
        }
    }

    private Path fileOf(String alias) {
        if (alias == null || !ALIAS.matcher(alias).matches()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "invalid secret alias '" + Strings.printable(alias) + "'");
        }
        return directory.resolve(alias + SUFFIX);
    }

    private static byte[] aad(String alias) {
        return Bytes.concat(AAD_LABEL, alias.getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] loadOrCreateMasterKey(Path file, boolean initialise) throws IOException {
        if (Files.exists(file)) {
            byte[] k = Files.readAllBytes(file);
            if (k.length != 32) {
                throw new IOException("master key file " + file + " must hold exactly 32 bytes, has " + k.length
                        + ": restore it from a backup (the secrets in " + directory + " are sealed under it)");
            }
            return k;
        }
        List<Path> sealed = secretFiles();
        if (!sealed.isEmpty() && !initialise) {
            throw new MissingMasterKeyException(file, directory, sealed.size());
        }
        for (Path p : sealed) { // initialise: set them aside, never delete: the key may turn up again
            initialised.add(moveToQuarantine(p).toString());
        }
        Path parent = file.toAbsolutePath().getParent();
        if (!parent.equals(directory.toAbsolutePath())) {
            Files.createDirectories(parent);
        }
        byte[] k = Randoms.bytes(32);
        AtomicFile.write(file, k);
        return k;
    }

    private List<Path> secretFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            ds.forEach(out::add);
        }
        return out;
    }

    private Path moveToQuarantine(Path file) throws IOException {
        Path q = directory.resolve(QUARANTINE);
        ownerOnlyDirectory(q);
        String base = file.getFileName() + "." + STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
        Path target = q.resolve(base);
        for (int n = 2; Files.exists(target); n++) { // two in the same millisecond
            target = q.resolve(base + "-" + n);
        }
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        ownerOnly(target);
        AtomicFile.syncDirectory(q);
        return target;
    }

    /**
     * Deletes what writes cut short by a crash left behind (never a valid secret: their rename did
     * not happen). Only for the store's owner at start, before anything writes: a second instance
     * on the same directory (a test reading a running PN GW's keys) would delete a write in flight.
     *
     * @return how many
     */
    public synchronized int removeLeftovers() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, ".*.tmp")) {
            for (Path p : ds) {
                n += Files.deleteIfExists(p) ? 1 : 0;
            }
        }
        return n;
    }

    /** Creates the directory 0700, or tightens an existing one (older versions created it 0755). */
    private static void ownerOnlyDirectory(Path dir) throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, OWNER_DIR);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system (Windows): its ACLs apply
        }
    }

    private static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }
}
