package io.cpns.gw.shell;

import io.cpns.api.gateway.GatewayGroup;
import io.cpns.api.gateway.GatewayGroups;
import io.cpns.api.gateway.MemberDelivery;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.util.Map;
import java.util.TreeMap;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code gw:groups}: the Service Groups with members here, the epoch and fingerprint of the Group
 * Key held (never the key); {@code gw:group}: one group's members, how each gets the key, how far.
 */
@Component(service = GroupCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=groups",
    "osgi.command.function=group"})
public class GroupCommands {
    private static final String BUNDLE = "io.cpns.gw.groupkey";

    // optional and dynamic: a PN GW without its Service Group part (not installed, or failed to start) still answers
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile GatewayGroups groups;

    @Descriptor("Service Groups with members in this PN GW's PNs, and the Group Key held for each")
    public void groups(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:groups");
            return;
        }
        GatewayGroups groups = this.groups;
        if (groups == null) {
            Print.result(Unavailable.of("Service Groups", BUNDLE));
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-24s %-6s %-18s %-26s %s%n", "GROUP", "EPOCH", "KEY", "RECEIVED", "MEMBERS HERE"));
        try {
            for (GatewayGroup g : groups.groups()) {
                s.append(String.format("%-24s %-6d %-18s %-26s %s%n", g.groupId(), g.epoch(), g.keyFingerprint(), g.received(),
                        String.join(", ", g.members())));
            }
        } catch (RuntimeException e) {
            s.append(Unavailable.failed("the Service Groups", e));
        }
        Print.result(s.toString());
    }

    @Descriptor("One Service Group: its Group Key here and, per member PNE, the delivery mode and status")
    public void group(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("Service Group ID") String groupId) {
        if (help) {
            Usage.print(this, "gw:group");
            return;
        }
        GatewayGroups groups = this.groups;
        if (groups == null) {
            Print.result(Unavailable.of("Service Groups", BUNDLE));
            return;
        }
        GatewayGroup g = groups.group(groupId).orElse(null);
        String traffic = groups.traffic(groupId).map(t -> String.format("delivery %s, epoch %d announced by the Server; Group Keys "
                + "since start: %d from the Server, to members %s%n", t.onRequest() ? "on request (seed 003 B.2.1.1)" : "at once",
                t.announcedEpoch(), t.fromServer(), t.toPnes())).orElse("");
        if (g == null) {
            Print.result(traffic.isEmpty() ? "no Service Group " + groupId + " on this PN GW\n" : groupId + ": no Group Key held here; " + traffic);
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%s: Group Key epoch %d (%s), received %s%n", g.groupId(), g.epoch(),
                g.keyFingerprint(), g.received()));
        s.append(traffic);
        groups.broadcast(groupId).ifPresent(b -> s.append(String.format("broadcast on %s: key tree epoch %d, %d members, height %d; "
                + "last broadcast %d bytes, %d wrapped keys, at %s%n", b.topic(), b.treeEpoch(), b.members(), b.height(), b.lastBytes(),
                b.lastWrapped(), b.at())));
        s.append(String.format("%-24s %-10s %-6s %-26s %-40s %s%n", "MEMBER", "MODE", "EPOCH", "AT", "STATUS", "GROUP MESSAGES (TS 5.3.3.2)"));
        Map<String, MemberDelivery> byPne = new TreeMap<>();
        groups.deliveries(groupId).forEach(d -> byPne.put(d.pneId(), d));
        for (String pne : g.members()) {
            MemberDelivery d = byPne.get(pne);
            String messages = groups.groupKeyRequired(pne) ? "Group Key" : "may omit (secure PAN, credential module)";
            s.append(d == null ? String.format("%-24s %-10s %-6s %-26s %-40s %s%n", pne, "-", "-", "-", "nothing sent since this PN GW started", messages)
                    : String.format("%-24s %-10s %-6d %-26s %-40s %s%n", pne, d.mode().wire(), d.epoch(), d.at(), d.statusText(), messages));
        }
        Print.result(s.toString());
    }

    @Descriptor(Usage.SHOW)
    public void group(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:group");
    }
}
