package io.cpns.itests;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.health.Health;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Issue 10: an IP adapter restart once failed for good with {@code BindException: Address already
 * in use}, and health still said READY. In a real Felix with the whole gateway: pan-ip restarted by
 * a configuration change onto a port a real socket holds; {@code cpns:health} is NOT READY and says
 * which port, until the port is freed and the adapter binds it by itself.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PanIpHealthIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("pan-ip-health", configs(Map.of()), "runtime", "core", "server", "gateway", "pne");
    }

    private List<String> problems() {
        return osgi.service(Health.class).report().problems();
    }

    @Test
    public void adapterRestartedOntoATakenPort_isNotReady_untilItBindsThePortOnceFree() throws Exception {
        int port;
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = taken.getLocalPort();
            osgi.configure("cpns.pan.ip", Map.of("port", port, "bindRetryMillis", 100));
            int p = port;
            Osgi.eventually("health names the port pan-ip cannot bind",
                    () -> problems().stream().anyMatch(l -> l.startsWith("pan-ip cannot bind TCP port " + p)), () -> problems().toString());
            assertFalse(osgi.service(Health.class).report().ready());
            String shown = osgi.shell("cpns:health");
            assertTrue(shown, shown.contains("NOT READY") && shown.contains("retrying"));
        }
        osgi.awaitReady();
        try (Socket pne = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertTrue(pne.isConnected());
        }
    }
}
