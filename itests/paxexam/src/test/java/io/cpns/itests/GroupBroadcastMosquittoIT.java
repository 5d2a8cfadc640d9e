package io.cpns.itests;

import io.cpns.testkit.LocalMosquitto;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.Assume;
import org.junit.Before;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The same broadcast flows against Mosquitto 2 with its dynamic-security plugin (what real routers
 * run), started here on a free loopback port. Without Mosquitto every test is skipped, with the reason.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GroupBroadcastMosquittoIT extends AbstractGroupBroadcastIT {
    /** Set in the driver (which starts Mosquitto), read in the probe: the same JVM, other class loaders. */
    private static final String MISSING = "cpns.it.mosquitto.missing";

    @Configuration
    public Option[] config() throws Exception {
        String missing = LocalMosquitto.missing().orElse(null);
        if (missing != null) {
            System.setProperty(MISSING, missing);
            System.out.println("[GroupBroadcastMosquittoIT] " + missing + ": skipped (.ci/run installs mosquitto and mosquitto-clients)");
            return CpnsOptions.boot("broadcast-mosquitto", broadcastConfigs(Map.of("port", 0)), "runtime", "core", "server", "mqtt",
                    "gateway", "pne");
        }
        String password = UUID.randomUUID().toString();
        LocalMosquitto m = LocalMosquitto.start(Path.of("target", "mosquitto-it").toAbsolutePath(), "cpns-gw", password);
        Runtime.getRuntime().addShutdownHook(new Thread(m::close, "cpns-it-mosquitto"));
        return CpnsOptions.boot("broadcast-mosquitto", broadcastConfigs(Map.of("mode", "mosquitto", "mosquittoUri", m.uri(),
                "adminUser", "cpns-gw", "adminPassword", password)), "runtime", "core", "server", "mqtt", "gateway", "pne");
    }

    @Before
    public void mosquittoInstalled() {
        Assume.assumeTrue(System.getProperty(MISSING) + " (.ci/run installs mosquitto and mosquitto-clients)",
                System.getProperty(MISSING) == null);
    }
}
