package io.cpns.server.endpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cpns.testkit.Configs;
import io.cpns.testkit.TestLogger;
import java.net.BindException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A port already taken (issue 14 §2): reported in one line that names the port and the PID, activation fails. */
class EndpointBindTest {
    @Test
    void aTakenPort_failsActivation_withOneLineSayingWhatToDo(@TempDir Path dir) throws Exception {
        try (ServerFixture running = new ServerFixture(dir, Map.of())) {
            int taken = running.endpoint.listenAddress().getPort();
            TestLogger log = new TestLogger("server-endpoint");
            assertThrows(BindException.class, () -> new EndpointComponent(running.users, running.entities, log.logger(),
                    Configs.of(EndpointComponent.Config.class, Map.of("port", taken)), ServerFixture.dataDir(dir)));
            assertEquals(1, log.lines().stream().filter(l -> l.contains("cannot listen on 127.0.0.1:" + taken)
                    && l.contains("change port in cpns.server.endpoint")).count(), log.lines().toString());
            // the running one is untouched
            assertEquals(taken, running.endpoint.listenAddress().getPort());
        }
    }
}
