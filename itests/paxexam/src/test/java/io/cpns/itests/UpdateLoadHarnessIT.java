package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The update harness at a size CI can afford: {@code bin/cpns-load --update --trial 2 3} rolls out
 * a hot and a restart-class release of gw-pn to a PN GW with 3 PNEs sending all along, and prints
 * its table. Checked: the hot release drops no link and fails no request, the restart-class one
 * ends every link and brings every PNE back; both commit. No timing is asserted (the figures are in
 * docs/benchmarks.md).
 */
public class UpdateLoadHarnessIT {
    @Test
    public void updateHarness_commitsAHotAndARestartClassRelease_andReportsThemBesideTheirFloor() throws Exception {
        File script = CpnsOptions.dist().resolve("bin/cpns-load").toFile();
        Process p = new ProcessBuilder(script.getPath(), "--update", "--trial", "2", "3").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("harness still running", p.waitFor(300, TimeUnit.SECONDS));
        System.out.println(out);
        assertEquals(out, 0, p.exitValue());
        assertTrue(out, out.matches("(?s).*\\n\\| hot \\| [0-9.]+ s \\| [0-9.]+ s \\| [0-9.]+ s \\| [0-9.]+ s \\| [1-9][0-9]* \\| 0 \\| [0-9]+ ms \\| 0 of 3 \\|.*"));
        assertTrue(out, out.matches("(?s).*\\n\\| restart class \\| [0-9.]+ s \\| [0-9.]+ s \\| [0-9.]+ s \\| [0-9.]+ s \\| [1-9][0-9]* \\| [0-9]+ \\| [0-9]+ ms \\| 3 of 3 \\|.*"));
        assertTrue(out, out.matches("(?s).*\\n\\| floor: no update, as long \\| – \\| – \\| – \\| – \\| [1-9][0-9]* \\| 0 \\| [0-9]+ ms \\| – \\|.*"));
    }
}
