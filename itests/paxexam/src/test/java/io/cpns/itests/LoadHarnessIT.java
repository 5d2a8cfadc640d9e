package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The load harness and the PNE simulator it drives, at a size CI can afford: bin/cpns-load 20 forms
 * a PN of 20 simulated PNEs and prints its figures. (The 200 and 1000 PNE runs are documented in
 * docs/benchmarks.md; no timing is asserted here.)
 */
public class LoadHarnessIT {
    @Test
    public void loadHarness_establishesAPnWithEverySimulatedPne_andReportsItsFigures() throws Exception {
        File script = CpnsOptions.dist().resolve("bin/cpns-load").toFile();
        Process p = new ProcessBuilder(script.getPath(), "20").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("harness still running", p.waitFor(300, TimeUnit.SECONDS));
        System.out.println(out);
        assertEquals(out, 0, p.exitValue());
        assertTrue(out, out.contains("RESULT pnes=20 joined=20 "));
        assertTrue(out, out.matches("(?s).*\\n\\| 20 \\| [0-9.]+ \\| [0-9.]+ \\| [0-9]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|.*"));
    }
}
