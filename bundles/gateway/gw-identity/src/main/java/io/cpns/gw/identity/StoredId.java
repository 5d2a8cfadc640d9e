package io.cpns.gw.identity;

import io.cpns.api.EntityId;
import io.cpns.api.file.AtomicFile;
import io.cpns.crypto.Randoms;
import java.util.HexFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This PN GW's Entity ID: configured, or generated once ({@code gw-} + 12 hex digits) and kept in
 * {@code ${cpns.data}/gateway-id}, because the EUKey is bound to it and must survive restarts:
 * written atomically (a power cut must not leave an empty ID) and owner-only like the whole data
 * directory (docs/security.md §10.3).
 */
final class StoredId {
    private StoredId() {
    }

    static EntityId resolve(String configured, Path dataDir) throws IOException {
        if (!configured.isBlank()) {
            return EntityId.of(configured.trim());
        }
        Path file = dataDir.resolve("gateway-id");
        if (Files.exists(file)) {
            return EntityId.of(Files.readString(file, StandardCharsets.US_ASCII).trim());
        }
        EntityId id = EntityId.of("gw-" + HexFormat.of().formatHex(Randoms.bytes(6)));
        Files.createDirectories(dataDir);
        AtomicFile.deleteLeftovers(file); // of a first start cut short; nothing else writes it
        AtomicFile.write(file, (id.value() + "\n").getBytes(StandardCharsets.US_ASCII));
        return id;
    }
}
