package io.cpns.server.update.internal;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.dispatch.Failures;
import io.cpns.server.store.UpdateStore;
import io.cpns.server.update.GatewayProgress;
import io.cpns.server.update.RolloutRequest;
import io.cpns.server.update.RolloutView;
import io.cpns.server.update.Target;
import io.cpns.server.update.UpdateService;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Releases and rollouts for operators (docs/operator-guide.md "Publishing releases and running
 * rollouts"): {@code server:releasepublish|releases|rolloutstart|rollouts|rollout|rolloutgw|
 * rolloutpause|rolloutresume|rolloutcancel|inventory|gwlabel|gwunlabel|gwlabels}. Errors come back
 * as one line saying what to do.
 */
@Component(service = UpdateCommands.class, property = {
    "osgi.command.scope=server",
    "osgi.command.function=releasepublish",
    "osgi.command.function=releases",
    "osgi.command.function=rolloutstart",
    "osgi.command.function=rollouts",
    "osgi.command.function=rollout",
    "osgi.command.function=rolloutgw",
    "osgi.command.function=rolloutpause",
    "osgi.command.function=rolloutresume",
    "osgi.command.function=rolloutcancel",
    "osgi.command.function=inventory",
    "osgi.command.function=gwlabel",
    "osgi.command.function=gwunlabel",
    "osgi.command.function=gwlabels"})
public class UpdateCommands {
    private final UpdateService updates;

    @Activate
    public UpdateCommands(@Reference(name = "updates") UpdateService updates) {
        this.updates = updates;
    }

    @Descriptor("Publishes a release directory written by bin/cpns-release (manifest.cbor, manifest.sig, keys.cbor, keys.sig, jars)")
    public void releasepublish(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("the release directory") String directory) {
        if (help) {
            Usage.print(this, "server:releasepublish");
            return;
        }
        Print.result(run(() -> {
            UpdateStore.ReleaseRow r = updates.publish(Path.of(directory));
            return "release " + r.releaseSeq() + " (" + r.name() + ") published: " + r.files().size() + " bundle(s), " + r.totalBytes()
                    + " bytes, signed by key " + r.keyId() + ", expires " + Instant.ofEpochSecond(r.expires());
        }));
    }

