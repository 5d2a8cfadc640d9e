package io.cpns.itests;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.cpns.keystore.EncryptedFileStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;

/** A runtime's secret store read as on disk, as an operator could: from a copy, so the live directory is never touched. */
final class Stores {
    private Stores() {
    }

    /** The file of a secret store alias (cpns-keystore's naming: {@code <alias>.sec}). */
    static Path fileOf(Path keystore, String alias) {
        Path f = keystore.resolve(alias + ".sec");
        if (!Files.exists(f)) {
            throw new AssertionError("no file for " + alias + " in " + keystore);
        }
        return f;
    }

    static boolean exists(Path keystore, String alias) {
        return Files.exists(keystore.resolve(alias + ".sec"));
    }

    /** The epoch of a Group Key ({@code gk.}) or managed key ({@code gkm.}) record. */
    static long epochOf(Path keystore, String alias) {
        try {
            Path copy = Files.createTempDirectory("cpns-keystore-copy");
            Files.copy(keystore.resolve("master.key"), copy.resolve("master.key"));
            Files.copy(fileOf(keystore, alias), copy.resolve(alias + ".sec"));
            EncryptedFileStore store = new EncryptedFileStore(copy, copy.resolve("master.key"));
            byte[] record = store.get(alias).orElseThrow();
            try {
                return new CBORMapper().readTree(record).get("epoch").asLong();
            } finally {
                Arrays.fill(record, (byte) 0);
                store.close();
                try (var files = Files.walk(copy)) {
                    files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
