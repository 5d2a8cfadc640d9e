package io.cpns.launcher;

import io.cpns.api.FaultPoints;
import io.cpns.update.journal.BootGuard;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.FrameworkStartLevel;

/**
 * One CPNS runtime: a Felix framework running the features of a role ({@code etc/ROLE/role.properties}).
 *
 * <p>Start-up happens in two phases so configuration is in place before any CPNS component
 * activates: the {@code runtime} feature (Declarative Services, Config Admin, FileInstall...)
 * starts at start level 1; once FileInstall has applied every file of {@code etc/ROLE/config}, the
 * framework moves to start level 2, where the CPNS bundles live. Without this, components would
 * start with defaults and restart when their configuration arrives.
 *
 * <p>Before the framework starts, the boot guard (docs/updates.md §4.5) reads the update journal in
 * {@code <data>/update/}: the bundles a committed remote update brought are booted from their set,
 * and a boot while an update is being applied or tried counts as an attempt of the new set, the
 * previous set coming back past {@value BootGuard#MAX_BOOTS} attempts.
 */
public final class CpnsRuntime {
    static final int RUNTIME_LEVEL = 1;
    static final int CPNS_LEVEL = 2;
    private static final Pattern VAR = Pattern.compile("\\$\\{([^}]+)}");

    private final Framework framework;
    private final String role;

    private CpnsRuntime(Framework framework, String role) {
        this.framework = framework;
        this.role = role;
    }

    public Framework framework() {
        return framework;
    }

