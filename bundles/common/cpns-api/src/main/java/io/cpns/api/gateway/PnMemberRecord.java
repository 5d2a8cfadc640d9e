package io.cpns.api.gateway;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A PNE in the PN GW's PN Inventory. */
public record PnMemberRecord(String pneId, Map<String, String> capabilities, List<String> contents, boolean localEuKey,
                             Instant joined) {
    public PnMemberRecord {
        capabilities = capabilities == null ? Map.of() : Map.copyOf(capabilities);
        contents = contents == null ? List.of() : List.copyOf(contents);
    }
}
