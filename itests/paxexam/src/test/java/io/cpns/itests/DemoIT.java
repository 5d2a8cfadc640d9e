package io.cpns.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.cpns.testkit.Commands;
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
        // issue 11: a signed release rolled out hot with every PNE sending, a tampered one refused, a failing one rolled back
        assertTrue(out, out.matches("(?s).*PASS  \\d+\\. COMMITTED .* 0 dropped; \\d+ PNEs sent \\d+ requests through the swap, 0 failed.*"));
        assertTrue(out, out.contains("shows REFUSED BAD_SIGNATURE") && out.contains("shows ROLLED_BACK HEALTH_FAILED"));
        // issue 12: a Server restart after which the PNEs' relays work without a new PN Establishment (SK_PNE kept sealed)
        assertTrue(out, out.matches("(?s).*PASS  \\d+\\. new Server runtime on port \\d+; \\d+ PNEs relayed in the PNs they had .*, no PN established anew.*"));
        if (Commands.installed("socat")) { // both PANs shown, nothing skipped
            assertTrue(out, out.contains("All 28 steps verified") && !out.contains("] SKIP "));
        } else {
            assertTrue(out, out.contains("All 27 steps verified") && out.contains("SKIP  10. serial PAN not shown: socat is not installed"));
        }
    }
}
