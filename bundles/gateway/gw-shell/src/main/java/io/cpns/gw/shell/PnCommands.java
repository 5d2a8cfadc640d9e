package io.cpns.gw.shell;

import io.cpns.api.EntityId;
import io.cpns.api.gateway.PnInventory;
import io.cpns.api.gateway.PnManagement;
import io.cpns.api.gateway.PnMemberRecord;
import io.cpns.api.gateway.PnRecord;
import io.cpns.api.gateway.PneLink;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.PreAssignedKeys;
import io.cpns.api.message.SetupType;
import io.cpns.pan.spi.PanAdapter;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Operator commands for the home side of the PN GW (seed 004): PAN adapters, connected PNEs,
 * PNs and their inventory, GW-initiated establishment, disconnect/expel, pre-assigned keys.
 */
@Component(service = PnCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=adapters",
    "osgi.command.function=pnes",
    "osgi.command.function=pns",
    "osgi.command.function=pn",
    "osgi.command.function=establish",
    "osgi.command.function=disconnect",
    "osgi.command.function=expel",
    "osgi.command.function=preassign",
    "osgi.command.function=unpreassign"})
public class PnCommands {
    private static final String PAN = "io.cpns.gw.pan";
    private static final String PN = "io.cpns.gw.pn";

    // optional and dynamic: with gw-pn or gw-pan down the commands say so (Unavailable) instead of vanishing or failing
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PneMessenger pnes;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PnInventory inventory;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PnManagement management;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile PreAssignedKeys preAssigned;

    private final List<PanAdapter> adapters = new CopyOnWriteArrayList<>();

