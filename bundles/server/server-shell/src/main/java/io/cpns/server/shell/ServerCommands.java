package io.cpns.server.shell;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.ServiceGroup;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.UserRegistry;
import io.cpns.shell.PasswordReader;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** Operator commands of the reference CPNS Server: {@code server:status|users|useradd|entities|entityremove|sessions}. */
@Component(service = ServerCommands.class, property = {
    "osgi.command.scope=server",
    "osgi.command.function=status",
    "osgi.command.function=users",
    "osgi.command.function=useradd",
    "osgi.command.function=entities",
    "osgi.command.function=entityremove",
    "osgi.command.function=sessions"})
public class ServerCommands {
    private final UserRegistry users;
    private final EntityRegistry entities;
    private final ServerEndpoint endpoint;

    // optional and dynamic: server-groups references the registries this component does
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile GroupRegistry groups;

    @Activate
    public ServerCommands(@Reference(name = "users") UserRegistry users, @Reference(name = "entities") EntityRegistry entities,
                          @Reference(name = "endpoint") ServerEndpoint endpoint) {
        this.users = users;
        this.entities = entities;
        this.endpoint = endpoint;
    }

    @Descriptor("Server identity, address, operator CA file, connection count")
    public void status(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:status");
            return;
        }
        Print.result("server " + endpoint.serverId() + " listening on " + endpoint.listenAddress()
                + endpoint.generatedOperatorCa().map(p -> "\noperator CA (give to gateways): " + p).orElse("")
                + "\nconnections: " + endpoint.sessions().size() + ", users: " + users.list().size()
                + ", entities: " + entities.list().size());
    }

    @Descriptor("List CPNS Users")
    public void users(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:users");
            return;
        }
        Print.result(String.join("\n", users.list().stream().map(UserId::value).toList()));
    }

    @Descriptor("Register a CPNS User; the password is typed at the prompt without echo, or read from an owner-only file "
            + "(--password-file), never given as an argument")
    public void useradd(CommandSession session,
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("owner-only file whose first line is the password (unattended use)")
            @Parameter(names = PasswordReader.FILE_OPTION, absentValue = "") String passwordFile,
            @Descriptor("User ID") String userId) {
        if (help) {
            Usage.print(this, "server:useradd");
            return;
        }
        UserId user = UserId.of(userId); // a malformed ID is refused before the password is asked for
        users.register(user, PasswordReader.read(session::get, passwordFile, "password for " + userId + ": ")); // wiped by register
        Print.result("CPNS User " + userId + " registered");
    }

    @Descriptor("Refused: a password is never a command argument (see server:useradd <userId>)")
    public void useradd(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Parameter(names = PasswordReader.FILE_OPTION, absentValue = "") String passwordFile,
            @Descriptor("User ID") String userId, @Descriptor("refused") String password) {
        throw PasswordReader.refused("server:useradd " + userId);
    }

    @Descriptor("List entities with their owner and EUKey fingerprint")
    public void entities(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:entities");
            return;
        }
        Print.result(format(entities.list()));
    }

    @Descriptor("List the entities of one CPNS User")
    public void entities(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("User ID") String userId) {
        if (help) {
            Usage.print(this, "server:entities");
            return;
        }
        Print.result(format(entities.listByOwner(UserId.of(userId))));
    }

    @Descriptor("Remove an entity and its EUKey, closing its sessions (to re-enrol a replaced or reset device); "
            + "a PNE first leaves every Service Group, each with a new Group Key")
    public void entityremove(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("Entity ID") String entityId) {
        if (help) {
            Usage.print(this, "server:entityremove");
            return;
        }
        EntityId id = EntityId.of(entityId);
        if (entities.find(id).isEmpty()) {
            Print.result("no entity " + entityId);
            return;
        }
        // TS §5.3.2: a PNE that leaves a group must not read what comes after; a removed one is no exception
        GroupRegistry groups = this.groups;
        if (groups == null) {
            Print.result("entity " + entityId + " not removed: the Service Groups component (server-groups) is not running, "
                    + "so it could not leave its groups; try again once it is");
            return;
        }
        List<String> left = new ArrayList<>();
        for (ServiceGroup g : groups.groupsOf(id)) {
            try {
                left.add(g.groupId() + " (Group Key epoch " + groups.expel(g.groupId(), id).epoch() + ")");
            } catch (CpnsException e) {
                Print.result("entity " + entityId + " not removed: it could not leave Service Group " + g.groupId() + " (" + e.code() + " "
                        + e.getMessage() + ")" + (left.isEmpty() ? "" : "; it left " + String.join(", ", left)) + "; try again");
                return;
            }
        }
        if (!entities.remove(id)) {
            Print.result("no entity " + entityId);
            return;
        }
        int closed = endpoint.disconnect(id);
        Print.result("entity " + entityId + " removed" + (left.isEmpty() ? "" : ", out of Service Group(s) " + String.join(", ", left))
                + (closed > 0 ? ", " + closed + " session(s) closed" : ""));
    }

    @Descriptor("Live connections")
    public void sessions(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "server:sessions");
            return;
        }
        StringBuilder s = new StringBuilder(String.format("%-20s %-12s %-24s %-12s %-10s %8s %8s%n",
                "ENTITY", "USER", "REMOTE", "TLS", "SUITE", "IN", "OUT"));
        for (SessionInfo i : endpoint.sessions()) {
            s.append(String.format("%-20s %-12s %-24s %-12s %-10s %8d %8d%n", dash(i.entityId()), dash(i.userId()), i.remote(),
                    i.tlsMode(), dash(i.suite()), i.messagesIn(), i.messagesOut()));
        }
        Print.result(s.toString());
    }

    private static String format(List<EntityRecord> list) {
        StringBuilder s = new StringBuilder(String.format("%-24s %-8s %-16s %-17s %-25s %s%n", "ENTITY", "KIND", "USER",
                "EUKEY FP", "ASSIGNED", "CONFIRMED (first use)"));
        for (EntityRecord r : list) {
            s.append(String.format("%-24s %-8s %-16s %-17s %-25s %s%n", r.id(), r.kind(), r.owner(), r.euKeyFingerprint(),
                    r.assignedAt(), r.confirmed() ? r.confirmedAt() : "not yet"));
        }
        return s.toString();
    }

    private static String dash(String s) {
        return s.isEmpty() ? "-" : s;
    }

    @Descriptor(Usage.SHOW)
    public void entityremove(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:entityremove");
    }

    @Descriptor(Usage.SHOW)
    public void useradd(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "server:useradd");
    }
}
