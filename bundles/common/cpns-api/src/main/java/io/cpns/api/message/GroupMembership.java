package io.cpns.api.message;

import java.util.List;

/**
 * PN GW to a PNE whose link came up: every Service Group the PNE is a member of at this PN GW
 * (TS §5.3.2 "SG member PNEs delete Group Key"). The PNE deletes the Group Key of every group it
 * holds that is not listed: the group was deleted, or it left, while its link was down. Sent only on
 * a protected link, and only while the PN GW is synchronised with the Server.
 */
public record GroupMembership(List<String> groups) implements Message {
    public GroupMembership {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }
}
