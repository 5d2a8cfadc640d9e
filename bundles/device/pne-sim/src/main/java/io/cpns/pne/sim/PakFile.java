package io.cpns.pne.sim;

import io.cpns.crypto.Randoms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pre-assigned keys (seed 004 R01) of simulated PNEs without UI, in the form the gateway console
 * takes them: {@code gw:preassign <pne> <hex>}, one per line. The file holds secrets: owner-only.
 */
final class PakFile {
    private PakFile() {
    }

    /** The keys for these PNEs from the file; if it does not exist, generates and writes them and returns null. */
    static Map<String, byte[]> keysFor(Path file, List<String> pneIds) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("PNEs without UI on an insecure PAN need pre-assigned keys: give --pak-file FILE");
        }
        if (Files.exists(file)) {
            Map<String, byte[]> keys = parse(Files.readAllLines(file));
            List<String> missing = pneIds.stream().filter(id -> !keys.containsKey(id)).toList();
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(file + " has no key for " + missing.size() + " PNE(s), e.g. " + missing.get(0));
            }
            return keys;
        }
        List<String> lines = new ArrayList<>();
        for (String id : pneIds) {
            lines.add("gw:preassign " + id + " " + HexFormat.of().formatHex(Randoms.bytes(32)));
        }
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, lines);
        return null;
    }

    static Map<String, byte[]> parse(List<String> lines) {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[0].equals("gw:preassign")) {
                keys.put(f[1], HexFormat.of().parseHex(f[2]));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                throw new IllegalArgumentException("not a 'gw:preassign <pne> <hex>' line: " + line);
            }
        }
        return keys;
    }
}
