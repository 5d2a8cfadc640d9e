package io.cpns.itests.karaf;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.inject.Inject;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;

/**
 * Issue 14 §1: the features repository in a real Apache Karaf. The test installs {@code cpns-server
 * cpns-gateway cpns-mqtt cpns-healthcheck} itself (not at boot) so it can see that no Karaf bundle is stopped for a
 * refresh, then runs the first slice with default data locations, the operator's commands typed
 * over Karaf's {@code bin/client} (see {@link KarafSlice}). Only the listening ports and the
 * operator's SSH key are configured (Karaf's etc/*.cfg, as an operator would).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class KarafFeaturesIT {
    static final String VERSION = System.getProperty("cpns.version");

    @Inject
    BundleContext ctx;

    @Inject
    FeaturesService features;

    @Configuration
    public Option[] config() {
        int endpoint = freePort();
        int sshPort = freePort();
        SshUserKey operator = SshUserKey.create(Path.of("target/karaf-client/operator.pem"));
        String repo = new File(System.getProperty("cpns.karaf.repo")).toURI().toString();
        return new Option[] {
            karafDistributionConfiguration()
                .frameworkUrl(maven("org.apache.karaf", "apache-karaf").type("zip").version(System.getProperty("karaf.version")))
                .unpackDirectory(new File("target/karaf"))
                .useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole(),
            // Karaf reads our artifacts from the build's Maven-layout copy, the rest from ~/.m2 or Central
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.defaultRepositories",
                "${karaf.home.uri}${karaf.default.repository}@id=system.repository@snapshots, "
                + "${karaf.data.uri}kar@id=kar.repository@multi@snapshots, " + repo + "@id=cpns@snapshots"),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                System.getProperty("org.ops4j.pax.url.mvn.localRepository")),
            // Karaf's own listeners too: another Karaf on this host may hold the defaults
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", String.valueOf(sshPort)),
            // the operator logs in over SSH with a key, as the operator guide (§11.1) says
            editConfigurationFilePut("etc/keys.properties", "karaf", operator.openSshPublicKey() + ",_g_:admingroup"),
            systemProperty("cpns.it.sshPort").value(String.valueOf(sshPort)),
            systemProperty("cpns.it.sshKey").value(operator.privateKeyFile().toString()),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiRegistryPort", String.valueOf(freePort())),
            editConfigurationFilePut("etc/org.apache.karaf.management.cfg", "rmiServerPort", String.valueOf(freePort())),
            editConfigurationFilePut("etc/cpns.server.endpoint.cfg", "port", String.valueOf(endpoint)),
            editConfigurationFilePut("etc/cpns.gw.link.cfg", "serverPort", String.valueOf(endpoint)),
            editConfigurationFilePut("etc/cpns.gw.identity.cfg", "gatewayId", KarafSlice.GATEWAY),
            editConfigurationFilePut("etc/cpns.server.artifacts.cfg", "port", String.valueOf(freePort())),
            editConfigurationFilePut("etc/cpns.gw.broker.cfg", "port", String.valueOf(freePort())),
            editConfigurationFilePut("etc/cpns.pan.ip.cfg", "port", String.valueOf(freePort())),
            editConfigurationFilePut("etc/cpns.pan.ip.cfg", "discoveryPort", String.valueOf(freePort())),
            systemProperty("cpns.version").value(VERSION),
        };
    }

    @Test
    public void featuresInstall_withoutRefreshingKaraf_andTheFirstSliceRuns() throws Exception {
        List<String> stopped = new ArrayList<>();
        SynchronousBundleListener refreshes = e -> {
            String bsn = e.getBundle().getSymbolicName();
            if (e.getType() == BundleEvent.STOPPING && !bsn.startsWith("io.cpns") && !isCpns(e.getBundle())) {
                synchronized (stopped) {
                    stopped.add(bsn);
                }
            }
        };
        ctx.addBundleListener(refreshes);
        try {
            features.addRepository(URI.create("mvn:io.cpns/cpns-features/" + VERSION + "/xml/features"));
            Set<String> wanted = new LinkedHashSet<>(List.of("cpns-server", "cpns-gateway", "cpns-mqtt", "cpns-healthcheck"));
            features.installFeatures(wanted, EnumSet.noneOf(FeaturesService.Option.class));
        } finally {
            ctx.removeBundleListener(refreshes);
        }
        assertEquals("Karaf bundles stopped (refreshed) by the install", List.of(), stopped);
        for (String f : List.of("cpns-core", "cpns-server", "cpns-gateway", "cpns-mqtt", "cpns-healthcheck")) {
            assertTrue(f + " installed", features.isInstalled(features.getFeature(f)));
        }
        // the CPNS classes are imported dynamically by this probe: used only now that the features are in
        KarafClient client = new KarafClient(Path.of(ctx.getProperty("karaf.home")),
                Integer.parseInt(System.getProperty("cpns.it.sshPort")), Path.of(System.getProperty("cpns.it.sshKey")));
        new KarafSlice(ctx, client).run();
    }

    private static boolean isCpns(Bundle b) {
        String location = b.getLocation();
        return location.startsWith("mvn:io.cpns/") || location.contains("/io/cpns/");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
