package io.cpns.gw.update;

import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.health.HealthReport;
import io.cpns.update.journal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What ran well before an update, for its trial to compare with (docs/updates.md §4.3):
 * {@code <data>/update/baseline.properties}, written before the journal's APPLYING, so a trial
 * after a restart compares with the gateway as it was, not as it came back.
 *
 * @param pnes     PNEs with an authenticated link
 * @param links    those links ({@code pneId|adapter|remote|since}), to count the ones dropped
 * @param ready    whether the readiness report was green
 * @param problems its problem lines (a gateway not READY before must not get worse)
 * @param broker   whether an MQTT broker was there
 */
record Baseline(Set<String> pnes, Set<String> links, boolean ready, List<String> problems, boolean broker) {
    static final String FILE = "baseline.properties";

    static Baseline capture(Services s) {
        Set<String> pnes = new TreeSet<>();
        Set<String> links = new TreeSet<>();
        PneMessenger m = s.pnes();
        if (m != null) {
            for (PneLink l : m.links()) {
                if (l.authenticated()) {
                    pnes.add(l.pneId());
                    links.add(key(l));
                }
            }
        }
        HealthReport r = s.health() == null ? null : s.health().report();
        return new Baseline(pnes, links, r != null && r.ready(), r == null ? List.of("no readiness report") : r.problems(),
                s.broker() != null);
    }

    static String key(PneLink l) {
        return l.pneId() + "|" + l.adapter() + "|" + l.remote() + "|" + l.since().toEpochMilli();
    }

    void write(Path updateDir) throws IOException {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("pnes", String.join(",", pnes));
        p.put("links", String.join("\n", links));
        p.put("ready", String.valueOf(ready));
        p.put("problems", String.join("\n", problems));
        p.put("broker", String.valueOf(broker));
        AtomicFiles.writeProperties(updateDir.resolve(FILE), p);
    }

    /** The baseline on disk; an empty one (nothing to keep) if there is none. */
    static Baseline read(Path updateDir) throws IOException {
        Map<String, String> p = AtomicFiles.readProperties(updateDir.resolve(FILE)).orElse(Map.of());
        return new Baseline(split(p.get("pnes"), ","), split(p.get("links"), "\n"), Boolean.parseBoolean(p.getOrDefault("ready", "true")),
                List.copyOf(split(p.get("problems"), "\n")), Boolean.parseBoolean(p.get("broker")));
    }

    static void delete(Path updateDir) throws IOException {
        Files.deleteIfExists(updateDir.resolve(FILE));
    }

    private static Set<String> split(String s, String sep) {
        return s == null || s.isEmpty() ? Set.of() : new TreeSet<>(Arrays.asList(s.split(sep)));
    }
}
