package io.cpns.update.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cpns.update.journal.BootGuard.Which;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The boot guard's decisions, on journals and sets written as the agent writes them. */
class BootGuardTest {
    @TempDir
    Path dir;

    private BundleSet set(String id, String... bsns) throws IOException {
        Path d = Files.createDirectories(BundleSet.dir(dir, id));
        List<BundleSet.Member> members = new java.util.ArrayList<>();
        for (String bsn : bsns) {
            Files.writeString(d.resolve(bsn + ".jar"), bsn);
            members.add(new BundleSet.Member(bsn, "1." + id, bsn + ".jar", 2, false, "00"));
        }
        BundleSet s = new BundleSet(id, members);
        s.writeTo(d);
        return s;
    }

    @Test
    void noUpdateDirectory_bootsTheDistribution() throws IOException {
        BootGuard.Plan p = BootGuard.prepare(dir.resolve("absent"), 2);
        assertEquals(Which.COMMITTED, p.which());
        assertEquals(BundleSet.DISTRIBUTION, p.set());
        assertEquals(Set.of(), p.force());
    }

    @Test
    void idle_bootsTheCommittedSet_forcingNothing() throws IOException {
        BundleSet s7 = set("7", "gw-pn");
        new Journal(7, 1, "7", Phase.IDLE, "", 0, "", "", false, 0, "", "", "", 0, List.of()).write(dir);
        BootGuard.Plan p = BootGuard.prepare(dir, 2);
        assertEquals(Which.COMMITTED, p.which());
        assertEquals(s7, p.set());
        assertEquals(Set.of(), p.force());
    }

    @Test
    void applyingOrTrial_countsEachBoot_andPastTheLimitBootsThePreviousSet() throws IOException {
        BundleSet s7 = set("7", "gw-pn");
        BundleSet s8 = set("8", "gw-pn", "gw-groupkey");
        Journal j = new Journal(7, 1, "7", Phase.IDLE, "", 0, "", "", false, 0, "", "", "", 0, List.of())
                .applying("r-8", 8, "8", true, "cafe", 5);
        j.write(dir);

        BootGuard.Plan first = BootGuard.prepare(dir, 2);
        assertEquals(Which.NEW, first.which());
        assertEquals(s8, first.set());
        assertEquals(Set.of("gw-pn", "gw-groupkey"), first.force());
        assertEquals(1, Journal.read(dir).bootAttempts(), "the attempt is on disk before the framework starts");

        Journal.read(dir).trial().write(dir); // the agent got to its trial, then the power went
        BootGuard.Plan second = BootGuard.prepare(dir, 2);
        assertEquals(Which.NEW, second.which());
        assertEquals(2, second.journal().bootAttempts());

        BootGuard.Plan third = BootGuard.prepare(dir, 2);
        assertEquals(Which.PREVIOUS, third.which());
        assertEquals(s7, third.set());
        Journal after = Journal.read(dir);
        assertEquals(Phase.ROLLED_BACK, after.phase());
        assertEquals("BOOT_FAILED", after.failure());
        assertEquals(7, after.committedSeq());
        assertTrue(after.isBad("cafe"));
        assertTrue(third.note().contains("did not come up"), third.note());

        // the agent has not recorded it yet: the next boot still runs the previous set, counting nothing
        BootGuard.Plan fourth = BootGuard.prepare(dir, 2);
        assertEquals(Which.PREVIOUS, fourth.which());
        assertEquals(after, Journal.read(dir));
    }

    @Test
    void rollingBack_bootsThePreviousSet_theDistributionIfThereWasNone() throws IOException {
        set("8", "gw-pn");
        Journal.empty().applying("r-8", 8, "8", false, "beef", 5).trial().rollingBack("HEALTH_FAILED", "x").write(dir);
        BootGuard.Plan p = BootGuard.prepare(dir, 2);
        assertEquals(Which.PREVIOUS, p.which());
        assertEquals(BundleSet.DISTRIBUTION, p.set());
        assertEquals(Set.of("gw-pn"), p.force(), "gw-pn may hold the new jar: back to the distribution's");
        assertEquals(0, Journal.read(dir).bootAttempts());
    }

    @Test
    void aNewSetWithAJarMissing_isGivenUpAtOnce() throws IOException {
        set("7", "gw-pn");
        set("8", "gw-pn");
        Files.delete(BundleSet.dir(dir, "8").resolve("gw-pn.jar"));
        new Journal(7, 0, "7", Phase.IDLE, "", 0, "", "", false, 0, "", "", "", 0, List.of()).applying("r", 8, "8", false, "h", 0).write(dir);
        BootGuard.Plan p = BootGuard.prepare(dir, 2);
        assertEquals(Which.PREVIOUS, p.which());
        assertEquals("BOOT_FAILED", p.journal().failure());
    }

    @Test
    void committedButNotYetRecorded_bootsTheNewCommittedSet() throws IOException {
        set("7", "gw-pn");
        BundleSet s8 = set("8", "gw-pn");
        new Journal(7, 0, "7", Phase.IDLE, "", 0, "", "", false, 0, "", "", "", 0, List.of()).applying("r", 8, "8", false, "h", 0)
                .trial().committed("trial passed").write(dir);
        BootGuard.Plan p = BootGuard.prepare(dir, 2);
        assertEquals(Which.COMMITTED, p.which());
        assertEquals(s8, p.set());
    }

    @Test
    void setFileNames_mustBePlain() {
        for (String bad : List.of("../x.jar", "a/b.jar", "..", ".hidden", "", BundleSet.FILE, "a\nb")) {
            assertThrows(IllegalArgumentException.class, () -> BundleSet.safeFile(bad), bad);
        }
        assertEquals("gw-pn-1.0.jar", BundleSet.safeFile("gw-pn-1.0.jar"));
    }
}
