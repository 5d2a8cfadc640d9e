package io.cpns.api.message;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One PNE in a PN Inventory. */
public record PnMember(String pneId, Map<String, String> capabilities, List<String> contents) {
    public PnMember {
        Objects.requireNonNull(pneId, "pneId");
        capabilities = Maps.of(capabilities);
        contents = Maps.of(contents);
    }
}
