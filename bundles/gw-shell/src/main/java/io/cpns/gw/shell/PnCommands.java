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
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.Descriptor;
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
    private static final String PAN = "gw-pan";
    private static final String PN = "gw-pn";

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
    public String adapters() {
        StringBuilder s = new StringBuilder(String.format("%-10s %-14s %-10s %s%n", "ADAPTER", "PAN SECURITY", "MAX FRAME", "ADDRESSES"));
        for (PanAdapter a : adapters) {
            s.append(String.format("%-10s %-14s %-10d %s%n", a.id(), a.security(), a.maxFrameBytes(), String.join(", ", a.addresses())));
        }
        return s.toString();
    }

    @Descriptor("Connected PNEs: adapter, remote address, authenticated, protection (tls, session, pan, none), since")
    public String pnes() {
        PneMessenger pnes = this.pnes;
        if (pnes == null) {
            return Unavailable.of("PNE links", PAN);
        }
        StringBuilder s = new StringBuilder(String.format("%-24s %-8s %-5s %-8s %-24s %s%n",
                "PNE", "ADAPTER", "AUTH", "PROTECT", "SINCE", "REMOTE"));
        for (PneLink l : pnes.links()) {
            s.append(String.format("%-24s %-8s %-5s %-8s %-24s %s%n", l.pneId().isEmpty() ? "?" : l.pneId(), l.adapter(),
                    l.authenticated() ? "yes" : "no", l.protectionName(), l.since(), l.remote()));
        }
        return s.toString();
    }

    @Descriptor("PNs in this gateway's PN Inventory")
    public String pns() {
        PnInventory inventory = this.inventory;
        if (inventory == null) {
            return Unavailable.of("PN Inventory", PN);
        }
        StringBuilder s = new StringBuilder(String.format("%-18s %-24s %-8s %s%n", "PN", "INITIATOR", "MEMBERS", "ESTABLISHED"));
        try {
            for (PnRecord pn : inventory.pns()) {
                s.append(String.format("%-18s %-24s %-8d %s%n", pn.pnId(), pn.initiator(), pn.members().size(), pn.established()));
            }
        } catch (RuntimeException e) {
            s.append(Unavailable.failed("the PN Inventory", e));
        }
        return s.toString();
    }

    @Descriptor("One PN's inventory: members, capabilities, contents, LocalEUKey, joined, link now")
    public String pn(@Descriptor("PN ID") String pnId) {
        PnInventory inventory = this.inventory;
        if (inventory == null) {
            return Unavailable.of("PN Inventory", PN);
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
        return s.toString();
    }

    @Descriptor("Gateway-initiated PN Establishment (seed 004 5.2.1.2) with every connected PNE")
    public String establish(@Descriptor("all") String type) throws Exception {
        if (!type.equalsIgnoreCase("all")) {
            throw new IllegalArgumentException("use: gw:establish all | gw:establish invite <pne> [<pne>...]");
        }
        PnManagement management = this.management;
        return management == null ? Unavailable.of("PN establishment", PN)
                : describe(management.establish(SetupType.ALL, List.of()).toCompletableFuture().get(5, TimeUnit.MINUTES));
    }

    @Descriptor("Gateway-initiated PN Establishment (seed 004 5.2.1.2) with the listed PNEs")
    public String establish(@Descriptor("invite") String type, @Descriptor("PNE IDs") String... pneIds) throws Exception {
        if (!type.equalsIgnoreCase("invite") || pneIds.length == 0) {
            throw new IllegalArgumentException("use: gw:establish all | gw:establish invite <pne> [<pne>...]");
        }
        PnManagement management = this.management;
        return management == null ? Unavailable.of("PN establishment", PN)
                : describe(management.establish(SetupType.INVITE, List.of(pneIds)).toCompletableFuture().get(5, TimeUnit.MINUTES));
    }

    private static String describe(PnRecord pn) {
        return "PN " + pn.pnId() + " established with " + pn.members().size() + " PNE(s): "
                + String.join(", ", pn.members().stream().map(PnMemberRecord::pneId).toList());
    }

    @Descriptor("Close every link of a PNE (it may reconnect; its keys and PNs stay)")
    public String disconnect(@Descriptor("PNE ID") String pneId) {
        PneMessenger pnes = this.pnes;
        return pnes == null ? Unavailable.of("PNE links", PAN) : pnes.disconnect(EntityId.of(pneId)) + " link(s) of " + pneId + " closed";
    }

    @Descriptor("Remove a PNE from every PN, delete its LocalEUKey, tell the Server, close its links")
    public String expel(@Descriptor("PNE ID") String pneId) {
        PnManagement management = this.management;
        if (management == null) {
            return Unavailable.of("PN management", PN);
        }
        return management.expel(pneId) ? pneId + " expelled" : pneId + " was in no PN (its key and links are gone anyway)";
    }

    @Descriptor("Set the pre-assigned key of a PNE without UI (seed 004 R01), as printed on the device (hex, >= 16 bytes)")
    public String preassign(@Descriptor("PNE ID") String pneId, @Descriptor("key, hex") String hexKey) {
        PreAssignedKeys preAssigned = this.preAssigned;
        if (preAssigned == null) {
            return Unavailable.of("pre-assigned keys", PAN);
        }
        byte[] key = HexFormat.of().parseHex(hexKey.trim());
        try {
            preAssigned.set(pneId, key);
        } finally {
            java.util.Arrays.fill(key, (byte) 0);
        }
        return "pre-assigned key stored for " + pneId;
    }

    @Descriptor("Delete the pre-assigned key of a PNE")
    public String unpreassign(@Descriptor("PNE ID") String pneId) {
        PreAssignedKeys preAssigned = this.preAssigned;
        if (preAssigned == null) {
            return Unavailable.of("pre-assigned keys", PAN);
        }
        return preAssigned.remove(pneId) ? "pre-assigned key of " + pneId + " deleted" : pneId + " had no pre-assigned key";
    }
}
