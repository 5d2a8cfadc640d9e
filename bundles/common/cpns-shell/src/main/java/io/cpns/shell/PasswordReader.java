package io.cpns.shell;

import java.io.Console;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the password an operator command needs, in the one order every shell supports
 * (decision D112):
 * <ol>
 * <li>{@code --password-file <path>}: the first line of an owner-only file (unattended use, tests);
 * <li>the shell's own line reader, masked: Apache Karaf's {@code Session.readLine(prompt, '*')}
 *     (local console and SSH) or Felix Gogo JLine's {@code LineReader}, found in the Gogo session's
 *     variables {@code .session} and {@code .jline.reader} and called by reflection, so the
 *     command bundles run in plain Felix Gogo without Karaf's packages;
 * <li>in a shell without a line reader (Felix {@code gogo.shell}), the JVM's
 *     {@link System#console()} with echo off.
 * </ol>
 * A session with neither (Karaf's {@code bin/client "command"}, a script) is refused with a message
 * that names {@code --password-file}. No step ever takes the password from an argument: arguments
 * end up in thread names (Karaf names a command's thread after its command line), shell history
 * and logs.
 *
 * <p>Called on the shell's command thread; blocks until the operator typed the line.
 */
public final class PasswordReader {
    /** The option naming the file, the same in every command. */
    public static final String FILE_OPTION = "--password-file";
    /** Gogo session variables that hold a masked line reader: Karaf's Session, then JLine's LineReader. */
    private static final String[] LINE_READERS = {".session", ".jline.reader"};
    private static final Set<PosixFilePermission> NOT_OWNER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private PasswordReader() {
    }

    /**
     * The password: from {@code passwordFile} if not empty, else typed at the session's terminal.
     *
     * @param sessionVariables the Gogo session's {@code get} ({@code CommandSession::get})
     * @param passwordFile the {@link #FILE_OPTION} value, empty when not given
     * @param prompt what the terminal shows, e.g. {@code password for alice: }
     * @return the password; the caller wipes it ({@code Arrays.fill(p, '\0')}) once used
     * @throws IllegalArgumentException the file is missing, empty, not owner-only, or no terminal to ask
     */
    public static char[] read(Function<String, Object> sessionVariables, String passwordFile, String prompt) {
        if (passwordFile != null && !passwordFile.isEmpty()) {
            return fromFile(Path.of(passwordFile));
        }
        for (String variable : LINE_READERS) {
            Object reader = sessionVariables.apply(variable);
            Method readLine = reader == null ? null : readLine(reader.getClass());
            if (readLine != null) {
                return typed(reader, readLine, prompt);
            }
        }
        Console console = System.console();
        if (console == null) {
            throw noTerminal();
        }
        char[] typed = console.readPassword("%s", prompt);
        if (typed == null || typed.length == 0) {
            throw new IllegalArgumentException("no password typed");
        }
        return typed;
    }

    /**
     * The first line of an owner-only file (mode 600 or 400 on POSIX file systems): a file that
     * others may read is refused, so a password is not left readable by a mistake in a script.
     */
    public static char[] fromFile(Path file) {
        byte[] bytes = null;
        try {
            PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(FILE_OPTION + " " + file + ": no such file");
            }
            if (posix != null) {
                Set<PosixFilePermission> mode = posix.readAttributes().permissions();
                mode.retainAll(NOT_OWNER);
                if (!mode.isEmpty()) {
                    throw new IllegalArgumentException(FILE_OPTION + " " + file + " may be read or written by others (" + mode
                            + "): make it owner-only, chmod 600");
                }
            }
            bytes = Files.readAllBytes(file);
            int end = 0;
            while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            if (end == 0) {
                throw new IllegalArgumentException(FILE_OPTION + " " + file + ": its first line is empty");
            }
            return decode(bytes, end);
        } catch (IOException e) {
            throw new UncheckedIOException(FILE_OPTION + " " + file + ": " + e.getMessage(), e);
        } finally {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    /**
     * What a command answers when it was given a password as an argument: that it is never taken
     * there (the value itself is not repeated), and how to give it instead.
     */
    public static IllegalArgumentException refused(String command) {
        return new IllegalArgumentException("a password is never taken as a command argument (it would end up in thread names, "
                + "shell history and logs): type " + command + " without it and enter it at the prompt, or give it in an "
                + "owner-only file with " + command.replaceFirst(" ", " " + FILE_OPTION + " <file> "));
    }

    private static IllegalArgumentException noTerminal() {
        return new IllegalArgumentException("this shell session has no terminal to read a password from without echo "
                + "(a command given to bin/client, a script): give it in an owner-only file with " + FILE_OPTION + " <file>");
    }

    /** {@code readLine(String, Character)} of Karaf's Session or JLine's LineReader, through a public interface. */
    private static Method readLine(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                try {
                    return i.getMethod("readLine", String.class, Character.class);
                } catch (NoSuchMethodException e) {
                    Method m = readLine(i);
                    if (m != null) {
                        return m;
                    }
                }
            }
        }
        return null;
    }

    private static char[] typed(Object reader, Method readLine, String prompt) {
        Object line;
        try {
            line = readLine.invoke(reader, prompt, '*');
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof UnsupportedOperationException) {
                throw noTerminal(); // Karaf's headless session (bin/client "command")
            }
            throw new IllegalStateException("reading the password failed: " + e.getCause(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("reading the password failed: " + e, e);
        }
        if (line == null || line.toString().isEmpty()) {
            throw new IllegalArgumentException("no password typed");
        }
        // Karaf's and JLine's readers give a String, which cannot be wiped: only our copy can
        return line.toString().toCharArray();
    }

    private static char[] decode(byte[] bytes, int length) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, length));
            char[] out = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(FILE_OPTION + ": the file is not UTF-8 text");
        }
    }
}
