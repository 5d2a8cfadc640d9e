package io.cpns.keystore;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.AeadCipher;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One file per secret, {@code <alias>.sec}, each AES-256-GCM encrypted under a master key with
 * the alias as associated data (so a file renamed to another alias does not decrypt):
 * {@code "CPKS" | 0x01 | nonce (12) | ciphertext+tag}. A write goes to a temporary file that is
 * fsynced and then atomically renamed over the old one, and the directory is fsynced: after a
 * crash the secret is the old value or the new one. Files and the master key are owner-only (0600).
 *
 * <p>The master key is 32 random bytes in its own file, created on first use. Vendors that have a
 * secure element point {@code masterKeyFile} at storage it protects (docs/security.md).
 */
public final class EncryptedFileStore implements SecretStore {
    private static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");
    private static final byte[] MAGIC = {'C', 'P', 'K', 'S', 1};
    private static final byte[] AAD_LABEL = "CPKS1 ".getBytes(StandardCharsets.US_ASCII);
    private static final String SUFFIX = ".sec";
    private static final FileAttribute<?> OWNER_ONLY = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path directory;
    private final byte[] masterKey;
    private boolean closed;

    public EncryptedFileStore(Path directory, Path masterKeyFile) throws IOException {
        this.directory = directory;
        Files.createDirectories(directory);
        this.masterKey = loadOrCreateMasterKey(masterKeyFile);
    }

    public Path directory() {
        return directory;
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
            throw new CpnsException(ErrorCode.INTERNAL, "secret file " + file.getFileName() + " is corrupt (bad header)");
        }
        byte[] nonce = Arrays.copyOfRange(data, MAGIC.length, MAGIC.length + AeadCipher.NONCE_LENGTH);
        byte[] ct = Arrays.copyOfRange(data, MAGIC.length + AeadCipher.NONCE_LENGTH, data.length);
        try (AeadCipher c = new AeadCipher(masterKey)) {
            return Optional.of(c.open(nonce, aad(alias), ct));
        } catch (CpnsException e) {
            throw new CpnsException(ErrorCode.INTERNAL, "secret file " + file.getFileName()
                    + " does not decrypt: corrupt, tampered, or written under another master key");
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
            writeAtomically(file, Bytes.concat(MAGIC, nonce, sealed));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write secret " + alias, e);
        }
    }

    @Override
    public synchronized boolean delete(String alias) {
        ensureOpen();
        try {
            boolean existed = Files.deleteIfExists(fileOf(alias));
            syncDirectory(directory);
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

    private static byte[] loadOrCreateMasterKey(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] k = Files.readAllBytes(file);
            if (k.length != 32) {
                throw new IOException("master key file " + file + " must hold exactly 32 bytes, has " + k.length);
            }
            return k;
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        byte[] k = Randoms.bytes(32);
        writeAtomically(file, k);
        return k;
    }

    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + file.getFileName() + "." + Bytes.hex(Randoms.bytes(4)) + ".tmp");
        try {
            try {
                Files.createFile(tmp, OWNER_ONLY);
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("temporary file collision for " + file, e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Makes the rename durable (POSIX: fsync the directory). Not possible on every platform. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // e.g. Windows cannot open a directory; the rename itself is still atomic
        }
    }
}
