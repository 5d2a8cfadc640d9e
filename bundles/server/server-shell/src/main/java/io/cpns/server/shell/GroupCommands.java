package io.cpns.server.shell;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServiceGroup;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Service Groups (TS §5.3.2): {@code server:groups}, {@code server:group <id>},
 * {@code server:groupadd <id> <user>}, {@code server:groupdel}, {@code server:groupjoin},
 * {@code server:groupleave}, {@code server:groupexpel}, {@code server:groupupdate},
 * {@code server:groupmanager} (a PN GW as Group Key Manager, seed 003 §5.3.2), {@code server:groupprotect}
 * (the least link protection a member needs for its Group Key, seed 003). Keys are never shown.
 */
@Component(service = GroupCommands.class, property = {
    "osgi.command.scope=server",
    "osgi.command.function=groups",
    "osgi.command.function=group",
    "osgi.command.function=groupadd",
    "osgi.command.function=groupdel",
    "osgi.command.function=groupjoin",
    "osgi.command.function=groupleave",
    "osgi.command.function=groupexpel",
    "osgi.command.function=groupupdate",
    "osgi.command.function=groupmanager",
    "osgi.command.function=groupprotect",
    "osgi.command.function=groupsend"})
public class GroupCommands {
    private final GroupRegistry groups;

    @Activate
    public GroupCommands(@Reference(name = "groups") GroupRegistry groups) {
        this.groups = groups;
    }

