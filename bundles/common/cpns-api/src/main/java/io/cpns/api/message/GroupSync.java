package io.cpns.api.message;

import java.util.List;

/**
 * Server to PN GW, answering {@link GroupSyncRequest}: every Service Group with members in its
 * PNs, each as the {@link GroupNotify} of its current epoch (never a key). A group the PN GW holds
 * that is not listed was deleted, or has no member there any more.
 */
public record GroupSync(List<GroupNotify> groups) implements Message {
    public GroupSync {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
