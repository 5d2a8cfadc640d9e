package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
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
 * A PN GW started by its launcher ({@code bin/cpns-gateway}), as an operator starts it. Issue 10:
 * start-up log lines were lost (the log writer starts after the bundles that log them), and a
 * missing {@code master.key} was silently replaced, making every stored secret undecryptable.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class StartupLogIT extends ForkedGatewayBase {
    static final String GW = "gw-startlog";
    private static ForkedRuntime gw;

    @Configuration
    public Option[] config() {
        return serverOnly("startlog");
    }

    @After
    public void stopGateway() throws Exception {
        if (gw != null) {
            gw.stop();
        }
    }

    Path keystore() {
        return gw.data().resolve("keystore");
    }

    /** Lines of this start that the runtime wrote (not the harness' own notes). */
    static List<String> lines(ForkedRuntime r) {
        return r.thisStart().lines().filter(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT.*")).toList();
    }

    /** The first CPNS bundles' lines (cpns-keystore) reach the log, each once: Logback runs from start level 1 (D120). */
    @Test
    public void l01_firstStart_theLinesOfBundlesStartedBeforeTheLogWriter_areInTheLog_eachOnce() throws Exception {
        gw = gateway(GW, Map.of());
        gw.start();
        try {
            gw.awaitReady();
            awaitLinked(GW);
        } finally {
            gw.stop();
        }
        List<String> lines = lines(gw);
        int store = indexOf(lines, "INFO  io.cpns.keystore  secret store at " + keystore());
        int inventory = indexOf(lines, "INFO  io.cpns.gw.pn  PN Inventory loaded: 0 PNs");
        int ready = indexOf(lines, "INFO  io.cpns.health  CPNS runtime ready");
        assertTrue(lines.toString(), store >= 0 && inventory >= 0 && store < ready && inventory < ready);
        Map<String, Long> twice = lines.stream().collect(Collectors.groupingBy(l -> l, Collectors.counting()));
        twice.values().removeIf(n -> n == 1);
        assertEquals("no line written twice", Map.of(), twice);

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keystore())));
        try (Stream<Path> files = Files.list(keystore())) {
            for (Path f : files.toList()) {
                assertEquals(f.toString(), "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
            }
        }
    }

    /** A component that fails to activate at start (the secret store: a truncated master key) is in the log with its reason. */
    @Test
    public void l02_aComponentFailingAtStart_isInTheLog() throws Exception {
        Path master = keystore().resolve("master.key");
        byte[] key = Files.readAllBytes(master);
        Files.write(master, java.util.Arrays.copyOf(key, 16));
        try {
            gw.start();
            Osgi.eventually("the failure in the log", () -> gw.thisStart().contains("must hold exactly 32 bytes, has 16"), gw::tail);
            Osgi.eventually("gw-pn gave up", () -> gw.thisStart().contains("io.cpns.gw.pn  bundle io.cpns.gw.pn"), gw::tail);
            gw.stop();
            // the first attempt, when cpns-keystore started (before the log writer), not only SCR's later retries for gw-* consumers
            List<String> lines = lines(gw);
            int failure = indexOf(lines, "ERROR io.cpns.keystore  bundle io.cpns.keystore");
            int firstGw = indexOf(lines, " io.cpns.gw.", "SecretStore"); // io.cpns.gw.mqtt, which needs no secret, may start first
            assertTrue(String.join("\n", lines), failure >= 0 && failure < firstGw);
        } finally {
            Files.write(master, key);
        }
    }

    /** No master key but secrets sealed under it: the store refuses to open, says how to recover, and makes no new key. */
    @Test
    public void l03_missingMasterKey_refusesToStart_sayingHowToRecover() throws Exception {
        Path master = keystore().resolve("master.key");
        Files.delete(master);
        List<String> before = secrets();
        assertFalse(before.isEmpty());
        gw.start();
        Osgi.eventually("the refusal in the log", () -> gw.thisStart().contains("is missing, but " + keystore()), gw::tail);
        String why = lines(gw).stream().filter(l -> l.contains("is missing, but")).findFirst().orElseThrow();
        assertTrue(why, why.contains("ERROR") && why.contains("initialise=true") && why.contains("backup"));
        assertFalse("no new master key", Files.exists(master));
        assertEquals("nothing touched", before, secrets());
        assertFalse(gw.thisStart().contains("CPNS runtime ready"));
        gw.stop();
    }

    /** The operator starts over: initialise=true sets the old secrets aside, makes a new master key, and is removed again. */
    @Test
    public void l04_initialise_setsTheOldSecretsAside_startsOver_andIsUsedOnce() throws Exception {
        List<String> before = secrets();
        gw.configure("cpns.keystore", "initialise=true");
        gw.start();
        gw.awaitReady();
        assertTrue(gw.tail(), gw.thisStart().contains("moved to " + keystore().resolve("quarantine")));
        try (Stream<Path> q = Files.list(keystore().resolve("quarantine"))) {
            assertEquals(before.size(), q.count());
        }
        assertTrue(Files.exists(keystore().resolve("master.key")));
        Osgi.eventually("initialise removed from the configuration", () -> !gw.configured("cpns.keystore", "initialise", "").equals("true"),
                gw::tail);
        gw.stop();
    }

    private List<String> secrets() throws java.io.IOException {
        try (Stream<Path> s = Files.list(keystore())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sec")).sorted().toList();
        }
    }

    private static int indexOf(List<String> lines, String... parts) {
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (java.util.Arrays.stream(parts).allMatch(line::contains)) {
                return i;
            }
        }
        return -1;
    }
}
