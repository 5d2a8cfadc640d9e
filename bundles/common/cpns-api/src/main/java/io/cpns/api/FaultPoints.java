package io.cpns.api;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Named points in a flow where the fault-injection suite (docs/security.md §10.7) cuts the power:
 * a process started with {@code -Dcpns.faultpoints=pn.lek.stored,...} that reaches a listed point
 * prints {@code CPNS-FAULTPOINT <name>} on standard error and stops that thread for good, so the
 * test can {@code kill -9} the process at exactly that step (a real SIGKILL, not a simulation).
 *
 * <p>Without the property (every production start) {@link #reach} is one read of an empty set.
 * Names are {@code <bundle area>.<step>}, listed in docs/security.md §10.7.
 */
public final class FaultPoints {
    private static final Set<String> ARMED = Arrays.stream(System.getProperty("cpns.faultpoints", "").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());

    private FaultPoints() {
    }

    /** Called by the flow at the step {@code name}; returns at once unless the point is armed. */
    public static void reach(String name) {
        if (ARMED.isEmpty() || !ARMED.contains(name)) {
            return;
        }
        System.err.println("CPNS-FAULTPOINT " + name);
        System.err.flush();
        while (true) { // wait for the SIGKILL the test sends now
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                // a stopping framework interrupts: still never go on past the point
            }
        }
    }
}
