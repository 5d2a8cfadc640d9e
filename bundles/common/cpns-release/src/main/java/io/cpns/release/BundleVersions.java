package io.cpns.release;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OSGi bundle versions ({@code major[.minor[.micro[.qualifier]]]}, Core §3.2.5) in the one form a
 * manifest carries: all three numbers, no leading zeros, the qualifier only when there is one. So
 * {@code Bundle-Version: 1.0} in a jar and {@code "1.0.0"} in its entry are the same bundle.
 */
final class BundleVersions {
    private static final String NUMBER = "(0|[1-9][0-9]{0,9})";
    private static final String QUALIFIER = "(?:\\.([A-Za-z0-9_-]+))?";
    private static final Pattern NORMALIZED = Pattern.compile(NUMBER + "\\." + NUMBER + "\\." + NUMBER + QUALIFIER);
    private static final Pattern ANY = Pattern.compile("([0-9]{1,10})(?:\\.([0-9]{1,10})(?:\\.([0-9]{1,10})"
            + QUALIFIER + ")?)?");

    private BundleVersions() {
    }

    static boolean isNormalized(String v) {
        Matcher m = NORMALIZED.matcher(v);
        return m.matches() && fits(m.group(1)) && fits(m.group(2)) && fits(m.group(3));
    }

    /** The normalized form of a {@code Bundle-Version} header (absent: 0.0.0), or null if it is not a version. */
    static String normalize(String header) {
        if (header == null) {
            return "0.0.0";
        }
        Matcher m = ANY.matcher(header.trim());
        if (!m.matches()) {
            return null;
        }
        String[] n = {m.group(1), m.group(2) == null ? "0" : m.group(2), m.group(3) == null ? "0" : m.group(3)};
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            if (!fits(n[i])) {
                return null;
            }
            b.append(i == 0 ? "" : ".").append(Long.parseLong(n[i]));
        }
        return m.group(4) == null ? b.toString() : b.append('.').append(m.group(4)).toString();
    }

    private static boolean fits(String digits) {
        return Long.parseLong(digits) <= Integer.MAX_VALUE;
    }
}
