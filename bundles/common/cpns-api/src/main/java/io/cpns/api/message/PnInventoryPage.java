package io.cpns.api.message;

import java.util.List;
import java.util.Objects;

/**
 * One page of a PN Inventory, answering {@link PnInventoryRequest}.
 *
 * @param from    index of the first member of this page
 * @param total   members in the whole PN Inventory
 * @param members members {@code from} to {@code from + members.size() - 1}
 */
public record PnInventoryPage(String pnId, int from, int total, List<PnMember> members) implements Message {
    public PnInventoryPage {
        Objects.requireNonNull(pnId, "pnId");
        members = Maps.of(members);
    }
}
