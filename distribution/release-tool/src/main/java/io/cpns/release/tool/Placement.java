package io.cpns.release.tool;

import io.cpns.api.update.UpdateClass;
import java.util.Set;

/**
 * The default update class and start level of a bundle, by symbolic name, matching how the
 * distribution runs it (docs/updates.md §4, docs/operator-guide.md §9): RESTART for what every
 * other bundle holds classes or state of (cpns-session, cpns-crypto, cpns-keystore, Bouncy Castle,
 * the runtime feature, the embedded broker and its Netty), HOT for the rest; start level 1 for the
 * runtime feature, 2 for everything else. {@code sign --class} and {@code --start-level} override.
 */
final class Placement {
    /** The runtime feature (features/runtime): started first, at level 1. */
    static final Set<String> RUNTIME = Set.of("org.osgi.service.component", "org.osgi.util.promise",
            "org.osgi.util.function", "org.apache.felix.scr", "org.apache.felix.configadmin",
            "org.apache.felix.metatype", "org.apache.felix.log", "org.apache.felix.fileinstall",
            "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.shell", "org.apache.felix.gogo.command");
    static final Set<String> RESTART = Set.of("io.cpns.session", "io.cpns.crypto", "io.cpns.keystore",
            "bcprov", "bcutil", "bctls", "bcpkix", "io.cpns.gw.mqtt", "io.moquette.broker");

    private Placement() {
    }

    static UpdateClass updateClass(String symbolicName) {
        return RUNTIME.contains(symbolicName) || RESTART.contains(symbolicName) || symbolicName.startsWith("io.netty.")
                ? UpdateClass.RESTART : UpdateClass.HOT;
    }

    static int startLevel(String symbolicName) {
        return RUNTIME.contains(symbolicName) ? 1 : 2;
    }
}
