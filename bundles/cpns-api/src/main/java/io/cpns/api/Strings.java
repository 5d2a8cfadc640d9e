package io.cpns.api;

/** Makes untrusted text safe to put in an error message or a log line. */
public final class Strings {
    private static final int MAX = 80;

    private Strings() {
    }

    /** Replaces control characters and cuts long input, so a peer cannot forge or flood log lines. */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX) + 3);
        for (int i = 0; i < s.length() && i < MAX; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? '?' : c);
        }
        if (s.length() > MAX) {
            b.append("...");
        }
        return b.toString();
    }
}