    @Descriptor("Published releases, newest first")
    public void releases(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:releases");
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-8s %-20s %-10s %-8s %-8s %-10s %-18s %s%n", "SEQ", "NAME", "PRODUCT", "ROLE",
                "BUNDLES", "BYTES", "KEY", "EXPIRES"));
        for (UpdateStore.ReleaseRow r : updates.releases()) {
            s.append(String.format("%-8d %-20s %-10s %-8s %-8d %-10d %-18s %s%n", r.releaseSeq(), r.name(), r.product(), r.role(),
                    r.files().size(), r.totalBytes(), r.keyId().length() > 16 ? r.keyId().substring(0, 16) : r.keyId(),
                    Instant.ofEpochSecond(r.expires())));
            for (UpdateStore.ReleaseFile f : r.files()) {
                s.append(String.format("         %s %s (%s, level %d) %s sha256 %s%n", f.symbolicName(), f.version(), f.updateClass(),
                        f.startLevel(), f.file(), HexFormat.of().formatHex(f.sha256()).substring(0, 16)));
            }
        }
        Print.result(s.toString());
    }

    @Descriptor("Starts a rollout of a published release: waves from a hash of gateway and rollout ID, the first wave offered at once")
    public void rolloutstart(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("rollout ID (default r<seq>-<time>)") @Parameter(names = {"-i", "--id"}, absentValue = "") String id,
            @Descriptor("all | owner:<user> | label:<label> | list:<gw>,<gw>...") @Parameter(names = {"-t", "--target"}, absentValue = "all")
            String target,
            @Descriptor("cumulative waves: counts or percentages, the last 100%") @Parameter(names = {"-w", "--waves"},
            absentValue = "1,10%,50%,100%") String waves,
            @Descriptor("success threshold: % of a wave committed before the next") @Parameter(names = {"-s", "--success"}, absentValue = "95")
            int success,
            @Descriptor("failure threshold: % of a wave failed that pauses (at least one)") @Parameter(names = {"-f", "--failure"},
            absentValue = "5") int failure,
            @Descriptor("soak after the success threshold, e.g. 30m, 2h") @Parameter(names = {"--soak"}, absentValue = "1h") String soak,
            @Descriptor("time a gateway has to reach a final state, e.g. 24h") @Parameter(names = {"-d", "--deadline"}, absentValue = "24h")
            String deadline,
            @Descriptor("maintenance window HH:MM-HH:MM, the gateway's local time") @Parameter(names = {"--window"}, absentValue = "")
            String window,
            @Descriptor("release sequence") long releaseSeq) {
        if (help) {
            Usage.print(this, "server:rolloutstart");
            return;
        }
        Print.result(run(() -> describe(updates.start(new RolloutRequest(id.isBlank() ? null : id, releaseSeq, Target.parse(target), waves, success,
                failure, duration(soak), duration(deadline), window.isBlank() ? null : window)))));
    }

    @Descriptor("Rollouts, newest first, with their state and counts")
    public void rollouts(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:rollouts");
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-28s %-6s %-10s %-8s %-9s %-7s %-6s %s%n", "ROLLOUT", "SEQ", "STATE", "TARGETS",
                "COMMITTED", "FAILED", "OPEN", "TARGET"));
        for (RolloutView v : updates.rollouts()) {
            Map<String, Integer> p = v.byPhase();
            int failed = p.get("ROLLED_BACK") + p.get("REFUSED") + p.get("FAILED") + p.get("TIMED_OUT");
            int open = v.gateways() - p.get("COMMITTED") - failed - p.get("CANCELLED");
            s.append(String.format("%-28s %-6d %-10s %-8d %-9d %-7d %-6d %s%n", v.rolloutId(), v.releaseSeq(), v.state(), v.gateways(),
                    p.get("COMMITTED"), failed, open, v.target()));
        }
        Print.result(s.toString());
    }

    @Descriptor("One rollout: its settings, state, gateways per state, waves, median install time")
    public void rollout(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("rollout ID") String id) {
        if (help) {
            Usage.print(this, "server:rollout");
            return;
        }
        Print.result(run(() -> describe(updates.rollout(id).orElseThrow(() -> new IllegalArgumentException("no rollout " + id)))));
    }

    @Descriptor("One gateway in a rollout: its wave, state and every status it sent")
    public void rolloutgw(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("rollout ID") String id, @Descriptor("gateway Entity ID") String gateway) {
        if (help) {
            Usage.print(this, "server:rolloutgw");
            return;
        }
        Print.result(run(() -> {
            GatewayProgress p = updates.progress(id, EntityId.of(gateway)).orElseThrow(() -> new IllegalArgumentException(
                    gateway + " is not a target of rollout " + id));
            StringBuilder s = new StringBuilder(gateway + " in rollout " + id + ": wave " + p.wave() + ", " + p.phase()
                    + (p.offeredAt() == null ? "" : ", offer acknowledged " + p.offeredAt()) + "\n");
            for (GatewayProgress.Step st : p.history()) {
                s.append(String.format("  %-25s %-12s %-18s %s%n", st.receivedAt(), st.state(), st.failure() == null ? "" : st.failure(),
                        st.detail() == null ? "" : st.detail()));
            }
            return s.toString();
        }));
    }

    @Descriptor("Pauses a rollout: no new offers, no next wave; gateways already working carry on")
    public void rolloutpause(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("rollout ID") String id) {
        if (help) {
            Usage.print(this, "server:rolloutpause");
            return;
        }
        Print.result(run(() -> describe(updates.pause(id))));
    }

    @Descriptor("Resumes a paused rollout: failures so far are accepted, deadlines of waves in progress start again")
    public void rolloutresume(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("rollout ID") String id) {
        if (help) {
            Usage.print(this, "server:rolloutresume");
            return;
        }
        Print.result(run(() -> describe(updates.resume(id))));
    }

    @Descriptor("Cancels a rollout for good: update.cancel to gateways not yet applying, nothing offered again")
    public void rolloutcancel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("rollout ID") String id) {
        if (help) {
            Usage.print(this, "server:rolloutcancel");
            return;
        }
        Print.result(run(() -> describe(updates.cancel(id))));
    }

    @Descriptor("What a gateway runs: asked over its session if connected (update.inventory.req), else the last one it reported")
    public void inventory(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("gateway Entity ID") String gateway) {
        if (help) {
            Usage.print(this, "server:inventory");
            return;
        }
        Print.result(run(() -> {
            EntityId gw = EntityId.of(gateway);
            String note;
            try {
                updates.requestInventory(gw).toCompletableFuture().get(60, TimeUnit.SECONDS); // stored by the service
                note = "asked now";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            } catch (ExecutionException | TimeoutException e) {
                Throwable c = Failures.cause(e);
                note = "not answered now (" + (c instanceof CpnsException x ? x.code() + " " + x.getMessage() : c.toString()) + "): last report";
            }
            UpdateStore.InventoryRow inv = updates.inventory(gw).orElseThrow(() -> new IllegalArgumentException(
                    "no inventory of " + gateway + " yet: it reports one after each authentication"));
            StringBuilder s = new StringBuilder(gateway + " (" + note + ", " + inv.reportedAt() + "): committed release " + inv.committedSeq()
                    + ", readiness " + (inv.ready() ? "green" : "NOT green")
                    + (inv.rolloutId() == null ? "" : ", rollout " + inv.rolloutId() + " " + inv.state()) + "\n");
            s.append(String.format("  %-40s %-20s %-10s %-6s %s%n", "BUNDLE", "VERSION", "STATE", "LEVEL", "FROM"));
            for (UpdateStore.InventoryBundle b : inv.bundles()) {
                s.append(String.format("  %-40s %-20s %-10s %-6d %s%n", b.symbolicName(), b.version(), b.state(), b.startLevel(),
                        b.managed() ? "release" : "distribution"));
            }
            return s.toString();
        }));
    }

    @Descriptor("Gives a PN GW a label (rollout target label:<label>)")
    public void gwlabel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("gateway Entity ID") String gateway, @Descriptor("label") String label) {
        if (help) {
            Usage.print(this, "server:gwlabel");
            return;
        }
        Print.result(run(() -> updates.label(EntityId.of(gateway), label, true) ? gateway + " labelled " + label : gateway + " had label " + label));
    }

    @Descriptor("Takes a label from a PN GW")
    public void gwunlabel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("gateway Entity ID") String gateway, @Descriptor("label") String label) {
        if (help) {
            Usage.print(this, "server:gwunlabel");
            return;
        }
        Print.result(run(() -> updates.label(EntityId.of(gateway), label, false) ? "label " + label + " taken from " + gateway
                : gateway + " had no label " + label));
    }

    @Descriptor("A PN GW's labels")
    public void gwlabels(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("gateway Entity ID") String gateway) {
        if (help) {
            Usage.print(this, "server:gwlabels");
            return;
        }
        Print.result(run(() -> String.join(" ", updates.labels(EntityId.of(gateway)))));
    }

    static String describe(RolloutView v) {
        StringBuilder s = new StringBuilder();
        s.append("rollout ").append(v.rolloutId()).append(" of release ").append(v.releaseSeq()).append(": ").append(v.state())
                .append(v.reason() == null ? "" : " (" + v.reason() + ")").append('\n');
        s.append("  target ").append(v.target()).append(", ").append(v.gateways()).append(" gateway(s); waves ").append(v.waves())
                .append("; success ").append(v.successPercent()).append("%, failure ").append(v.failurePercent()).append("%, soak ")
                .append(text(v.soak())).append(", deadline ").append(text(v.deadline()))
                .append(v.window() == null ? "" : ", window " + v.window()).append(", started ").append(v.createdAt()).append('\n');
        s.append("  gateways:");
        v.byPhase().forEach((phase, n) -> {
            if (n > 0) {
                s.append(' ').append(phase).append('=').append(n);
            }
        });
        s.append("\n  median install time (offer to COMMITTED): ").append(v.medianInstall() == null ? "-" : text(v.medianInstall())).append('\n');
        s.append(String.format("  %-5s %-7s %-25s %-25s %-9s %-7s %s%n", "WAVE", "SIZE", "STARTED", "SUCCESS MET", "COMMITTED", "FAILED",
                "CANCELLED"));
        for (RolloutView.WaveView w : v.waveFigures()) {
            s.append(String.format("  %-5d %-7d %-25s %-25s %-9d %-7d %d%n", w.wave(), w.size(), w.startedAt() == null ? "-" : w.startedAt(),
                    w.successAt() == null ? "-" : w.successAt(), w.committed(), w.failed(), w.cancelled()));
        }
        return s.toString();
    }

    /** {@code 45s}, {@code 30m}, {@code 2h}, {@code 1d}, or ISO-8601 ({@code PT1H30M}). */
    static Duration duration(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                default -> throw new IllegalArgumentException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("duration '" + text + "': write e.g. 45s, 30m, 2h, 1d or PT1H30M");
        }
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }

    /** One line for the operator instead of a stack trace. */
    private static String run(java.util.function.Supplier<String> command) {
        try {
            return command.get();
        } catch (CpnsException e) {
            return "error: " + e.code() + ": " + e.getMessage();
        } catch (IllegalArgumentException e) {
            return "error: " + e.getMessage();
        }
    }

    @Descriptor(Usage.SHOW)
    public void releasepublish(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:releasepublish");
    }

    @Descriptor(Usage.SHOW)
    public void rolloutstart(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:rolloutstart");
    }

    @Descriptor(Usage.SHOW)
    public void rollout(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:rollout");
    }

    @Descriptor(Usage.SHOW)
    public void rolloutgw(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:rolloutgw");
    }

    @Descriptor(Usage.SHOW)
    public void rolloutpause(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:rolloutpause");
    }

    @Descriptor(Usage.SHOW)
    public void rolloutresume(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:rolloutresume");
    }

    @Descriptor(Usage.SHOW)
    public void rolloutcancel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:rolloutcancel");
    }

    @Descriptor(Usage.SHOW)
    public void inventory(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:inventory");
    }

    @Descriptor(Usage.SHOW)
    public void gwlabel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:gwlabel");
    }

    @Descriptor(Usage.SHOW)
    public void gwunlabel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:gwunlabel");
    }

    @Descriptor(Usage.SHOW)
    public void gwlabels(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:gwlabels");
    }
}
