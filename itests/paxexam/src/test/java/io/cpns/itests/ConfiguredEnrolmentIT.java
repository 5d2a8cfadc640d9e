package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.UserRegistry;
import java.util.Map;
import javax.inject.Inject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Unattended EUKey assignment (TS §5.3.1) from the gateway's configuration: the owner's User ID
 * and password are set in {@code cpns.gw.link}; the gateway enrols on its own, authenticates, and
 * erases the password from its configuration.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConfiguredEnrolmentIT {
    @Inject
    BundleContext ctx;

    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("enrol", Map.of("cpns.server.endpoint", Map.of("port", 0),
                "cpns.gw.identity", Map.of("gatewayId", "gw-unattended")), "runtime", "core", "server", "gateway");
    }

    @Test
    public void credentialsInConfiguration_enrolTheGateway_andThePasswordIsErased() throws Exception {
        Osgi osgi = new Osgi(ctx);
        osgi.awaitReady();
        osgi.service(UserRegistry.class).register(UserId.of("carol"), "carol-secret-9".toCharArray());
        ServerEndpoint ep = osgi.service(ServerEndpoint.class);

        // a broken operator CA file: the link reports it and keeps running (review finding: its thread died)
        java.nio.file.Path empty = java.nio.file.Files.createTempFile("empty-ca", ".pem");
        osgi.configure("cpns.gw.link", Map.of("serverPort", ep.listenAddress().getPort(), "operatorCaFile", empty.toString(),
                "userId", "carol", "password", "carol-secret-9"));
        Osgi.eventually("the CA problem reported", () -> osgi.service(ServerLink.class).status().lastError().contains("no certificate"),
                () -> osgi.service(ServerLink.class).status().toString());
        assertEquals(LinkState.UNASSIGNED, osgi.service(ServerLink.class).status().state());

        // the operator fixes the configuration: the same link instance enrols
        osgi.configure("cpns.gw.link", Map.of("operatorCaFile", ep.generatedOperatorCa().orElseThrow().toString(),
                "password", "carol-secret-9"));

        osgi.awaitLink(LinkState.AUTHENTICATED);
        assertEquals(UserId.of("carol"), osgi.service(EntityRegistry.class).find(EntityId.of("gw-unattended")).orElseThrow().owner());
        assertTrue(!osgi.service(ServerLink.class).status().euKeyFingerprint().isEmpty());
        Osgi.eventually("password erased from the configuration", () -> {
            try {
                return osgi.service(ConfigurationAdmin.class).getConfiguration("cpns.gw.link", "?").getProperties().get("password") == null;
            } catch (java.io.IOException e) {
                return false;
            }
        }, () -> "password still configured");
        assertNull(osgi.service(ConfigurationAdmin.class).getConfiguration("cpns.gw.link", "?").getProperties().get("password"));
        assertEquals("carol", osgi.service(ConfigurationAdmin.class).getConfiguration("cpns.gw.link", "?").getProperties().get("userId"));
    }
}
