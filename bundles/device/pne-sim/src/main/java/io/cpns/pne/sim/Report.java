package io.cpns.pne.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Per-PNE establishment time: from the PNE's PN Setup Request (initiator) or its PN Setup Notify
 * (invited) to the moment it verified hash_server and holds the whole PN Inventory (the pages
 * after the first, for a PN larger than {@code inventoryPageSize}). Printed for people, plus one {@code RESULT}
 * line of key=value pairs for scripts (the load harness reads it).
 */
final class Report {
    private Report() {
    }

    static void print(int pnes, Map<String, Long> started, Map<String, Long> joined, List<String> failures, double seconds,
                      boolean complete) {
        List<Double> ms = new ArrayList<>();
        joined.forEach((id, end) -> {
            Long begin = started.get(id);
            if (begin != null) {
                ms.add((end - begin) / 1e6);
            }
        });
        Collections.sort(ms);
        double p50 = percentile(ms, 50);
        double p99 = percentile(ms, 99);
        double rate = seconds > 0 ? joined.size() / seconds : 0;
        System.out.printf("%d of %d PNE(s) joined in %.2f s (%.1f PNEs/s); per-PNE establishment p50 %.0f ms, p99 %.0f ms, max %.0f ms%s%n",
                joined.size(), pnes, seconds, rate, p50, p99, ms.isEmpty() ? 0 : ms.get(ms.size() - 1),
                complete ? "" : " (timed out waiting for the rest)");
        failures.stream().limit(10).forEach(f -> System.out.println("  failed: " + f));
        System.out.printf("RESULT pnes=%d joined=%d seconds=%.3f rate=%.2f p50_ms=%.1f p99_ms=%.1f failures=%d%n",
                pnes, joined.size(), seconds, rate, p50, p99, failures.size());
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }
}
