package io.cpns.api;

/** Makes untrusted text safe to put in an error message or a log line. */
public final class Strings {
    private static final int MAX = 80;

    private Strings() {
    }

    /**
     * Replaces control characters and lone UTF-16 surrogates with {@code ?} and cuts long input
     * (never inside a surrogate pair), so a peer can neither forge nor flood log lines, nor make
     * an error detail that cannot be encoded as UTF-8 on the wire.
     */
    public static String printable(String s) {
        return printable(s, MAX);
    }

    /** {@link #printable(String)} cut at {@code max} characters: for a peer's whole error detail. */
    public static String printable(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max) + 3);
        int i = 0;
        while (i < s.length() && i < max) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                if (i + 1 >= max) {
                    break; // the pair does not fit: cut before it
                }
                b.append(c).append(s.charAt(i + 1));
                i += 2;
            } else {
                b.append(Character.isISOControl(c) || Character.isSurrogate(c) ? '?' : c);
                i++;
            }
        }
        if (i < s.length()) {
            b.append("...");
        }
        return b.toString();
    }
}