    /**
     * @param overrides   framework properties that win over role.properties
     * @param skipBundles symbolic names not to install (the demo, io.cpns.demo, provides the API from the class path)
     */
    public static CpnsRuntime start(Path home, String role, Path data, Map<String, String> overrides, Set<String> skipBundles)
            throws Exception {
        Trace.mark("launcher main");
        OwnerOnly.createDirectories(data);
        OwnerOnly.secureAndReport(data, "start");
        Map<String, String> props = frameworkProperties(home, role, data, overrides);
        List<String> features = List.of(props.remove("cpns.features").trim().split("\\s+"));
        Path updateDir = data.resolve("update");
        BootGuard.Plan boot = BootGuard.prepare(updateDir, maxBoots(props.get(BootGuard.MAX_BOOTS)));
        if (!boot.note().isEmpty()) {
            System.out.println(boot.note());
        }
        // which set this framework runs, for the update agent: it carries on from there (docs/updates.md §4.5)
        props.put(BOOTED, boot.which().name() + ":" + boot.journal().seq());
        Framework fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(props);
        fw.init();
        // FileInstall scans deploy/ as it starts, before the update agent runs: managed bundles are kept from it from here
        Set<String> managed = boot.managed();
        if (!managed.isEmpty()) {
            new io.cpns.update.journal.FileInstallGuard(fw.getBundleContext(), () -> managed, line -> System.out.println("update: " + line),
                    r -> new Thread(r, "cpns-launcher-fileinstall-guard").start()).register();
        }
        Trace.mark("framework initialised");
        Trace.bundles(fw.getBundleContext());
        BundleSync.apply(fw.getBundleContext(), home.resolve("bundle"),
                BundleSync.wanted(home.resolve("bundle"), features, RUNTIME_LEVEL, CPNS_LEVEL), skipBundles,
                new BundleSync.Managed(updateDir, boot.set(), boot.force()), CPNS_LEVEL);
        Trace.mark("bundles installed");
        if (boot.which() != BootGuard.Which.COMMITTED || !boot.force().isEmpty()) {
            FaultPoints.reach("update.boot.synced"); // the set of this boot installed, the framework not started
        }
        fw.start();
        Trace.mark("runtime feature started (level 1)");
        ConfigWait.untilApplied(fw.getBundleContext(), configFiles(props.get("felix.fileinstall.dir")), Duration.ofSeconds(10));
        Trace.mark("configuration applied");
        CountDownLatch raised = new CountDownLatch(1);
        fw.adapt(FrameworkStartLevel.class).setStartLevel(CPNS_LEVEL, e -> raised.countDown());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!raised.await(50, TimeUnit.MILLISECONDS)) {
            if ((fw.getState() & (org.osgi.framework.Bundle.ACTIVE | org.osgi.framework.Bundle.STARTING)) == 0) {
                return new CpnsRuntime(fw, role); // stopped while starting (an update asked for a restart): the caller sees it stop
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("bundles of role " + role + " did not start within 60 s");
            }
        }
        Trace.mark("CPNS bundles started (level 2)");
        // the update agent carries on from its journal only once every bundle of this boot had its start
        java.util.Hashtable<String, Object> started = new java.util.Hashtable<>();
        started.put(STARTED, Boolean.TRUE);
        fw.getBundleContext().registerService(Object.class, new Object(), started);
        OwnerOnly.secureAndReport(data, "runtime up"); // what Felix, Config Admin and H2 created under a looser umask
        return new CpnsRuntime(fw, role);
    }

    /** Framework property the launcher sets: {@code <Which>:<releaseSeq>}, the set this boot runs. */
    static final String BOOTED = "cpns.update.booted";
    /** Service property of the marker (an {@code Object} service) the launcher registers once the CPNS start level is reached. */
    static final String STARTED = "cpns.launcher.started";
    /** Framework property the launcher sets when it restarts the framework for an update that asks it to. */
    public static final String RESTARTABLE = "cpns.update.restartable";

    static int maxBoots(String property) {
        if (property == null || property.isBlank()) {
            return BootGuard.DEFAULT_MAX_BOOTS;
        }
        int n = Integer.parseInt(property.trim());
        if (n < 1) {
            throw new IllegalArgumentException(BootGuard.MAX_BOOTS + " must be at least 1, not " + n);
        }
        return n;
    }

    static Map<String, String> frameworkProperties(Path home, String role, Path data, Map<String, String> overrides) throws IOException {
        Map<String, String> vars = new HashMap<>();
        vars.put("cpns.home", home.toString());
        vars.put("cpns.data", data.toString());
        vars.put("cpns.role", role);
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, data.resolve("felix-cache").toString());
        props.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(RUNTIME_LEVEL));
        props.put("gosh.args", System.console() != null && !"demo".equals(System.getProperty("cpns.mode")) ? "" : "--nointeractive");
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(home.resolve("etc").resolve(role).resolve("role.properties"))) {
            file.load(in);
        }
        file.forEach((k, v) -> props.put((String) k, substitute((String) v, vars)));
        props.putAll(vars);
        props.putAll(overrides);
        return props;
    }

    static String substitute(String value, Map<String, String> vars) {
        Matcher m = VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = vars.getOrDefault(m.group(1), System.getProperty(m.group(1), m.group(0)));
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        return m.appendTail(out).toString();
    }

    private static List<Path> configFiles(String fileInstallDirs) {
        List<Path> files = new ArrayList<>();
        if (fileInstallDirs == null) {
            return files;
        }
        for (String d : fileInstallDirs.split(",")) {
            Path dir = Path.of(d.trim());
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.{cfg,config}")) {
                s.forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    /** Stops the framework and waits for it (a launcher must, or Felix's threads keep the JVM alive). */
    public void stop() {
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException | InterruptedException e) {
            System.err.println("stopping the " + role + " runtime: " + e);
        }
    }

    /**
     * Waits until the framework stops for good. An update of the system bundle (Gogo {@code update 0})
     * makes Felix stop and start the same framework again on a thread of its own, at the beginning
     * start level: the CPNS level is raised again here once it is back.
     */
    public FrameworkEvent awaitStop() throws InterruptedException {
        while (true) {
            FrameworkEvent e = framework.waitForStop(0);
            if (e.getType() != FrameworkEvent.STOPPED_UPDATE) {
                return e;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (framework.getState() != org.osgi.framework.Bundle.ACTIVE && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (framework.getState() == org.osgi.framework.Bundle.ACTIVE) {
                framework.adapt(FrameworkStartLevel.class).setStartLevel(CPNS_LEVEL);
            }
        }
    }

    /**
     * Whether the framework stopped because the update agent asked for a restart into another set
     * (a RESTART-class update or its rollback: the journal says so), rather than for good.
     */
    public static boolean restartRequested(Path data) {
        try {
            io.cpns.update.journal.Journal j = io.cpns.update.journal.Journal.read(data.resolve("update"));
            return j.restart() && (j.phase() == io.cpns.update.journal.Phase.APPLYING
                    || j.phase() == io.cpns.update.journal.Phase.ROLLING_BACK);
        } catch (IOException e) {
            System.err.println("cannot read the update journal: " + e.getMessage());
            return false;
        }
    }
}
