package io.cpns.pne.sim;

import io.cpns.crypto.Bytes;
import io.cpns.pne.PneClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * {@code --control}: when each PNE came to hold each Group Key epoch (wall clock, µs: the load
 * harness that changed the group runs in another process on the same machine), answered on
 * standard input: {@code await <group> <epoch> <t0 µs since the epoch> <members>} prints, once
 * {@code members} PNEs hold that epoch (or after the timeout), one line
 * {@code RESULT rekey_n=.. rekey_p50_ms=.. rekey_p99_ms=.. rekey_max_ms=..}.
 */
final class GroupKeyWatch {
    private final Map<String, Map<String, Long>> arrivals = new ConcurrentHashMap<>(); // group+epoch -> pne -> µs
    private final List<PneClient> pnes = new CopyOnWriteArrayList<>();

    void watch(PneClient pne) {
        pnes.add(pne);
        pne.onGroupKey(k -> {
            long now = micros(Instant.now());
            arrivals.computeIfAbsent(k.groupId() + " " + k.epoch(), x -> new ConcurrentHashMap<>()).putIfAbsent(pne.id().value(), now);
            Bytes.wipe(k.key());
        });
    }

    /** Reads commands until standard input ends (the harness stops the simulator). */
    void serve(int timeoutSeconds) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] w = line.trim().split("\\s+");
                    if (w.length == 5 && w[0].equals("await")) {
                        await(w[1] + " " + w[2], Long.parseLong(w[3]), Integer.parseInt(w[4]), timeoutSeconds);
                    } else if (w.length == 3 && w[0].equals("settle")) {
                        settle(w[1], Integer.parseInt(w[2]), timeoutSeconds);
                    }
                }
            } catch (IOException ignored) {
                // the harness went away
            }
        }, "cpns-sim-control");
        t.setDaemon(true);
        t.start();
    }

    /**
     * {@code settle <group> <n>}: waits until {@code n} PNEs are subscribed to the group's broadcasts,
     * then a second for their post-subscription catch-ups; prints {@code SETTLED <n>}.
     */
    private void settle(String group, int n, int timeoutSeconds) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (pnes.stream().filter(p -> p.followsBroadcast(group)).count() < n && System.nanoTime() < deadline) {
            sleep();
        }
        long following = pnes.stream().filter(p -> p.followsBroadcast(group)).count();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.println("SETTLED " + following);
        System.out.flush();
    }

    private void await(String key, long t0, int members, int timeoutSeconds) {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (arrivals.getOrDefault(key, Map.of()).size() < members && System.nanoTime() < deadline) {
            sleep();
        }
        List<Double> ms = new ArrayList<>();
        Map<String, Long> got = arrivals.getOrDefault(key, Map.of());
        got.values().forEach(at -> ms.add((at - t0) / 1000.0));
        Collections.sort(ms);
        if (got.size() < members) { // what the others hold, for the operator
            String group = key.substring(0, key.indexOf(' '));
            List<PneClient> missing = pnes.stream().filter(p -> !got.containsKey(p.id().value())).toList();
            System.out.printf("%d PNE(s) without %s: following %d, MQTT up %d, holding epochs %s; e.g. %s%n", missing.size(), key,
                    missing.stream().filter(p -> p.followsBroadcast(group)).count(), missing.stream().filter(PneClient::broadcastConnected).count(),
                    missing.stream().map(p -> p.groupKey(group).map(k -> k.epoch()).orElse(-1L))
                            .collect(Collectors.groupingBy(e -> e, Collectors.counting())), missing.stream().limit(3).map(p -> p.id().value()).toList());
        }
        System.out.printf("RESULT rekey_n=%d rekey_p50_ms=%.1f rekey_p99_ms=%.1f rekey_max_ms=%.1f%n", ms.size(),
                Report.percentile(ms, 50), Report.percentile(ms, 99), ms.isEmpty() ? 0 : ms.get(ms.size() - 1));
        System.out.flush();
    }

    static long micros(Instant i) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, i);
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
