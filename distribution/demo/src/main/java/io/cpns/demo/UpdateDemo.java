package io.cpns.demo;

import static io.cpns.demo.DemoSteps.check;

import io.cpns.api.update.UpdateFailure;
import io.cpns.demo.DemoSteps.Failure;
import io.cpns.demo.Runtimes.Services;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The signed remote updates part of the demo (issue 11): the operator's keys and releases made
 * with the release tool ({@code bin/cpns-release}, its own code in this JVM), published and rolled
 * out with the Server's Gogo commands, installed by the gateway's update agent while every PNE
 * keeps sending requests; an attacker's release refused, a release that fails its trial rolled
 * back by itself.
 *
 * <p>The new gw-pn releases are built here from the distribution's gw-pn with a new
 * {@code Bundle-Version} ({@link Rebuild}): the demo needs no Maven, and the swap is the same as
 * for a changed build.
 */
final class UpdateDemo {
    static final String GOOD_VERSION = "0.1.1";
    private static final String ROOT_PASS = "CPNS_DEMO_ROOT_PASSPHRASE";
    private static final String RELEASE_PASS = "CPNS_DEMO_RELEASE_PASSPHRASE";
    private static final String ATTACKER_PASS = "CPNS_DEMO_ATTACKER_PASSPHRASE";
    private static final Set<String> FINAL = Set.of("COMMITTED", "ROLLED_BACK", "REFUSED", "FAILED", "CANCELLED", "TIMED_OUT");
    private static final Pattern HEADER = Pattern.compile("in rollout \\S+: wave \\d+, ([A-Z_]+)");
    /** PNEs pause this long between two requests: continuous traffic that leaves the 2 cores to the update. */
    static final Duration PACE = Duration.ofMillis(20);

    private final DemoSteps steps;
    private final Path home;
    private final String gatewayId;
    private final PneDemo pnes;
    private final Path operator;
    private final Path attacker;
    private final ReleaseTool tool;
    private String rootKey;

    UpdateDemo(DemoSteps steps, Path home, Path root, String gatewayId, PneDemo pnes) {
        this.steps = steps;
        this.home = home;
        this.gatewayId = gatewayId;
        this.pnes = pnes;
        this.operator = root.resolve("operator"); // the offline signing machine
        this.attacker = root.resolve("attacker");
        this.tool = new ReleaseTool(Map.of(ROOT_PASS, passphrase(), RELEASE_PASS, passphrase(), ATTACKER_PASS, passphrase()));
    }

    /**
     * Step: the operator's root key, generated offline before any gateway is installed; its public
     * half is pinned in the gateway's launcher configuration.
     *
     * @return the value of {@code cpns.update.rootKeys}
     */
    String rootKey() {
        steps.begin("the operator generates the root key offline (bin/cpns-release keygen --root) and pins it in the PN GW's "
                + "launcher configuration (cpns.update.rootKeys)");
        String out = tool.ok("keygen", "--root", "--out", operator.resolve("root.key").toString(), "--passphrase-env", ROOT_PASS);
        rootKey = ReleaseTool.field(out, "public key, base64:");
        check(out.contains("cpns.update.rootKeys=" + rootKey), "no pinning line: " + out);
        steps.pass("root key %s: private key encrypted (PKCS#8, PBKDF2 600 000) in %s; cpns.update.rootKeys=%s",
                ReleaseTool.field(out, "root key"), operator.resolve("root.key").getFileName(), rootKey);
        return rootKey;
    }

    void run(Services gw, Services srv, BundleContext gwCtx, BundleContext srvCtx) throws Exception {
        signAndPublish(srvCtx);
        rollOut(gw, gwCtx, srvCtx);
        attackersRelease(gwCtx, srvCtx);
        failingRelease(gw, gwCtx, srvCtx);
    }

