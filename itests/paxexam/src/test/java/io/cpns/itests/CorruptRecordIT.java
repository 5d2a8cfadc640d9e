package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.CpnsException;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.health.Health;
import io.cpns.api.health.HealthReport;
import io.cpns.api.message.Ping;
import io.cpns.api.message.Pong;
import io.cpns.api.message.SetupType;
import io.cpns.pne.PnState;
import io.cpns.pne.PneClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * A flipped byte in one file (issue 10: one corrupt PN Inventory file disabled every PN, and
 * {@code gw:pns}/{@code gw:groups} threw {@code NullPointerException}). The bad record is set
 * aside in {@code keystore/quarantine/}, the rest keeps working, and the log and
 * {@code cpns:health} say which file and how to recover. A corrupt EUKey makes health NOT READY.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class CorruptRecordIT extends PnTestBase {
    @Configuration
    public Option[] config() {
        return CpnsOptions.boot("corrupt", configs(Map.of()), "runtime", "core", "server", "gateway", "pne");
    }

    Path keystore() {
        return Path.of(ctx.getProperty("cpns.data")).resolve("keystore");
    }

    static byte[] flipAByte(Path file) throws Exception {
        byte[] original = Files.readAllBytes(file);
        byte[] b = original.clone();
        b[b.length / 2] ^= 0x01;
        Files.write(file, b);
        return original;
    }

    HealthReport health() {
        return osgi.service(Health.class).report();
    }

    /** Two PNs; one's file gets a flipped byte; gw-pn starts again: the other PN works, the bad one is in quarantine. */
    @Test
    public void c01_oneCorruptPnInventoryFile_isQuarantined_theOtherPnWorks_healthSaysWhichAndHow() throws Exception {
        PneClient tv = enrolledPne("pne-c-tv");
        PneClient lamp = enrolledPne("pne-c-lamp");
        PnState bad = tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        PnState good = lamp.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);

        osgi.bundle("io.cpns.gw.pn").stop();
        flipAByte(keystore().resolve("pn." + bad.pnId() + ".sec"));
        osgi.bundle("io.cpns.gw.pn").start();

        Osgi.eventually("gw-pn back", () -> osgi.service(PnInventory.class).pn(good.pnId()).isPresent(), () -> health().problems().toString());
        assertTrue(osgi.service(PnInventory.class).pn(bad.pnId()).isEmpty());
        Osgi.eventually("the good PN relays again", () -> {
            try {
                return lamp.requestServer(good.pnId(), new Ping(new byte[] {1})) instanceof Pong;
            } catch (CpnsException notYet) {
                return false;
            }
        }, () -> "");
        Path quarantined;
        try (Stream<Path> q = Files.list(keystore().resolve("quarantine"))) {
            quarantined = q.filter(p -> p.getFileName().toString().startsWith("pn." + bad.pnId() + ".sec.")).findFirst().orElseThrow();
        }
        assertFalse(Files.exists(keystore().resolve("pn." + bad.pnId() + ".sec")));

        HealthReport h = health();
        assertFalse(h.ready());
        String line = h.problems().stream().filter(p -> p.contains(bad.pnId())).findFirst().orElseThrow(() -> new AssertionError(h.problems()));
        assertTrue(line, line.contains(quarantined.toString()) && line.contains("To recover"));

        String pns = osgi.shell("gw:pns");
        assertTrue(pns, pns.contains(good.pnId()) && !pns.contains(bad.pnId()));
        osgi.shell("gw:groups"); // no exception
        osgi.shell("gw:pn " + good.pnId());

        Files.delete(quarantined); // seen to: health is READY again
        osgi.awaitReady();
    }

    /** The commands an operator types to find out what is wrong answer, whatever part is down (they threw NullPointerException). */
    @Test
    public void c03_gwPnsAndGwGroups_answerWithTheirPartDown() throws Exception {
        for (String bundle : List.of("io.cpns.gw.pn", "io.cpns.gw.groupkey")) {
            osgi.bundle(bundle).stop();
            try {
                String pns = osgi.shell("gw:pns");
                String groups = osgi.shell("gw:groups");
                String down = bundle.equals("io.cpns.gw.pn") ? pns : groups;
                assertTrue(down, down.contains("bundle " + bundle + " is not running"));
                assertTrue(osgi.shell("gw:group sg-none"), osgi.shell("gw:group sg-none").contains(bundle.equals("io.cpns.gw.pn") ? "no Service Group"
                        : "bundle io.cpns.gw.groupkey is not running"));
            } finally {
                osgi.bundle(bundle).start();
            }
        }
        osgi.awaitReady();
        assertTrue(osgi.shell("gw:pns").startsWith("PN "));
        assertTrue(osgi.shell("gw:groups").startsWith("GROUP "));
    }

    /**
     * The other commands an operator reaches for answer too with their part down: {@code gw:link},
     * {@code gw:ping}, {@code gw:entities}, {@code gw:keymanager}, {@code gw:onboard},
     * {@code gw:karegister} (they held static references: "Command not found" once their service
     * was gone, a NullPointerException while it went).
     */
    @Test
    public void c03b_linkKeyAssignmentAndKeyManagerCommands_answerWithTheirPartDown() throws Exception {
        Map<String, List<String>> commands = Map.of(
                "io.cpns.gw.link", List.of("gw:link", "gw:ping", "gw:entities", "gw:entity pne-none", "gw:reconnect", "gw:assign " + USER),
                "io.cpns.gw.keyassign", List.of("gw:onboard pne-none " + USER, "gw:karegister " + USER + " plan=home"),
                "io.cpns.gw.keymanager", List.of("gw:keymanager"));
        for (Map.Entry<String, List<String>> e : commands.entrySet()) {
            osgi.bundle(e.getKey()).stop();
            try {
                for (String command : e.getValue()) {
                    String out = osgi.shell(command);
                    assertTrue(command + ": " + out, out.contains("bundle " + e.getKey() + " is not running"));
                }
            } finally {
                osgi.bundle(e.getKey()).start();
            }
        }
        osgi.awaitReady();
        osgi.awaitLink(io.cpns.api.gateway.LinkState.AUTHENTICATED);
        assertTrue(osgi.shell("gw:link").contains(GATEWAY));
        assertTrue(osgi.shell("gw:keymanager").startsWith("GROUP "));
    }

    /**
     * A flipped byte in a PNE's LocalEUKey ({@code lek.}) and in another's pre-assigned key
     * ({@code pak.}): gw-pan refused those PNEs on every attempt with no word anywhere. Now each
     * record is set aside, and {@code cpns:health} is NOT READY naming the file and the way back; a
     * good copy put back lets the PNE in again.
     */
    @Test
    public void c05_corruptLocalEuKeyAndPreAssignedKey_quarantined_healthSaysWhichAndHow_aGoodCopyLetsThemIn() throws Exception {
        PneClient tv = enrolledPne("pne-c-lek");
        tv.setup(SetupType.ONE_TO_ONE, List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS); // its LocalEUKey
        byte[] pak = io.cpns.crypto.Randoms.bytes(32);
        io.cpns.keystore.EncryptedFileStore sensorFlash = store("pne-c-pak");
        sensorFlash.put(PneClient.PRE_ASSIGNED, pak);
        osgi.service(io.cpns.api.gateway.PreAssignedKeys.class).set("pne-c-pak", pak);
        PneClient sensor = pne(config("pne-c-pak").withUi(false), ip(), sensorFlash);
        sensor.connect(io.cpns.api.EntityId.of(GATEWAY));
        assertTrue(sensor.secured());
        tv.close();
        sensor.close();

        Map<String, byte[]> originals = new java.util.HashMap<>();
        for (String alias : List.of("lek.pne-c-lek", "pak.pne-c-pak")) {
            originals.put(alias, flipAByte(keystore().resolve(alias + ".sec")));
        }
        for (PneClient p : List.of(tv, sensor)) {
            try {
                p.connect(io.cpns.api.EntityId.of(GATEWAY));
                throw new AssertionError(p.id() + " connected without its key");
            } catch (java.io.IOException | CpnsException refused) {
                // its key is gone from the PN GW
            }
        }
        for (String alias : List.of("lek.pne-c-lek", "pak.pne-c-pak")) {
            Osgi.eventually("health names " + alias, () -> health().problems().stream().anyMatch(l -> l.contains(alias)),
                    () -> health().problems().toString());
            Path aside;
            try (Stream<Path> q = Files.list(keystore().resolve("quarantine"))) {
                aside = q.filter(f -> f.getFileName().toString().startsWith(alias + ".sec.")).findFirst().orElseThrow();
            }
            String line = health().problems().stream().filter(l -> l.contains(alias)).findFirst().orElseThrow();
            assertTrue(line, line.contains(aside.toString()) && line.contains("To recover"));
            assertFalse(health().ready());
            Files.write(keystore().resolve(alias + ".sec"), originals.get(alias)); // a good copy back, as the line says
            Files.delete(aside);
        }
        osgi.awaitReady();
        tv.connect(io.cpns.api.EntityId.of(GATEWAY));
        sensor.connect(io.cpns.api.EntityId.of(GATEWAY));
        assertTrue(tv.secured() && sensor.secured());
    }

    /** A flipped byte in the EUKey: the PN GW cannot authenticate, and health is NOT READY, saying why and what to do. */
    @Test
    public void c04_corruptEuKey_healthNotReady_withTheReason() throws Exception {
        Path euk = keystore().resolve("euk." + GATEWAY + ".sec");
        osgi.bundle("io.cpns.gw.link").stop();
        byte[] original = flipAByte(euk);
        osgi.bundle("io.cpns.gw.link").start();

        Osgi.eventually("health names the EUKey", () -> health().problems().stream().anyMatch(p -> p.contains("EUKey")),
                () -> health().problems().toString());
        HealthReport h = health();
        assertFalse(h.ready());
        String line = h.problems().stream().filter(p -> p.contains("EUKey")).findFirst().orElseThrow();
        assertTrue(line, line.contains(euk.getFileName().toString()) && line.contains("backup"));
        assertTrue(osgi.shell("gw:link").contains(GATEWAY)); // the command still answers

        osgi.bundle("io.cpns.gw.link").stop(); // restored from a backup: all is well again
        Files.write(euk, original);
        osgi.bundle("io.cpns.gw.link").start();
        osgi.awaitReady();
        assertEquals(true, health().ready());
    }
}