    @Reference(name = "adapters", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeAdapter")
    void addAdapter(PanAdapter a) {
        adapters.add(a);
    }

    void removeAdapter(PanAdapter a) {
        adapters.remove(a);
    }

    @Descriptor("PAN adapters: id, what the PAN protects, largest frame, where PNEs reach the gateway")
    public void adapters(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:adapters");
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-10s %-14s %-10s %s%n", "ADAPTER", "PAN SECURITY", "MAX FRAME", "ADDRESSES"));
        for (PanAdapter a : adapters) {
            s.append(String.format("%-10s %-14s %-10d %s%n", a.id(), a.security(), a.maxFrameBytes(), String.join(", ", a.addresses())));
        }
        Print.result(s.toString());
    }

    @Descriptor("Connected PNEs: adapter, remote address, authenticated, protection (tls, session, pan, none), since")
    public void pnes(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:pnes");
            return;
        }
        PneMessenger pnes = this.pnes;
        if (pnes == null) {
            Print.result(Unavailable.of("PNE links", PAN));
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-24s %-8s %-5s %-8s %-24s %s%n",
                "PNE", "ADAPTER", "AUTH", "PROTECT", "SINCE", "REMOTE"));
        for (PneLink l : pnes.links()) {
            s.append(String.format("%-24s %-8s %-5s %-8s %-24s %s%n", l.pneId().isEmpty() ? "?" : l.pneId(), l.adapter(),
                    l.authenticated() ? "yes" : "no", l.protectionName(), l.since(), l.remote()));
        }
        Print.result(s.toString());
    }

    @Descriptor("PNs in this gateway's PN Inventory")
    public void pns(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:pns");
            return;
        }
        PnInventory inventory = this.inventory;
        if (inventory == null) {
            Print.result(Unavailable.of("PN Inventory", PN));
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-18s %-24s %-8s %s%n", "PN", "INITIATOR", "MEMBERS", "ESTABLISHED"));
        try {
            for (PnRecord pn : inventory.pns()) {
                s.append(String.format("%-18s %-24s %-8d %s%n", pn.pnId(), pn.initiator(), pn.members().size(), pn.established()));
            }
        } catch (RuntimeException e) {
            s.append(Unavailable.failed("the PN Inventory", e));
        }
        Print.result(s.toString());
    }

    @Descriptor("One PN's inventory: members, capabilities, contents, LocalEUKey, joined, link now")
    public void pn(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("PN ID") String pnId) {
        if (help) {
            Usage.print(this, "gw:pn");
            return;
        }
        PnInventory inventory = this.inventory;
        if (inventory == null) {
            Print.result(Unavailable.of("PN Inventory", PN));
            return;
        }
        PneMessenger pnes = this.pnes;
        PnRecord pn = inventory.pn(pnId).orElseThrow(() -> new IllegalArgumentException("no PN " + pnId + " on this gateway"));
        StringBuilder s = new StringBuilder("PN " + pn.pnId() + " initiated by " + pn.initiator() + " at " + pn.established() + "\n");
        for (PnMemberRecord m : pn.members()) {
            String link = pnes == null ? "unknown (" + PAN + " not running)"
                    : pnes.link(EntityId.of(m.pneId())).map(l -> l.adapter() + "/" + l.protectionName()).orElse("offline");
            s.append(String.format("  %-24s LocalEUKey %-3s joined %s  link %s%n    capabilities %s%n    contents %s%n", m.pneId(),
                    m.localEuKey() ? "yes" : "no", m.joined(), link, m.capabilities(), m.contents()));
        }
        Print.result(s.toString());
    }

    @Descriptor("Gateway-initiated PN Establishment (seed 004 5.2.1.2) with every connected PNE")
    public void establish(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("all") String type) throws Exception {
        if (help) {
            Usage.print(this, "gw:establish");
            return;
        }
        if (!type.equalsIgnoreCase("all")) {
            throw new IllegalArgumentException("use: gw:establish all | gw:establish invite <pne> [<pne>...]");
        }
        PnManagement management = this.management;
        Print.result(management == null ? Unavailable.of("PN establishment", PN)
                : describe(management.establish(SetupType.ALL, List.of()).toCompletableFuture().get(5, TimeUnit.MINUTES)));
    }

    @Descriptor("Gateway-initiated PN Establishment (seed 004 5.2.1.2) with the listed PNEs")
    public void establish(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("invite") String type, @Descriptor("PNE IDs") String... pneIds) throws Exception {
        if (help) {
            Usage.print(this, "gw:establish");
            return;
        }
        if (!type.equalsIgnoreCase("invite") || pneIds.length == 0) {
            throw new IllegalArgumentException("use: gw:establish all | gw:establish invite <pne> [<pne>...]");
        }
        PnManagement management = this.management;
        Print.result(management == null ? Unavailable.of("PN establishment", PN)
                : describe(management.establish(SetupType.INVITE, List.of(pneIds)).toCompletableFuture().get(5, TimeUnit.MINUTES)));
    }

    private static String describe(PnRecord pn) {
        return "PN " + pn.pnId() + " established with " + pn.members().size() + " PNE(s): "
                + String.join(", ", pn.members().stream().map(PnMemberRecord::pneId).toList());
    }

    @Descriptor("Close every link of a PNE (it may reconnect; its keys and PNs stay)")
    public void disconnect(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("PNE ID") String pneId) {
        if (help) {
            Usage.print(this, "gw:disconnect");
            return;
        }
        PneMessenger pnes = this.pnes;
        Print.result(pnes == null ? Unavailable.of("PNE links", PAN) : pnes.disconnect(EntityId.of(pneId)) + " link(s) of " + pneId + " closed");
    }

    @Descriptor("Remove a PNE from every PN, delete its LocalEUKey, tell the Server, close its links")
    public void expel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("PNE ID") String pneId) {
        if (help) {
            Usage.print(this, "gw:expel");
            return;
        }
        PnManagement management = this.management;
        if (management == null) {
            Print.result(Unavailable.of("PN management", PN));
            return;
        }
        Print.result(management.expel(pneId) ? pneId + " expelled" : pneId + " was in no PN (its key and links are gone anyway)");
    }

    @Descriptor("Set the pre-assigned key of a PNE without UI (seed 004 R01), as printed on the device (hex, >= 16 bytes)")
    public void preassign(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("PNE ID") String pneId, @Descriptor("key, hex") String hexKey) {
        if (help) {
            Usage.print(this, "gw:preassign");
            return;
        }
        PreAssignedKeys preAssigned = this.preAssigned;
        if (preAssigned == null) {
            Print.result(Unavailable.of("pre-assigned keys", PAN));
            return;
        }
        byte[] key = HexFormat.of().parseHex(hexKey.trim());
        try {
            preAssigned.set(pneId, key);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
        Print.result("pre-assigned key stored for " + pneId);
    }

    @Descriptor("Delete the pre-assigned key of a PNE")
    public void unpreassign(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("PNE ID") String pneId) {
        if (help) {
            Usage.print(this, "gw:unpreassign");
            return;
        }
        PreAssignedKeys preAssigned = this.preAssigned;
        if (preAssigned == null) {
            Print.result(Unavailable.of("pre-assigned keys", PAN));
            return;
        }
        Print.result(preAssigned.remove(pneId) ? "pre-assigned key of " + pneId + " deleted" : pneId + " had no pre-assigned key");
    }

    @Descriptor(Usage.SHOW)
    public void pn(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:pn");
    }

    @Descriptor(Usage.SHOW)
    public void establish(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:establish");
    }

    @Descriptor(Usage.SHOW)
    public void disconnect(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:disconnect");
    }

    @Descriptor(Usage.SHOW)
    public void expel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:expel");
    }

    @Descriptor(Usage.SHOW)
    public void preassign(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:preassign");
    }

    @Descriptor(Usage.SHOW)
    public void unpreassign(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:unpreassign");
    }
}
