package io.cpns.update.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * The launcher's boot guard (docs/updates.md §4.5), before the framework starts: which set of
 * managed bundles to boot, from the journal alone (no OSGi). A boot while an update is being
 * applied or tried counts as an attempt of the new set; past {@code maxBoots} attempts the previous
 * set is booted and the journal says ROLLED_BACK / BOOT_FAILED, which the update agent reports.
 */
public final class BootGuard {
    /** Framework property (etc/gateway/role.properties): boots into a new set before the previous one is restored. */
    public static final String MAX_BOOTS = "cpns.update.bootAttempts";
    public static final int DEFAULT_MAX_BOOTS = 2;

    private BootGuard() {
    }

    /** Which set this boot runs. */
    public enum Which {
        /** The committed set (nothing in progress, or the outcome is being recorded). */
        COMMITTED,
        /** The set of the update being applied or tried. */
        NEW,
        /** The set from before the update being rolled back (or given up by the guard). */
        PREVIOUS
    }

    /**
     * @param journal the journal as this boot leaves it (already written)
     * @param set     the managed bundles to run
     * @param force   symbolic names whose installed content cannot be trusted (an update was under
     *                way: they may hold either set's jar): reinstalled from {@code set} or the distribution
     * @param note    one line for the launcher's output, or "" when there is nothing to say
     */
    public record Plan(Journal journal, Which which, BundleSet set, Set<String> force, String note) {
        /** Symbolic names under remote management in this boot: the set's, and both sets' of an update under way. */
        public Set<String> managed() {
            Set<String> out = new HashSet<>(force);
            set.members().forEach(m -> out.add(m.symbolicName()));
            return Set.copyOf(out);
        }
    }

    /** Reads the journal of {@code updateDir}, counts this boot if it tries a new set, writes it back, and says what to boot. */
    public static Plan prepare(Path updateDir, int maxBoots) throws IOException {
        if (!Files.isDirectory(updateDir)) {
            return new Plan(Journal.empty(), Which.COMMITTED, BundleSet.DISTRIBUTION, Set.of(), "");
        }
        Journal j = Journal.read(updateDir);
        if (j.phase() == Phase.IDLE) {
            return new Plan(j, Which.COMMITTED, BundleSet.read(updateDir, j.committedSet()), Set.of(), "");
        }
        Set<String> force = new HashSet<>();
        BundleSet from = readOrNull(updateDir, j.from());
        BundleSet to = readOrNull(updateDir, j.to());
        for (BundleSet s : new BundleSet[] {from, to}) {
            if (s != null) {
                s.members().forEach(m -> force.add(m.symbolicName()));
            }
        }
        if (from == null) {
            throw new IOException("the set before release " + j.seq() + " (" + j.from() + ") is missing under " + updateDir);
        }
        String release = "release " + j.seq() + " (rollout " + j.rollout() + ")";
        switch (j.phase()) {
            case APPLYING, TRIAL -> {
                Journal counted = j.bootCounted();
                if (to == null || !to.complete(updateDir)) {
                    counted = counted.rolledBack("BOOT_FAILED", "the jars of " + release + " are missing: the previous set runs");
                    counted.write(updateDir);
                    return new Plan(counted, Which.PREVIOUS, from, force, "update: " + counted.detail());
                }
                if (counted.bootAttempts() > maxBoots) {
                    counted = counted.rolledBack("BOOT_FAILED", "the gateway did not come up on " + release + " in " + maxBoots
                            + " boots: the previous set runs");
                    counted.write(updateDir);
                    return new Plan(counted, Which.PREVIOUS, from, force, "update: " + counted.detail());
                }
                counted.write(updateDir);
                return new Plan(counted, Which.NEW, to, force, "update: " + release + ", boot " + counted.bootAttempts() + " of "
                        + maxBoots + " into its set (" + j.phase() + ")");
            }
            case ROLLING_BACK, ROLLED_BACK -> {
                return new Plan(j, Which.PREVIOUS, from, force, "update: " + release + " rolled back (" + j.failure() + "): the previous set runs");
            }
            default -> { // COMMITTED: committedSet is already the new set
                return new Plan(j, Which.COMMITTED, BundleSet.read(updateDir, j.committedSet()), force, "");
            }
        }
    }

    private static BundleSet readOrNull(Path updateDir, String id) {
        try {
            return BundleSet.read(updateDir, id);
        } catch (IOException e) {
            return null;
        }
    }
}
