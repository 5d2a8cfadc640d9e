package io.cpns.api.message;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * PN Setup Request, PNE to PN GW (seed 004 §5.2.1.1 step 1).
 *
 * @param setupType           1-1, All, or invite list
 * @param invitees            PNE IDs to invite (INVITE only)
 * @param capabilities        Device Capabilities of the PNE's device
 * @param contents            optionally, content information the device has
 * @param randPne             rand_PNE, for mutual authentication with the CPNS Server
 * @param localEuKeyRequested the PNE has enough UI, whatever its PAN (seed 004 R01, decision D22)
 * @param suite               crypto suite of rand_PNE/hash_PNE (absent: {@code modern-v1})
 */
public record PnSetupRequest(SetupType setupType, List<String> invitees, Map<String, String> capabilities,
                             List<String> contents, byte[] randPne, boolean localEuKeyRequested,
                             String suite) implements Message {
    public PnSetupRequest {
        Objects.requireNonNull(setupType, "setupType");
        Objects.requireNonNull(randPne, "randPne");
        invitees = Maps.of(invitees);
        capabilities = Maps.of(capabilities);
        contents = Maps.of(contents);
        suite = suite == null ? "modern-v1" : suite;
    }
}
