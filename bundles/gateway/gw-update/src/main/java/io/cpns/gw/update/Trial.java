package io.cpns.gw.update;

import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;
import io.cpns.api.health.HealthReport;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.update.UpdateFailure;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.osgi.framework.Bundle;

/**
 * The trial period after a set is applied (docs/updates.md §4.3): for {@code period}, the set's
 * bundles must stay ACTIVE (one that is not ends the trial at once: START_FAILED) and a round trip
 * with the CPNS Server over the session must succeed (a ping); at its end, the readiness report
 * must be green (every CPNS bundle ACTIVE, every DS component of them satisfied, no contributor's
 * problem; a gateway that was not READY before must have no new problem), the MQTT broker must
 * answer, and every PNE that had an authenticated link before must have one again.
 *
 * <p>Runs on the update agent's thread and blocks it for the period.
 */
final class Trial {
    /** The outcome: {@code failure} null when every check held. */
    record Result(UpdateFailure failure, String detail, int linksDropped) {
        boolean passed() {
            return failure == null;
        }
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private final Services services;
    private final Function<String, Bundle> bundles;

    /** @param bundles the framework's bundle of a symbolic name (null if none) */
    Trial(Services services, Function<String, Bundle> bundles) {
        this.services = services;
        this.bundles = bundles;
    }

    Result run(Baseline before, Collection<String> setBundles, Duration period) throws InterruptedException {
        long start = System.nanoTime();
        long end = start + period.toNanos();
        long roundTrip = -1;
        String serverProblem = "no answer to a ping yet";
        while (true) {
            for (String bsn : setBundles) {
                Bundle b = bundles.apply(bsn);
                if (b == null) {
                    return new Result(UpdateFailure.START_FAILED, bsn + " is not installed", -1);
                }
                boolean fragment = b.getHeaders().get("Fragment-Host") != null;
                if (!fragment && b.getState() != Bundle.ACTIVE && b.getState() != Bundle.STARTING) {
                    return new Result(UpdateFailure.START_FAILED, bsn + " " + b.getVersion() + " is " + state(b.getState()), -1);
                }
            }
            if (roundTrip < 0) {
                long t0 = System.nanoTime();
                serverProblem = ping(Duration.ofNanos(Math.max(TimeUnit.SECONDS.toNanos(1), Math.min(TimeUnit.SECONDS.toNanos(10),
                        end - t0))));
                if (serverProblem == null) {
                    roundTrip = (System.nanoTime() - t0) / 1_000_000;
                }
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                break;
            }
            Thread.sleep(Math.max(1, Math.min(500, left / 1_000_000)));
        }
        String health = health(before);
        if (health != null) {
            return new Result(UpdateFailure.HEALTH_FAILED, health, -1);
        }
        if (roundTrip < 0) {
            return new Result(UpdateFailure.SERVER_UNREACHABLE, "no round trip with the CPNS Server in " + period.toSeconds() + " s: "
                    + serverProblem, -1);
        }
        if (before.broker()) {
            GroupBroker broker = services.broker();
            String problem = broker == null ? "the MQTT broker service is gone" : MqttProbe.probe(broker.uri(), 5000);
            if (problem != null) {
                return new Result(UpdateFailure.BROKER_UNREACHABLE, problem, -1);
            }
        }
        PneMessenger m = services.pnes();
        List<PneLink> now = m == null ? List.of() : m.links();
        Set<String> linked = new TreeSet<>();
        Set<String> links = new TreeSet<>();
        for (PneLink l : now) {
            if (l.authenticated()) {
                linked.add(l.pneId());
                links.add(Baseline.key(l));
            }
        }
        Set<String> lost = new TreeSet<>(before.pnes());
        lost.removeAll(linked);
        Set<String> dropped = new TreeSet<>(before.links());
        dropped.removeAll(links);
        if (!lost.isEmpty()) {
            return new Result(UpdateFailure.PNE_LINKS_LOST, lost.size() + " of " + before.pnes().size()
                    + " PNEs linked before have no link: " + String.join(",", lost), dropped.size());
        }
        return new Result(null, "trial passed: " + before.pnes().size() + " PNEs linked before are linked, " + dropped.size()
                + " PNE links dropped, Server round trip " + roundTrip + " ms", dropped.size());
    }

    /** @return null when the Server answered, else why not */
    private String ping(Duration timeout) {
        ServerLink link = services.link();
        if (link == null) {
            return "no link to the Server (gw-link not running)";
        }
        byte[] data = new byte[8];
        RANDOM.nextBytes(data);
        try {
            Message r = link.request(new Ping(data), timeout).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            return r instanceof Pong p && Arrays.equals(p.data(), data) ? null : "the Server answered a ping with " + r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (Exception e) {
            Throwable c = Failures.cause(e);
            return c.getMessage() == null ? c.toString() : c.getMessage();
        }
    }

    private String health(Baseline before) {
        Health h = services.health();
        if (h == null) {
            return "no readiness report (cpns-health is not running)";
        }
        HealthReport r = h.report();
        if (before.ready()) {
            return r.ready() ? null : "not READY: " + (r.problems().isEmpty() ? "no CPNS bundle" : r.problems().get(0));
        }
        List<String> added = new ArrayList<>(r.problems());
        added.removeAll(before.problems());
        return added.isEmpty() ? null : "a new problem: " + added.get(0);
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.INSTALLED -> "INSTALLED (not resolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            default -> "ACTIVE";
        };
    }
}
