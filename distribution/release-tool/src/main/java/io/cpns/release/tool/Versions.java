package io.cpns.release.tool;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A jar's {@code Bundle-Version} in the form a manifest carries (docs/updates.md §2.3.2):
 * {@code major.minor.micro[.qualifier]}, no leading zeros; no header is 0.0.0. The copy in
 * cpns-release is not public API; {@code sign} checks each copied jar with {@code BundleCheck},
 * so the two cannot disagree unnoticed.
 */
final class Versions {
    private static final Pattern VERSION = Pattern.compile(
            "([0-9]{1,10})(?:\\.([0-9]{1,10})(?:\\.([0-9]{1,10})(?:\\.([A-Za-z0-9_-]+))?)?)?");

    private Versions() {
    }

    /** The normalized version, or null if {@code header} is not an OSGi version. */
    static String normalize(String header) {
        if (header == null) {
            return "0.0.0";
        }
        Matcher m = VERSION.matcher(header.trim());
        if (!m.matches()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            long n = m.group(i) == null ? 0 : Long.parseLong(m.group(i));
            if (n > Integer.MAX_VALUE) {
                return null;
            }
            b.append(i == 1 ? "" : ".").append(n);
        }
        return m.group(4) == null ? b.toString() : b.append('.').append(m.group(4)).toString();
    }
}
