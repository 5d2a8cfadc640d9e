package io.cpns.gw.update;

/** Text from peers and files, made safe for a status detail or a log line. */
final class Strings {
    /** The most an {@code update.status} detail carries (io.cpns.api.message.UpdateStatus). */
    static final int DETAIL = 160;

    private Strings() {
    }

    /** Printable ASCII only, at most {@value #DETAIL} characters. */
    static String clip(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), DETAIL));
        for (int i = 0; i < s.length() && out.length() < DETAIL; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        if (s.length() > DETAIL) {
            out.setLength(DETAIL - 3);
            out.append("...");
        }
        return out.toString();
    }
}
