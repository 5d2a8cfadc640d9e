package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.server.ServerEndpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * bin/cpns-pne-sim, the process an operator runs, against a real PN GW: PNEs without UI on an
 * insecure PAN (pre-assigned keys from its key file, seed 004 R01) and PNEs on a secure PAN.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class SimulatorIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("sim", configs(Map.of()), "runtime", "core", "server", "gateway", "pne");
    }

    @Test
    public void s01_noUiPnes_getTheirPreAssignedKeysFromTheKeyFile_andJoinOverPskTls() throws Exception {
        Path pak = data().resolve("paks.txt");
        Sim first = sim("--prefix", "pne-noui", "-n", "3", "--no-ui", "--pak-file", pak.toString(), "--setup", "one_to_one");
        assertEquals(first.out, 3, first.exit); // no keys yet: it writes them and says what to run on the gateway
        List<String> commands = Files.readAllLines(pak).stream().filter(l -> l.startsWith("gw:preassign")).toList();
        assertEquals(3, commands.size());
        for (String c : commands) {
            assertTrue(osgi.shell(c).contains("stored"));
        }

        Sim second = sim("--prefix", "pne-noui", "-n", "3", "--no-ui", "--pak-file", pak.toString(), "--setup", "one_to_one");
        assertEquals(second.out, 0, second.exit);
        assertTrue(second.out, second.out.contains("RESULT pnes=3 joined=3 "));
        for (int i = 1; i <= 3; i++) {
            assertEquals(1, osgi.service(PnInventory.class).pnsOf(String.format("pne-noui-%04d", i)).size());
        }
    }

    @Test
    public void s02_pnesOnASecurePan_joinWithoutAPneGwSession() throws Exception {
        osgi.configure("cpns.pan.ip", Map.of("secure", true));
        Osgi.eventually("secure IP PAN", () -> adapters().matches("(?s).*\\nip\\s+secure\\b.*"), this::adapters);
        Sim run = sim("--prefix", "pne-sec", "-n", "3", "--secure-pan", "--setup", "all", "--stay");
        assertEquals(run.out, 0, run.exit);
        assertTrue(run.out, run.out.contains("RESULT pnes=3 joined=3 "));
        assertEquals(3, osgi.service(PnInventory.class).pnsOf("pne-sec-0001").get(0).members().size());
    }

    /** A run of the simulator; with --stay it is stopped once its report is out. */
    private record Sim(int exit, String out) {
    }

    private Sim sim(String... args) throws Exception {
        ServerEndpoint server = osgi.service(ServerEndpoint.class);
        List<String> cmd = new ArrayList<>(List.of(CpnsOptions.dist().resolve("bin/cpns-pne-sim").toString(),
                "--gateway", "127.0.0.1:" + panPort(), "--gateway-id", GATEWAY, "--server-id", server.serverId().value(),
                "--operator-ca", server.generatedOperatorCa().orElseThrow().toString(),
                "--user", USER, "--password-env", "SIM_PASSWORD", "--data", data().resolve("pnes").toString(), "--timeout", "120"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SIM_PASSWORD", PASSWORD);
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        boolean stay = cmd.contains("--stay");
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                if (stay && line.startsWith("RESULT")) {
                    checkLinksWhileConnected();
                    p.destroy();
                    return new Sim(0, out.toString());
                }
            }
        } finally {
            p.destroyForcibly();
        }
        assertTrue("simulator still running", p.waitFor(120, TimeUnit.SECONDS));
        return new Sim(p.exitValue(), out.toString());
    }

    /** While a --stay run is connected: its PNEs sit on the PAN's own security, no key, no session. */
    private void checkLinksWhileConnected() {
        List<PneLink> sec = osgi.service(PneMessenger.class).links().stream().filter(l -> l.pneId().startsWith("pne-sec")).toList();
        assertEquals(3, sec.size());
        assertTrue(sec.toString(), sec.stream().allMatch(l -> l.onSecurePan()));
    }

    private String adapters() {
        try {
            return osgi.shell("gw:adapters");
        } catch (Exception e) {
            return e.toString();
        }
    }

    private Path data() {
        return Path.of(ctx.getProperty("cpns.data"));
    }
}
