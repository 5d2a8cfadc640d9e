package io.cpns.update.journal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable state of remote updates on one gateway: {@code <data>/update/journal.properties}
 * (docs/updates.md §4.3). One file, written atomically ({@link AtomicFiles}), so the highest
 * committed sequence, the committed set and the phase of the update in progress always agree
 * after a power cut. The launcher reads it before the framework starts (boot guard), the update
 * agent at each step.
 *
 * @param committedSeq highest committed {@code releaseSeq}, 0 for none
 * @param keysSeq      highest {@code keysSeq} of a release keys document accepted here
 * @param committedSet id of the committed set of managed bundles ({@code sets/<id>/}); "" for the distribution's bundles only
 * @param phase        where the update in progress stands
 * @param rollout      its rollout id ("" when idle)
 * @param seq          its {@code releaseSeq}
 * @param from         the set before it (the committed one when it began)
 * @param to           the set it installs
 * @param restart      applied by a restart of the framework (RESTART class, or escalated)
 * @param bootAttempts boots of the framework into {@code to} since it began (the boot guard's counter)
 * @param failure      the {@code UpdateFailure} name when rolling or rolled back, else ""
 * @param detail       a line for the operator about the failure, else ""
 * @param manifestHash lowercase hex SHA-256 of its signed manifest bytes (marks it bad on rollback)
 * @param started      when it began applying (Unix ms)
 * @param bad          releases rolled back here, {@code <seq>:<manifestHash>}, oldest first; refused as KNOWN_BAD
 */
public record Journal(long committedSeq, long keysSeq, String committedSet, Phase phase, String rollout, long seq,
        String from, String to, boolean restart, int bootAttempts, String failure, String detail, String manifestHash,
        long started, List<String> bad) {
    public static final String FILE = "journal.properties";
    public static final int FORMAT = 1;
    /** How many bad releases are remembered (the oldest is forgotten first). */
    public static final int MAX_BAD = 64;

    public Journal {
        committedSet = nz(committedSet);
        rollout = nz(rollout);
        from = nz(from);
        to = nz(to);
        failure = nz(failure);
        detail = nz(detail);
        manifestHash = nz(manifestHash);
        bad = List.copyOf(bad == null ? List.of() : bad);
    }

    public static Journal empty() {
        return new Journal(0, 0, "", Phase.IDLE, "", 0, "", "", false, 0, "", "", "", 0, List.of());
    }

    // ---- transitions (each one is written before the step it announces) ----

    /** An update begins: from the committed set to {@code to}. */
    public Journal applying(String rollout, long seq, String to, boolean restart, String manifestHash, long now) {
        return new Journal(committedSeq, keysSeq, committedSet, Phase.APPLYING, rollout, seq, committedSet, to, restart, 0, "", "",
                manifestHash, now, bad);
    }

    /** Applied by a restart after all (the refresh closure reached a RESTART-class bundle). */
    public Journal restarting() {
        return new Journal(committedSeq, keysSeq, committedSet, phase, rollout, seq, from, to, true, bootAttempts, failure, detail,
                manifestHash, started, bad);
    }

    public Journal trial() {
        return at(Phase.TRIAL, failure, detail);
    }

    public Journal rollingBack(String failure, String detail) {
        return at(Phase.ROLLING_BACK, failure, detail);
    }

    /** The previous set runs again; the release is remembered as bad. */
    public Journal rolledBack(String failure, String detail) {
        List<String> b = new ArrayList<>(bad);
        String entry = seq + ":" + manifestHash;
        if (!manifestHash.isEmpty() && !b.contains(entry)) {
            b.add(entry);
        }
        while (b.size() > MAX_BAD) {
            b.remove(0);
        }
        return new Journal(committedSeq, keysSeq, committedSet, Phase.ROLLED_BACK, rollout, seq, from, to, restart, bootAttempts,
                failure, detail, manifestHash, started, b);
    }

    /** The trial passed: {@code seq} is the highest committed, {@code to} the committed set; {@code detail} what the trial saw. */
    public Journal committed(String detail) {
        return new Journal(Math.max(committedSeq, seq), keysSeq, to, Phase.COMMITTED, rollout, seq, from, to, restart, bootAttempts,
                "", detail, manifestHash, started, bad);
    }

    /** The outcome is recorded for the Server: nothing in progress. */
    public Journal idle() {
        return new Journal(committedSeq, keysSeq, committedSet, Phase.IDLE, "", 0, "", "", false, 0, "", "", "", 0, bad);
    }

    /** A release keys document with a higher sequence was accepted (a revocation holds from now on). */
    public Journal withKeysSeq(long k) {
        return new Journal(committedSeq, Math.max(keysSeq, k), committedSet, phase, rollout, seq, from, to, restart, bootAttempts,
                failure, detail, manifestHash, started, bad);
    }

    /** One more boot into {@code to} (the launcher, before it starts the framework). */
    public Journal bootCounted() {
        return new Journal(committedSeq, keysSeq, committedSet, phase, rollout, seq, from, to, restart, bootAttempts + 1, failure,
                detail, manifestHash, started, bad);
    }

    private Journal at(Phase p, String failure, String detail) {
        return new Journal(committedSeq, keysSeq, committedSet, p, rollout, seq, from, to, restart, bootAttempts, failure, detail,
                manifestHash, started, bad);
    }

    /** Whether this release (by the SHA-256 of its manifest) was rolled back here. */
    public boolean isBad(String manifestHash) {
        return bad.stream().anyMatch(b -> b.endsWith(":" + manifestHash));
    }

    // ---- the file ----

    /** The journal of {@code updateDir}, or {@link #empty()} if there is none yet. */
    public static Journal read(Path updateDir) throws IOException {
        Optional<Map<String, String>> file = AtomicFiles.readProperties(updateDir.resolve(FILE));
        if (file.isEmpty()) {
            return empty();
        }
        Map<String, String> p = file.get();
        try {
            int format = Integer.parseInt(p.getOrDefault("format", "0"));
            if (format != FORMAT) {
                throw new IOException("journal format " + format + " (this runtime reads " + FORMAT + ")");
            }
            String bad = p.getOrDefault("bad", "");
            return new Journal(num(p, "committedSeq"), num(p, "keysSeq"), p.get("committedSet"), Phase.valueOf(p.getOrDefault("phase", "IDLE")),
                    p.get("rollout"), num(p, "seq"), p.get("from"), p.get("to"), Boolean.parseBoolean(p.get("restart")),
                    (int) num(p, "bootAttempts"), p.get("failure"), p.get("detail"), p.get("manifestHash"), num(p, "started"),
                    bad.isEmpty() ? List.of() : Arrays.asList(bad.split(",")));
        } catch (IllegalArgumentException e) {
            throw new IOException(updateDir.resolve(FILE) + " is damaged: " + e.getMessage(), e);
        }
    }

    public void write(Path updateDir) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("format", String.valueOf(FORMAT));
        p.put("committedSeq", String.valueOf(committedSeq));
        p.put("keysSeq", String.valueOf(keysSeq));
        p.put("committedSet", committedSet);
        p.put("phase", phase.name());
        p.put("rollout", rollout);
        p.put("seq", String.valueOf(seq));
        p.put("from", from);
        p.put("to", to);
        p.put("restart", String.valueOf(restart));
        p.put("bootAttempts", String.valueOf(bootAttempts));
        p.put("failure", failure);
        p.put("detail", detail);
        p.put("manifestHash", manifestHash);
        p.put("started", String.valueOf(started));
        p.put("bad", String.join(",", bad));
        AtomicFiles.writeProperties(updateDir.resolve(FILE), p);
    }

    private static long num(Map<String, String> p, String key) {
        String v = p.get(key);
        return v == null || v.isEmpty() ? 0 : Long.parseLong(v);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