    private void signAndPublish(BundleContext srv) throws Exception {
        steps.begin("the operator certifies a release key with the root key, signs release 1 (gw-pn " + GOOD_VERSION
                + ") offline, checks it as a gateway would, and publishes it on the Server");
        tool.ok("keygen", "--release", "--out", operator.resolve("release.key").toString(), "--passphrase-env", RELEASE_PASS);
        tool.ok("certify", "--root-key", operator.resolve("root.key").toString(), "--keys-seq", "1", "--key",
                operator.resolve("release.key.pub") + "=P90D", "--out", operator.resolve("keys-1").toString(), "--passphrase-env", ROOT_PASS);
        Path jar = gwPn(GOOD_VERSION, false);
        String signed = sign(1, "demo-1", jar);
        String verified = tool.ok("verify", operator.resolve("releases/1").toString(), "--root-key", rootKey);
        check(verified.startsWith("OK release 1"), verified);
        String published = Gogo.run(srv, "server:releasepublish " + operator.resolve("releases/1"));
        check(published.contains("release 1 (demo-1) published"), published);
        steps.pass("%s; %s", signed.lines().findFirst().orElse(""), published.trim());
    }

    private void rollOut(Services gw, BundleContext gwCtx, BundleContext srv) throws Exception {
        steps.begin("roll release 1 out (server:rolloutstart): the PN GW verifies the offer, downloads gw-pn over HTTPS, swaps it hot and "
                + "commits after its trial, while every PNE keeps sending requests through it");
        Map<String, Instant> links = pnes.linkTimes(gw);
        check(links.size() == pnes.connected().size(), "not every PNE is linked: " + links.keySet());
        long id = Runtimes.bundle(gwCtx, "io.cpns.gw.pn").getBundleId();
        PneTraffic traffic = new PneTraffic(pnes.inPns(), PACE);
        Instant offered = Instant.now();
        Progress p;
        PneTraffic.Figures f;
        try {
            String started = Gogo.run(srv, "server:rolloutstart --id demo-r1 --waves '100%' --soak 0s --deadline 10m 1");
            check(started.contains("RUNNING"), started);
            p = awaitFinal(srv, "demo-r1");
        } finally {
            f = traffic.stop();
        }
        check(p.phase().equals("COMMITTED"), "the Server shows " + p);
        check(p.states().equals(List.of("ACCEPTED", "DOWNLOADING", "DOWNLOADED", "APPLYING", "TRIAL", "COMMITTED")), "states " + p.states());
        Bundle pn = Runtimes.bundle(gwCtx, "io.cpns.gw.pn");
        check(pn.getVersion().toString().equals(GOOD_VERSION) && pn.getState() == Bundle.ACTIVE && pn.getBundleId() == id,
                "gw-pn is " + pn.getVersion() + " in state " + pn.getState());
        Map<String, Instant> after = pnes.linkTimes(gw);
        long dropped = links.entrySet().stream().filter(e -> !e.getValue().equals(after.get(e.getKey()))).count();
        check(dropped == 0, dropped + " PNE links dropped");
        check(f.failed() == 0, f.failed() + " PNE requests failed: " + f.errors());
        check(f.answered() > 0, "no PNE request was answered");
        Runtimes.await("the Server stores the new inventory", () -> Gogo.run(srv, "server:inventory " + gatewayId)
                .matches("(?s).*committed release 1,.*io\\.cpns\\.gw\\.pn +" + Pattern.quote(GOOD_VERSION) + " +ACTIVE +\\d+ +release.*"), () -> "");
        steps.pass("COMMITTED %.2f s after the offer (trial %s); %d PNE links, 0 dropped; %d PNEs sent %d requests through the swap, "
                + "0 failed, longest gap between two answers %d ms; server:inventory shows gw-pn %s from release 1", seconds(offered, p.at("COMMITTED")),
                trial(p), links.size(), pnes.inPns().size(), f.answered(), f.longestGapMillis(), GOOD_VERSION);
    }

