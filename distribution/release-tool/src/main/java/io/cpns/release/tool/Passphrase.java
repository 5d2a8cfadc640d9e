package io.cpns.release.tool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * Where a passphrase comes from: the console without echo (default), the first line of a file, or
 * an environment variable, for unattended use. Never a command argument: an argument is visible to
 * every user in the process list and lands in shell histories. The caller wipes what it gets
 * ({@link #wipe}); the JCA's PBKDF2 and an environment variable keep copies we cannot wipe.
 */
final class Passphrase {
    /** Shortest passphrase accepted for a new key. */
    static final int MIN_LENGTH = 12;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "read the passphrase from the first line of FILE (keep it owner-only) instead of the console")
    Path file;

    @Option(names = "--passphrase-env", paramLabel = "NAME",
            description = "read the passphrase from environment variable NAME instead of the console")
    String env;

    /** The passphrase of an existing key. */
    char[] read(Main main, String what) throws ToolException {
        return obtain(main, "passphrase of " + what + ": ", false);
    }

    /** A passphrase for a new key: asked twice on the console, at least {@link #MIN_LENGTH} characters. */
    char[] create(Main main, String what) throws ToolException {
        char[] p = obtain(main, "new passphrase for " + what + ": ", true);
        if (p.length < MIN_LENGTH) {
            wipe(p);
            throw new ToolException("the passphrase is shorter than " + MIN_LENGTH + " characters");
        }
        return p;
    }

    private char[] obtain(Main main, String prompt, boolean confirm) throws ToolException {
        if (file != null && env != null) {
            throw new ToolException("give --passphrase-file or --passphrase-env, not both");
        }
        if (file != null) {
            return fromFile(file);
        }
        if (env != null) {
            String v = main.env.get(env);
            if (v == null || v.isEmpty()) {
                throw new ToolException("environment variable " + env + " is not set");
            }
            return v.toCharArray();
        }
        char[] p = main.terminal.readPassword(prompt);
        if (p == null) {
            throw new ToolException("no console to ask for the passphrase: use --passphrase-file or --passphrase-env");
        }
        if (confirm) {
            char[] again = main.terminal.readPassword("again: ");
            boolean same = again != null && Arrays.equals(p, again);
            wipe(again);
            if (!same) {
                wipe(p);
                throw new ToolException("the two passphrases differ");
            }
        }
        if (p.length == 0) {
            throw new ToolException("empty passphrase");
        }
        return p;
    }

    private static char[] fromFile(Path f) throws ToolException {
        byte[] b;
        try {
            b = Files.readAllBytes(f);
        } catch (IOException e) {
            throw new ToolException("cannot read the passphrase file " + f + ": " + e.getMessage());
        }
        CharBuffer c = null;
        try {
            c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            int end = 0;
            while (end < c.limit() && c.get(end) != '\n' && c.get(end) != '\r') {
                end++;
            }
            if (end == 0) {
                throw new ToolException("the passphrase file " + f + " starts with an empty line");
            }
            char[] p = new char[end];
            c.get(0, p);
            return p;
        } catch (CharacterCodingException e) {
            throw new ToolException("the passphrase file " + f + " is not UTF-8");
        } finally {
            Arrays.fill(b, (byte) 0);
            if (c != null && c.hasArray()) {
                Arrays.fill(c.array(), '\0');
            }
        }
    }

    static void wipe(char[] p) {
        if (p != null) {
            Arrays.fill(p, '\0');
        }
    }
}
