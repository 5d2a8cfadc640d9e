package io.cpns.launcher;

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
     * @param skipBundles symbolic names not to install (the demo provides the API from the class path)
     */
    public static CpnsRuntime start(Path home, String role, Path data, Map<String, String> overrides, Set<String> skipBundles)
            throws Exception {
        Trace.mark("launcher main");
        OwnerOnly.createDirectories(data);
        OwnerOnly.secureAndReport(data, "start");
        Map<String, String> props = frameworkProperties(home, role, data, overrides);
        List<String> features = List.of(props.remove("cpns.features").trim().split("\\s+"));
        Framework fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(props);
        fw.init();
        Trace.mark("framework initialised");
        Trace.bundles(fw.getBundleContext());
        BundleSync.apply(fw.getBundleContext(), home.resolve("bundle"),
                BundleSync.wanted(home.resolve("bundle"), features, RUNTIME_LEVEL, CPNS_LEVEL), skipBundles);
        Trace.mark("bundles installed");
        fw.start();
        Trace.mark("runtime feature started (level 1)");
        ConfigWait.untilApplied(fw.getBundleContext(), configFiles(props.get("felix.fileinstall.dir")), Duration.ofSeconds(10));
        Trace.mark("configuration applied");
        CountDownLatch raised = new CountDownLatch(1);
        fw.adapt(FrameworkStartLevel.class).setStartLevel(CPNS_LEVEL, e -> raised.countDown());
        if (!raised.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("bundles of role " + role + " did not start within 60 s");
        }
        Trace.mark("CPNS bundles started (level 2)");
        OwnerOnly.secureAndReport(data, "runtime up"); // what Felix, Config Admin and H2 created under a looser umask
        return new CpnsRuntime(fw, role);
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

    public void awaitStop() throws InterruptedException {
        FrameworkEvent e;
        do {
            e = framework.waitForStop(0);
        } while (e.getType() == FrameworkEvent.STOPPED_UPDATE);
    }
}
