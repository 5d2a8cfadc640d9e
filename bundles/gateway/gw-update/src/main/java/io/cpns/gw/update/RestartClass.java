package io.cpns.gw.update;

import java.util.Arrays;
import java.util.List;

/**
 * Which installed bundles this gateway applies only by a restart of its framework, whatever a
 * manifest says (configuration {@code restartBundles}): symbolic names, a trailing {@code *}
 * matching any rest. A hot update whose refresh reaches one of them is escalated to a restart.
 */
final class RestartClass {
    /** The default: libraries and services everything else holds (docs/updates.md §4.1). */
    static final String[] DEFAULT = {"io.cpns.api", "io.cpns.codec", "io.cpns.crypto", "io.cpns.session", "io.cpns.keystore",
        "io.cpns.gw.update", "io.cpns.gw.mqtt", "io.moquette.*", "io.netty.*", "bc*", "com.fasterxml.*", "com.fazecast.*",
        "slf4j.*", "org.eclipse.paho.*", "org.apache.felix.*", "org.osgi.*"};

    private final List<String> patterns;

    RestartClass(String[] patterns) {
        // a .cfg file gives "a,b" as one string
        this.patterns = Arrays.stream(patterns).flatMap(s -> Arrays.stream(s.split(","))).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    boolean restart(String symbolicName) {
        if (symbolicName == null) {
            return false;
        }
        for (String p : patterns) {
            if (p.endsWith("*") ? symbolicName.startsWith(p.substring(0, p.length() - 1)) : symbolicName.equals(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return String.join(",", patterns);
    }
}
