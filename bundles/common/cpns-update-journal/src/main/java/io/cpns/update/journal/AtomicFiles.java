package io.cpns.update.journal;

import io.cpns.api.file.AtomicFile;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The update journal's files: wholly old or wholly new after a power cut (cpns-api's
 * {@link AtomicFile}) under owner-only directories. Properties files are written sorted, without
 * Java's date comment, so two equal states give equal bytes.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Creates {@code dir} (and missing parents) owner-only (0700 where POSIX), whatever the umask:
     * nothing under {@code <data>/update} is for other accounts.
     */
    public static Path directory(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            return dir;
        }
        if (abs.getParent() != null) {
            directory(abs.getParent());
        }
        try {
            Files.createDirectory(abs, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(abs);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made meanwhile
        }
        return dir;
    }

    /** Replaces {@code file} with {@code content} (owner-only), creating its directory owner-only first. */
    public static void write(Path file, byte[] content) throws IOException {
        directory(file.toAbsolutePath().getParent());
        AtomicFile.write(file, content);
    }

    public static void writeProperties(Path file, Map<String, String> props) throws IOException {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(props).forEach((k, v) -> {
            if (v != null) {
                s.append(escape(k, true)).append('=').append(escape(v, false)).append('\n');
            }
        });
        write(file, s.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The file's properties, or empty if there is no file. */
    public static Optional<Map<String, String>> readProperties(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IllegalArgumentException e) { // a malformed \\u escape
            throw new IOException(file + " is not a properties file: " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put((String) k, (String) v));
        return Optional.of(out);
    }

    /** java.util.Properties escaping, ASCII only (so the file reads the same in any charset). */
    static String escape(String s, boolean key) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
