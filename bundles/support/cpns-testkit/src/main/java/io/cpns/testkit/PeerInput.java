package io.cpns.testkit;

import io.cpns.api.CpnsException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * What every decoder a peer reaches must do with any input (docs/security.md §10.7), checked by
 * the fuzz tests: return a value, or throw our {@link CpnsException} with a code and a short
 * detail of our own that can go on the wire and into a log line; nothing else, and no more memory
 * than the input justifies.
 */
public final class PeerInput {
    /** Longest error detail: a reason and one or two peer strings cut by {@code Strings.printable}. */
    public static final int MAX_DETAIL = 240;
    /**
     * Allocation allowed per decode, beyond {@link #BYTES_PER_INPUT_BYTE} per input byte: generous
     * (a first use builds Jackson's deserializers), yet far below what a length field an attacker
     * sets could make a careless decoder reserve.
     */
    public static final long BASE_ALLOCATION = 16L << 20;
    public static final long BYTES_PER_INPUT_BYTE = 256;

    /**
     * Library text that must never reach a peer: Jackson's locations, phrases and backquoted types,
     * class names, exception names. Checked outside '...', where our details quote peer strings.
     */
    private static final List<Pattern> INTERNALS = List.of(
            Pattern.compile("\\[Source:|byte offset|reference chain|`"),
            Pattern.compile("(?i)jackson"),
            Pattern.compile("Cannot (deserialize|construct|coerce)|Unexpected (token|character|end-of-input)|Unrecognized"
                    + "|Invalid UTF-8|Numeric value|out of range of"),
            Pattern.compile("\\b(java|javax|jdk|sun|com\\.fasterxml|org\\.bouncycastle|io\\.netty|io\\.cpns)\\.[a-z]"), // a class name
            Pattern.compile("[A-Z][A-Za-z]+(Exception|Error)\\b"));
    /**
     * Peer strings: from the first quote to the last (a peer's text may hold quotes itself), or to
     * the end when a cut ("...") removed the closing one.
     */
    private static final Pattern QUOTED = Pattern.compile("'(.*'|[^']*$)");

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private PeerInput() {
    }

    /**
     * Runs {@code decoder} on peer bytes of {@code inputLength}. It may run twice: the first use of
     * a code path loads (and, while fuzzing, instruments) classes on this thread, so an allocation
     * over the limit counts only if a second run repeats it. Give a decoder without side effects,
     * or one that builds the state it needs.
     *
     * @return its value, or {@code null} if it refused the input with a well-formed {@link CpnsException}
     * @throws AssertionError for any other outcome (another exception, a bad detail, too much allocated)
     */
    public static <T> T decode(int inputLength, Callable<T> decoder) {
        long limit = BASE_ALLOCATION + BYTES_PER_INPUT_BYTE * inputLength;
        Outcome<T> first = run(decoder);
        if (first.allocated <= limit) {
            return first.value;
        }
        Outcome<T> second = run(decoder);
        if (second.allocated > limit) {
            throw new AssertionError("decoding " + inputLength + " bytes allocated " + second.allocated + " bytes (limit " + limit + ")");
        }
        return second.value;
    }

    private record Outcome<T>(T value, long allocated) {
    }

    private static <T> Outcome<T> run(Callable<T> decoder) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        T value = null;
        try {
            value = decoder.call();
        } catch (CpnsException e) {
            checkDetail(e);
        } catch (AssertionError e) { // a nested check already failed
            throw e;
        } catch (Throwable e) { // the fuzzer reports it with this input
            throw new AssertionError("a decoder threw " + e.getClass().getName() + ", not CpnsException", e);
        }
        return new Outcome<>(value, before < 0 ? 0 : THREADS.getCurrentThreadAllocatedBytes() - before);
    }

    /** The detail of a typed error: ours, short, printable, well-formed UTF-16 (it is CBOR text on the wire). */
    public static void checkDetail(CpnsException e) {
        if (e.code() == null) {
            throw new AssertionError("CpnsException without a code", e);
        }
        String d = e.getMessage();
        if (d == null || d.isBlank()) {
            throw new AssertionError("CpnsException " + e.code() + " without a detail", e);
        }
        if (d.length() > MAX_DETAIL) {
            throw new AssertionError("detail of " + d.length() + " characters (limit " + MAX_DETAIL + "): " + d, e);
        }
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            if (Character.isISOControl(c)) {
                throw new AssertionError("control character U+" + Integer.toHexString(c) + " in detail: " + d, e);
            }
            if (Character.isHighSurrogate(c) && i + 1 < d.length() && Character.isLowSurrogate(d.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new AssertionError("lone surrogate U+" + Integer.toHexString(c) + " at " + i + " in detail (cannot be encoded)", e);
            }
        }
        String ours = QUOTED.matcher(d).replaceAll("''");
        for (Pattern p : INTERNALS) {
            if (p.matcher(ours).find()) {
                throw new AssertionError("library internals (" + p.pattern() + ") in detail: " + d, e);
            }
        }
    }
}
