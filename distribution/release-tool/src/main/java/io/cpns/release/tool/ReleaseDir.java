package io.cpns.release.tool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The files of a release directory (docs/updates.md §2.6). */
final class ReleaseDir {
    static final String MANIFEST = "manifest.cbor";
    static final String MANIFEST_SIG = "manifest.sig";
    static final String KEYS = "keys.cbor";
    static final String KEYS_SIG = "keys.sig";

    private ReleaseDir() {
    }

    static byte[] read(Path dir, String name) throws ToolException {
        Path f = dir.resolve(name);
        try {
            long size = Files.size(f);
            if (size > 4L << 20) { // the documents are bounded far below (docs/updates.md §2.1)
                throw new ToolException(f + " has " + size + " bytes: not a release file");
            }
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new ToolException("cannot read " + f + (e instanceof java.nio.file.NoSuchFileException ? ": no such file"
                    : ": " + e.getMessage()));
        }
    }
}
