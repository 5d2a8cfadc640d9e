package io.cpns.gw.shell;

import io.cpns.api.gateway.GatewayGroup;
import io.cpns.api.gateway.GatewayGroups;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code gw:groups}: the Service Groups with members here, the epoch and fingerprint of the Group Key held (never the key). */
@Component(service = GroupCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=groups"})
public class GroupCommands {
    private final GatewayGroups groups;

    @Activate
    public GroupCommands(@Reference(name = "groups") GatewayGroups groups) {
        this.groups = groups;
    }

    @Descriptor("Service Groups with members in this PN GW's PNs, and the Group Key held for each")
    public String groups() {
        StringBuilder s = new StringBuilder(String.format("%-24s %-6s %-18s %-26s %s%n", "GROUP", "EPOCH", "KEY", "RECEIVED", "MEMBERS HERE"));
        for (GatewayGroup g : groups.groups()) {
            s.append(String.format("%-24s %-6d %-18s %-26s %s%n", g.groupId(), g.epoch(), g.keyFingerprint(), g.received(),
                    String.join(", ", g.members())));
        }
        return s.toString();
    }
}
