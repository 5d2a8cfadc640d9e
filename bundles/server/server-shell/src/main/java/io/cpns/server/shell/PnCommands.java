package io.cpns.server.shell;

import io.cpns.api.EntityId;
import io.cpns.api.server.PnRegistry;
import io.cpns.api.server.RegisteredPn;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The Server's PN Inventory (seed 004 step 11): {@code server:pns [gateway]}, {@code server:pn <id>}. */
@Component(service = PnCommands.class, property = {
    "osgi.command.scope=server",
    "osgi.command.function=pns",
    "osgi.command.function=pn"})
public class PnCommands {
    private final PnRegistry registry;

    @Activate
    public PnCommands(@Reference(name = "registry") PnRegistry registry) {
        this.registry = registry;
    }

    @Descriptor("Registered PNs")
    public void pns(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:pns");
            return;
        }
        Print.result(table(registry.pns()));
    }

    @Descriptor("Registered PNs of one PN GW")
    public void pns(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("PN GW Entity ID") String gatewayId) {
        if (help) {
            Usage.print(this, "server:pns");
            return;
        }
        Print.result(table(registry.pnsOfGateway(EntityId.of(gatewayId))));
    }

    @Descriptor("One registered PN and its members")
    public void pn(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("PN ID") String pnId) {
        if (help) {
            Usage.print(this, "server:pn");
            return;
        }
        RegisteredPn pn = registry.pn(pnId).orElseThrow(() -> new IllegalArgumentException("no PN " + pnId));
        Print.result("PN " + pn.pnId() + " of PN GW " + pn.gateway() + " (CPNS User " + pn.owner() + "), registered " + pn.created()
                + "\nmembers: " + String.join(", ", pn.members().stream().map(EntityId::value).toList()));
    }

    private static String table(List<RegisteredPn> pns) {
        StringBuilder s = new StringBuilder(String.format("%-18s %-24s %-16s %-8s %s%n", "PN", "PN GW", "USER", "MEMBERS", "REGISTERED"));
        for (RegisteredPn pn : pns) {
            s.append(String.format("%-18s %-24s %-16s %-8d %s%n", pn.pnId(), pn.gateway(), pn.owner(), pn.members().size(), pn.created()));
        }
        return s.toString();
    }

    @Descriptor(Usage.SHOW)
    public void pn(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:pn");
    }
}
