package io.cpns.api.message;

import java.util.Objects;

/** PN GW to a member PNE, unasked: its {@link GroupTree} when it joins, or when its link comes back. */
public record GroupTreeDeliver(GroupTree tree) implements Message {
    public GroupTreeDeliver {
        Objects.requireNonNull(tree, "tree");
    }
}