    private void attackersRelease(BundleContext gwCtx, BundleContext srv) throws Exception {
        steps.begin("a tampered release: gw-pn signed by someone else's key (certified by a root the PN GW does not pin) gets onto the "
                + "Server and is rolled out; the PN GW refuses it before downloading anything");
        tool.ok("keygen", "--root", "--out", attacker.resolve("root.key").toString(), "--passphrase-env", ATTACKER_PASS);
        tool.ok("keygen", "--release", "--out", attacker.resolve("release.key").toString(), "--passphrase-env", ATTACKER_PASS);
        tool.ok("certify", "--root-key", attacker.resolve("root.key").toString(), "--keys-seq", "1", "--key",
                attacker.resolve("release.key.pub") + "=P90D", "--out", attacker.resolve("keys-1").toString(), "--passphrase-env", ATTACKER_PASS);
        tool.ok("sign", "--key", attacker.resolve("release.key").toString(), "--keys", attacker.resolve("keys-1").toString(), "--seq", "2",
                "--expires", "P7D", "--name", "not-from-the-operator", "--out", attacker.resolve("releases/2").toString(),
                "--passphrase-env", ATTACKER_PASS, gwPn("0.1.2", false).toString());
        ReleaseTool.Result v = tool.run("verify", attacker.resolve("releases/2").toString(), "--root-key", rootKey, "--committed-seq", "1");
        check(v.exit() == 1 && v.out().startsWith("REFUSED BAD_SIGNATURE"), "cpns-release verify: " + v);
        // the demo's Server has no root keys configured (cpns.server.update rootKeys): it checks only the manifest against its own
        // keys document, as a Server taken over would; each gateway decides for itself
        check(Gogo.run(srv, "server:releasepublish " + attacker.resolve("releases/2")).contains("published"), "not published");
        Gogo.run(srv, "server:rolloutstart --id demo-r2 --waves '100%' --soak 0s --deadline 10m 2");
        Progress p = awaitFinal(srv, "demo-r2");
        check(p.phase().equals("REFUSED") && p.states().equals(List.of("REFUSED")), "the Server shows " + p);
        Step refused = p.last();
        check(UpdateFailure.BAD_SIGNATURE.name().equals(refused.failure()), "refused for " + refused.failure());
        check(Runtimes.bundle(gwCtx, "io.cpns.gw.pn").getVersion().toString().equals(GOOD_VERSION), "gw-pn changed");
        steps.pass("server:rolloutgw shows REFUSED %s (%s); nothing downloaded, gw-pn still %s", refused.failure(), refused.detail(),
                GOOD_VERSION);
    }

    private void failingRelease(Services gw, BundleContext gwCtx, BundleContext srv) throws Exception {
        steps.begin("release 3: a gw-pn whose new component needs a service the PN GW does not have; its trial fails and the PN GW "
                + "rolls back to gw-pn " + GOOD_VERSION + " by itself");
        sign(3, "demo-3", gwPn("0.1.3", true));
        check(Gogo.run(srv, "server:releasepublish " + operator.resolve("releases/3")).contains("published"), "not published");
        Map<String, Instant> links = pnes.linkTimes(gw);
        PneTraffic traffic = new PneTraffic(pnes.inPns(), PACE);
        Progress p;
        PneTraffic.Figures f;
        try {
            Gogo.run(srv, "server:rolloutstart --id demo-r3 --waves '100%' --soak 0s --deadline 10m 3");
            p = awaitFinal(srv, "demo-r3");
        } finally {
            f = traffic.stop();
        }
        Step last = p.last();
        check(p.phase().equals("ROLLED_BACK") && UpdateFailure.HEALTH_FAILED.name().equals(last.failure()), "the Server shows " + p);
        check(last.detail() != null && last.detail().contains(Rebuild.UNSATISFIABLE), "detail: " + last.detail());
        Bundle pn = Runtimes.bundle(gwCtx, "io.cpns.gw.pn");
        check(pn.getVersion().toString().equals(GOOD_VERSION) && pn.getState() == Bundle.ACTIVE, "gw-pn is " + pn.getVersion());
        Runtimes.awaitReady(gw);
        Map<String, Instant> after = pnes.linkTimes(gw);
        check(links.entrySet().stream().allMatch(e -> e.getValue().equals(after.get(e.getKey()))), "a PNE link was dropped");
        check(f.failed() == 0, f.failed() + " PNE requests failed: " + f.errors());
        check(pnes.relayWorks(), "no relay after the rollback");
        check(Gogo.run(gwCtx, "gw:release").contains("bad releases      3"), "release 3 not marked bad");
        steps.pass("server:rolloutgw shows ROLLED_BACK HEALTH_FAILED (%s); gw-pn %s runs again, release 3 is marked bad; %d requests "
                + "through apply, trial and rollback, 0 failed; a PNE relay is answered", clip(last.detail()), GOOD_VERSION, f.answered());
    }

