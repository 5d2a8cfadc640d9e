package io.cpns.api.message;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** PNE Info in a PN Registration Request (seed 004 step 4), with the suite of its rand_PNE (absent: modern-v1). */
public record PnePresence(String pneId, Map<String, String> capabilities, List<String> contents, byte[] randPne,
                          boolean localEuKeyRequested, String suite) {
    public PnePresence {
        Objects.requireNonNull(pneId, "pneId");
        Objects.requireNonNull(randPne, "randPne");
        capabilities = Maps.of(capabilities);
        contents = Maps.of(contents);
        suite = suite == null ? "modern-v1" : suite;
    }
}
