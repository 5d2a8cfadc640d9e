package io.cpns.gw.shell;

import io.cpns.api.gateway.GroupKeyManager;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code gw:keymanager}: the Service Groups this PN GW is Group Key Manager of (seed 003 §5.3.2), never the keys. */
@Component(service = KeyManagerCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=keymanager"})
public class KeyManagerCommands {
    private final GroupKeyManager manager;

    @Activate
    public KeyManagerCommands(@Reference(name = "manager") GroupKeyManager manager) {
        this.manager = manager;
    }

    @Descriptor("Service Groups whose Group Keys this PN GW creates, with the last epoch and its fingerprint")
    public String keymanager() {
        StringBuilder s = new StringBuilder(String.format("%-24s %-6s %-18s %s%n", "GROUP", "EPOCH", "KEY", "CREATED"));
        manager.managed().forEach(g -> s.append(String.format("%-24s %-6d %-18s %s%n", g.groupId(), g.epoch(), g.keyFingerprint(), g.created())));
        return s.toString();
    }
}
