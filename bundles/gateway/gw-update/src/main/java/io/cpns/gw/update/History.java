package io.cpns.gw.update;

import io.cpns.api.message.UpdateStatus;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import io.cpns.update.journal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The terminal statuses of the offers this gateway received, newest last, in
 * {@code <data>/update/history.properties} (docs/updates.md §3.4). Written atomically before a
 * status is sent: those not yet acknowledged by the Server are the outbox, sent again after each
 * authentication of the link until acknowledged. An acknowledged entry is kept (bounded) so a
 * repeated offer or cancel of the same rollout is answered with the same outcome.
 *
 * <p>Thread-safe (every method synchronized); each change is one file write.
 */
final class History {
    static final String FILE = "history.properties";
    static final int MAX = 50;

    /** One terminal status, and whether the Server acknowledged it. */
    record Entry(UpdateStatus status, boolean acked) {
    }

    private final Path file;
    private final List<Entry> entries = new ArrayList<>();

    History(Path updateDir) throws IOException {
        this.file = updateDir.resolve(FILE);
        Map<String, String> p = AtomicFiles.readProperties(file).orElse(Map.of());
        try {
            int n = Integer.parseInt(p.getOrDefault("entries", "0"));
            for (int i = 0; i < n; i++) {
                String k = i + ".";
                String failure = p.getOrDefault(k + "failure", "");
                String detail = p.getOrDefault(k + "detail", "");
                entries.add(new Entry(new UpdateStatus(p.get(k + "rollout"), Long.parseLong(p.get(k + "seq")),
                        UpdateState.valueOf(p.get(k + "state")), failure.isEmpty() ? null : UpdateFailure.valueOf(failure),
                        detail.isEmpty() ? null : detail, Long.parseLong(p.get(k + "at"))), Boolean.parseBoolean(p.get(k + "acked"))));
            }
        } catch (RuntimeException e) {
            throw new IOException(file + " is damaged: " + e, e);
        }
    }

    /** Records a terminal status (once per rollout and state), not yet acknowledged. */
    synchronized void add(UpdateStatus s) throws IOException {
        if (find(s.rolloutId()).filter(e -> e.status().state() == s.state()).isPresent()) {
            return; // recorded already (a restart between recording and the journal's next step)
        }
        entries.add(new Entry(s, false));
        while (entries.size() > MAX) {
            int oldestAcked = indexOfOldestAcked();
            entries.remove(oldestAcked >= 0 ? oldestAcked : 0);
        }
        write();
    }

    synchronized void acked(UpdateStatus s) throws IOException {
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (!e.acked() && e.status().rolloutId().equals(s.rolloutId()) && e.status().state() == s.state()) {
                entries.set(i, new Entry(e.status(), true));
                write();
                return;
            }
        }
    }

    /** Statuses the Server has not acknowledged, oldest first. */
    synchronized List<UpdateStatus> outbox() {
        return entries.stream().filter(e -> !e.acked()).map(Entry::status).toList();
    }

    /** The latest outcome for a rollout. */
    synchronized Optional<Entry> find(String rolloutId) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).status().rolloutId().equals(rolloutId)) {
                return Optional.of(entries.get(i));
            }
        }
        return Optional.empty();
    }

    /** Sent again: no longer acknowledged (a repeated offer asks for the outcome again). */
    synchronized void unack(String rolloutId) throws IOException {
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            if (e.status().rolloutId().equals(rolloutId)) {
                if (e.acked()) {
                    entries.set(i, new Entry(e.status(), false));
                    write();
                }
                return;
            }
        }
    }

    synchronized List<Entry> all() {
        return List.copyOf(entries);
    }

    private int indexOfOldestAcked() {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).acked()) {
                return i;
            }
        }
        return -1;
    }

    private void write() throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("format", "1");
        p.put("entries", String.valueOf(entries.size()));
        for (int i = 0; i < entries.size(); i++) {
            UpdateStatus s = entries.get(i).status();
            String k = i + ".";
            p.put(k + "rollout", s.rolloutId());
            p.put(k + "seq", String.valueOf(s.releaseSeq()));
            p.put(k + "state", s.state().name());
            p.put(k + "failure", s.failure() == null ? "" : s.failure().name());
            p.put(k + "detail", s.detail() == null ? "" : s.detail());
            p.put(k + "at", String.valueOf(s.at()));
            p.put(k + "acked", String.valueOf(entries.get(i).acked()));
        }
        AtomicFiles.writeProperties(file, p);
    }
}
