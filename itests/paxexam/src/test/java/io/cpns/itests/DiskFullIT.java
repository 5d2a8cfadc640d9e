package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.RegisteredPn;
import io.cpns.keystore.EncryptedFileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.Assume;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * A full disk under the PN GW's secret store during PN Establishment (issue 10: the PNE was told
 * "the CPNS Server did not authenticate this PNE"). A real tmpfs the test mounts (root only: else
 * skipped, saying why), filled up while the PNEs set up a PN again. The PNE and the PN GW's log
 * must name the disk; no key may change or be lost; once space is freed, the same PN Establishment
 * works and every store agrees with the Server. {@code -Dcpns.faults.pnes} sets the fleet's size
 * (default 3).
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DiskFullIT extends ForkedGatewayBase {
    static final String GW = "gw-disk";

    @Configuration
    public Option[] config() {
        return serverOnly("disk-full");
    }

    @Test
    public void keystoreDiskFull_duringPnEstablishment_theMessagesNameTheDisk_noKeyLost_allConvergesOnceFreed() throws Exception {
        Tmpfs tmpfs = Tmpfs.mount("DiskFullIT", "1m");
        Assume.assumeTrue(tmpfs != null);
        ForkedRuntime gw = gateway(GW, Map.of("cpns.keystore", List.of("directory=" + tmpfs.dir))).terminal();
        try (tmpfs; PneFleet fleet = fleet(gw, "pne-disk", Integer.getInteger("cpns.faults.pnes", 3))) {
            gw.start().awaitReady();
            awaitLinked(GW);
            fleet.enrol(USER, PASSWORD);
            fleet.establishAll();
            Map<String, String> keys = fleet.localEuKeys();

            Path filler = tmpfs.fill("filler");
            int mark = gw.lines();
            String said;
            try {
                fleet.setupAll().toCompletableFuture().get(60, TimeUnit.SECONDS);
                throw new AssertionError("a PN was set up on a full disk");
            } catch (ExecutionException e) {
                said = String.valueOf(e.getCause().getMessage());
            }
            System.out.println("DiskFullIT: the initiator was told: " + said);
            assertTrue("the PNE is told of the disk: " + said, said.contains("No space left on device"));
            assertFalse(said, said.contains("did not authenticate"));
            // the forked PN GW's log reaches its file a moment after the answer reaches the PNE
            Osgi.eventually("the PN GW's log names the disk", () -> String.join("\n", gw.linesSince(mark)).contains("No space left on device"),
                    () -> String.join("\n", gw.linesSince(mark)));
            String log = String.join("\n", gw.linesSince(mark));
            assertFalse(log, log.contains("did not authenticate"));
            assertEquals("PNEs locked out on a full disk", Map.of(), fleet.connectAll(3));
            assertEquals("no LocalEUKey changed", keys, fleet.localEuKeys());
            agreeWithTheGateway(gw, fleet);

            Files.delete(filler);
            String pn = fleet.establishAll();
            assertEquals("PNEs locked out once space is free", Map.of(), fleet.connectAll(3));
            agreeWithTheGateway(gw, fleet);
            assertEquals(fleet.size(), osgi.service(PnRegistry.class).pn(pn).orElseThrow().members().size());
        } finally {
            gw.stop();
        }
    }

    /** The PN GW's LocalEUKeys (as on disk) are its PNEs', and its PNs are the ones the Server has registered for it. */
    void agreeWithTheGateway(ForkedRuntime gw, PneFleet fleet) throws Exception {
        EncryptedFileStore store = new EncryptedFileStore(tmpfsKeystore(gw), tmpfsKeystore(gw).resolve("master.key"));
        try {
            assertEquals("LocalEUKeys that differ from the PN GW's", Map.of(), fleet.keyMismatches(store));
        } finally {
            store.close();
        }
        List<String> server = osgi.service(PnRegistry.class).pnsOfGateway(io.cpns.api.EntityId.of(GW)).stream().map(RegisteredPn::pnId)
                .sorted().toList();
        List<String> here = gw.shell("gw:pns").lines().skip(1).map(String::trim).filter(l -> l.startsWith("pn-"))
                .map(l -> l.split("\\s+")[0]).sorted().toList();
        assertEquals("the PNs of " + GW + " on the Server and on the PN GW", server, here);
    }

    private static Path tmpfsKeystore(ForkedRuntime gw) {
        return Path.of(gw.configured("cpns.keystore", "directory"));
    }
}
