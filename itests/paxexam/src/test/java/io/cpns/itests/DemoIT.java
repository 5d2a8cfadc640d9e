package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/** The README's first command: bin/cpns-demo exits 0 and reports every step verified (the serial PAN needs socat). */
public class DemoIT {
    @Test
    public void demo_verifiesEveryStep_andExitsZero() throws Exception {
        File script = CpnsOptions.dist().resolve("bin/cpns-demo").toFile();
        Process p = new ProcessBuilder(script.getPath()).redirectErrorStream(true).start();
        assertTrue("demo still running after 120 s", p.waitFor(120, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(out, 0, p.exitValue());
        assertTrue(out, !out.contains("] FAIL "));
        if (PtyPair.available()) { // both PANs shown, nothing skipped
            assertTrue(out, out.contains("All 22 steps verified") && !out.contains("] SKIP "));
        } else {
            assertTrue(out, out.contains("All 21 steps verified") && out.contains("SKIP  9. serial PAN not shown: socat is not installed"));
        }
    }
}