    @Descriptor("Service Groups with their owner, member count and Group Key epoch")
    public void groups(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:groups");
            return;
        }
        Print.result(table(groups.groups()));
    }

    @Descriptor("One Service Group and its members")
    public void group(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId) {
        if (help) {
            Usage.print(this, "server:group");
            return;
        }
        Print.result(describe(groups.group(groupId).orElseThrow(() -> new IllegalArgumentException("no Service Group " + groupId))));
    }

    @Descriptor("Creates a Service Group and its Group Key")
    public void groupadd(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("owner: CPNS User ID") String owner) {
        if (help) {
            Usage.print(this, "server:groupadd");
            return;
        }
        Print.result(describe(groups.create(groupId, UserId.of(owner))));
    }

    @Descriptor("Creates a Service Group whose Group Keys a PN GW creates (its Group Key Manager, distributed topology)")
    public void groupadd(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("owner: CPNS User ID") String owner,
            @Descriptor("Group Key Manager: a PN GW's Entity ID") String keyManager) {
        if (help) {
            Usage.print(this, "server:groupadd");
            return;
        }
        Print.result(describe(groups.create(groupId, UserId.of(owner), EntityId.of(keyManager))));
    }

    @Descriptor("Hands a group's Group Key management to a PN GW, or back to the Server (none); a new Group Key follows")
    public void groupmanager(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("a PN GW's Entity ID, or none") String keyManager) {
        if (help) {
            Usage.print(this, "server:groupmanager");
            return;
        }
        Print.result(describe(groups.assignKeyManager(groupId, keyManager.equals("none") ? null : EntityId.of(keyManager))));
    }

    @Descriptor("Sends a text message to a Service Group from the Server, sealed with its Group Key (TS 5.3.3.2)")
    public void groupsend(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("the text") String text) {
        if (help) {
            Usage.print(this, "server:groupsend");
            return;
        }
        int n = groups.send(groupId, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Print.result("sent to " + n + " PN GWs with members of " + groupId);
    }

    /**
     * Unquoted text arrives as several words, which Gogo would otherwise refuse with a raw
     * "Cannot coerce groupsend(...)". Joining them would send something other than what was typed
     * (Gogo has already removed repeated spaces and expanded {@code $}), so nothing is sent.
     */
    @Descriptor("Unquoted text of several words: answers how to quote it and sends nothing")
    public void groupsend(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("the text") String first,
            @Descriptor("more words") String... more) {
        if (help) {
            Usage.print(this, "server:groupsend");
            return;
        }
        if (more.length == 0) {
            groupsend(false, groupId, first);
            return;
        }
        Print.result("nothing sent: the text is several words; quote it as one argument, e.g. server:groupsend " + groupId + " '"
                + first + " " + String.join(" ", more) + "'");
    }

    @Descriptor("Deletes a Service Group and its Group Key")
    public void groupdel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId) {
        if (help) {
            Usage.print(this, "server:groupdel");
            return;
        }
        Print.result(groups.delete(groupId) ? "Service Group " + groupId + " deleted" : "no Service Group " + groupId);
    }

    @Descriptor("Adds a PNE of the owner's CPNS User; the Group Key is updated")
    public void groupjoin(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("PNE Entity ID") String pne) {
        if (help) {
            Usage.print(this, "server:groupjoin");
            return;
        }
        Print.result(describe(groups.join(groupId, EntityId.of(pne))));
    }

    @Descriptor("Removes a PNE at its request; the Group Key is updated")
    public void groupleave(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("PNE Entity ID") String pne) {
        if (help) {
            Usage.print(this, "server:groupleave");
            return;
        }
        Print.result(describe(groups.leave(groupId, EntityId.of(pne))));
    }

    @Descriptor("Expels a PNE; the Group Key is updated")
    public void groupexpel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("PNE Entity ID") String pne) {
        if (help) {
            Usage.print(this, "server:groupexpel");
            return;
        }
        Print.result(describe(groups.expel(groupId, EntityId.of(pne))));
    }

    @Descriptor("A new Group Key for the same members")
    public void groupupdate(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId) {
        if (help) {
            Usage.print(this, "server:groupupdate");
            return;
        }
        Print.result(describe(groups.update(groupId)));
    }

    @Descriptor("The least link protection a member must have been registered with to get the Group Key (seed 003); a new Group Key follows")
    public void groupprotect(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("group ID") String groupId, @Descriptor("none, pan, session or tls") String minimum) {
        if (help) {
            Usage.print(this, "server:groupprotect");
            return;
        }
        Print.result(describe(groups.requireProtection(groupId, io.cpns.api.LinkProtection.parse(minimum))));
    }

    private static String describe(ServiceGroup g) {
        return "Service Group " + g.groupId() + " of " + g.owner() + ", Group Key epoch " + g.epoch() + " (fingerprint "
                + g.keyFingerprint() + "), created " + g.created()
                + "\nGroup Key Manager: " + g.manager().map(m -> "PN GW " + m.value()).orElse("the Server")
                + "\nminimum link protection: " + g.minProtection().wire()
                + "\nmembers: " + String.join(", ", g.members().stream().map(EntityId::value).toList());
    }

    private static String table(List<ServiceGroup> list) {
        StringBuilder s = new StringBuilder(String.format("%-24s %-16s %-8s %-6s %-18s %s%n", "GROUP", "OWNER", "MEMBERS", "EPOCH", "KEY",
                "KEY MANAGER"));
        for (ServiceGroup g : list) {
            s.append(String.format("%-24s %-16s %-8d %-6d %-18s %s%n", g.groupId(), g.owner(), g.members().size(), g.epoch(),
                    g.keyFingerprint(), g.manager().map(EntityId::value).orElse("server")));
        }
        return s.toString();
    }

    @Descriptor(Usage.SHOW)
    public void group(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:group");
    }

    @Descriptor(Usage.SHOW)
    public void groupadd(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupadd");
    }

    @Descriptor(Usage.SHOW)
    public void groupmanager(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupmanager");
    }

    @Descriptor(Usage.SHOW)
    public void groupsend(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupsend");
    }

    @Descriptor(Usage.SHOW)
    public void groupdel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupdel");
    }

    @Descriptor(Usage.SHOW)
    public void groupjoin(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupjoin");
    }

    @Descriptor(Usage.SHOW)
    public void groupleave(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupleave");
    }

    @Descriptor(Usage.SHOW)
    public void groupexpel(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupexpel");
    }

    @Descriptor(Usage.SHOW)
    public void groupupdate(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupupdate");
    }

    @Descriptor(Usage.SHOW)
    public void groupprotect(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:groupprotect");
    }
}