    // ---- helpers ----

    /** gw-pn of the distribution rebuilt at {@code version}, as the operator's build would give it. */
    private Path gwPn(String version, boolean failing) throws Exception {
        return Rebuild.withVersion(Rebuild.distJar(home, "gateway", "io.cpns.gw.pn"), version, failing,
                operator.resolve("build").resolve("gw-pn-" + version + ".jar"));
    }

    private String sign(long seq, String name, Path jar) {
        return tool.ok("sign", "--key", operator.resolve("release.key").toString(), "--keys", operator.resolve("keys-1").toString(),
                "--root-key", rootKey, "--seq", String.valueOf(seq), "--expires", "P7D", "--name", name, "--out",
                operator.resolve("releases/" + seq).toString(), "--passphrase-env", RELEASE_PASS, jar.toString());
    }

    record Step(Instant at, String state, String failure, String detail) {
    }

    /** One gateway in one rollout as {@code server:rolloutgw} shows it. */
    record Progress(String phase, List<Step> steps) {
        List<String> states() {
            return steps.stream().map(Step::state).toList();
        }

        Step last() {
            return steps.get(steps.size() - 1);
        }

        Instant at(String state) {
            return steps.stream().filter(s -> s.state().equals(state)).findFirst().map(Step::at)
                    .orElseThrow(() -> new Failure("no " + state + " in " + steps));
        }
    }

    static Progress progress(BundleContext srv, String rollout, String gateway) {
        String out = Gogo.run(srv, "server:rolloutgw " + rollout + " " + gateway);
        Matcher m = HEADER.matcher(out);
        if (!m.find()) {
            throw new Failure("server:rolloutgw: " + out);
        }
        List<Step> steps = new ArrayList<>();
        for (String line : out.substring(out.indexOf('\n') + 1).split("\n")) {
            String[] t = line.trim().split("\\s+", 3);
            if (t.length < 2) {
                continue;
            }
            String failure = null;
            String detail = t.length > 2 ? t[2] : null;
            if (detail != null) {
                String first = detail.split("\\s+", 2)[0];
                if (isFailure(first)) {
                    failure = first;
                    detail = detail.length() > first.length() ? detail.substring(first.length()).trim() : null;
                }
            }
            steps.add(new Step(Instant.parse(t[0]), t[1], failure, detail));
        }
        return new Progress(m.group(1), steps);
    }

    private Progress awaitFinal(BundleContext srv, String rollout) {
        Runtimes.await(gatewayId + " final in " + rollout, () -> FINAL.contains(progress(srv, rollout, gatewayId).phase()),
                () -> String.valueOf(progress(srv, rollout, gatewayId)), Duration.ofSeconds(60));
        return progress(srv, rollout, gatewayId);
    }

    private static boolean isFailure(String s) {
        try {
            UpdateFailure.valueOf(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String trial(Progress p) {
        return String.format("%.2f s", seconds(p.at("TRIAL"), p.at(p.phase())));
    }

    static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() > 90 ? s.substring(0, 90) + "…" : s;
    }

    /** A passphrase for one of the demo's keys: random, kept in memory only. */
    private static String passphrase() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
