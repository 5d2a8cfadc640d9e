package io.cpns.api.gateway;

import java.util.Map;

/**
 * A Service Group's Group Key messages at this PN GW since it started (seed 003 B.2.1), for
 * {@code gw:group} and for checking that delivery on request sends nothing unneeded.
 *
 * @param onRequest      the group's key is fetched from the Server and handed out only when a member
 *                       asks (configuration {@code onRequestGroups}); false: at every change, to every member
 * @param announcedEpoch the newest epoch the Server announced (held here or not yet fetched)
 * @param fromServer     Group Keys received from the Server ({@code group.key.push}, {@code group.key} answers)
 * @param toPnes         by member PNE: Group Keys sent to it ({@code group.key.deliver}, {@code group.key}
 *                       answers, {@code group.tree.deliver}, {@code group.tree} answers)
 */
public record GroupKeyTraffic(String groupId, boolean onRequest, long announcedEpoch, long fromServer, Map<String, Long> toPnes) {
    public GroupKeyTraffic {
        toPnes = toPnes == null ? Map.of() : Map.copyOf(toPnes);
    }
}
