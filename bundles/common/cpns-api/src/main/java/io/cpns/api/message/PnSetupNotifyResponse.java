package io.cpns.api.message;

import java.util.List;
import java.util.Map;

/**
 * A PNE's answer to {@link PnSetupNotify} (seed 004 §5.2.1.1 step 3; §5.2.1.2 steps 3-4 "PN Setup
 * Response"): whether it joins, and if so its capabilities, contents, rand_PNE and whether it
 * asks for a LocalEUKey.
 */
public record PnSetupNotifyResponse(boolean accept, Map<String, String> capabilities, List<String> contents,
                                    byte[] randPne, boolean localEuKeyRequested, String suite) implements Message {
    public PnSetupNotifyResponse {
        capabilities = Maps.of(capabilities);
        contents = Maps.of(contents);
        suite = suite == null ? "modern-v1" : suite;
        if (accept && randPne == null) {
            throw new IllegalArgumentException("randPne is required to accept");
        }
    }
}
