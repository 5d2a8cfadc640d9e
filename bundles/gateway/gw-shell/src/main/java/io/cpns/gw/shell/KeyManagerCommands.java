package io.cpns.gw.shell;

import io.cpns.api.gateway.GroupKeyManager;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * {@code gw:keymanager}: the Service Groups this PN GW is Group Key Manager of (seed 003 §5.3.2), never the keys;
 * {@code gw:grouprekey}: renew one of their keys now.
 */
@Component(service = KeyManagerCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=keymanager",
    "osgi.command.function=grouprekey"})
public class KeyManagerCommands {
    // optional and dynamic: with gw-keymanager down the command says so (Unavailable) instead of vanishing
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile GroupKeyManager manager;

    @Descriptor("Service Groups whose Group Keys this PN GW creates, with the last epoch and its fingerprint")
    public void keymanager(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:keymanager");
            return;
        }
        GroupKeyManager manager = this.manager;
        if (manager == null) {
            Print.result(Unavailable.of("Group Key Manager", "io.cpns.gw.keymanager"));
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-24s %-6s %-18s %s%n", "GROUP", "EPOCH", "KEY", "CREATED"));
        manager.managed().forEach(g -> s.append(String.format("%-24s %-6d %-18s %s%n", g.groupId(), g.epoch(), g.keyFingerprint(), g.created())));
        Print.result(s.toString());
    }

    @Descriptor("Renew the Group Key of a group this PN GW manages now and register it on the CPNS Server, which relays it to every "
            + "member (seed 003 §5.3.2: the CSKMF triggers the update itself)")
    public void grouprekey(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("Service Group ID") String groupId) {
        if (help) {
            Usage.print(this, "gw:grouprekey");
            return;
        }
        GroupKeyManager manager = this.manager;
        if (manager == null) {
            Print.result(Unavailable.of("Group Key Manager", "io.cpns.gw.keymanager"));
            return;
        }
        GroupKeyManager.ManagedGroup g = manager.rekey(groupId);
        Print.result(groupId + ": Group Key epoch " + g.epoch() + " (" + g.keyFingerprint() + ") made here and registered on the CPNS Server");
    }

    @Descriptor(Usage.SHOW)
    public void grouprekey(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:grouprekey");
    }
}
