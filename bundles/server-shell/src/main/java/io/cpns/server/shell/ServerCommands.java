package io.cpns.server.shell;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import io.cpns.api.server.EntityRecord;
import io.cpns.api.CpnsException;
import io.cpns.api.server.EntityRegistry;
import io.cpns.api.server.GroupRegistry;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.api.server.ServiceGroup;
import io.cpns.api.server.SessionInfo;
import io.cpns.api.server.UserRegistry;
import java.io.Console;
import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
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
    public String status() {
        return "server " + endpoint.serverId() + " listening on " + endpoint.listenAddress()
                + endpoint.generatedOperatorCa().map(p -> "\noperator CA (give to gateways): " + p).orElse("")
                + "\nconnections: " + endpoint.sessions().size() + ", users: " + users.list().size()
                + ", entities: " + entities.list().size();
    }

    @Descriptor("List CPNS Users")
    public List<String> users() {
        return users.list().stream().map(UserId::value).toList();
    }

    @Descriptor("Register a CPNS User; without a password argument, it is read from the console without echo")
    public String useradd(@Descriptor("User ID") String userId) {
        Console c = System.console();
        if (c == null) {
            throw new IllegalStateException("no console to read the password from: use server:useradd <userId> <password>");
        }
        users.register(UserId.of(userId), c.readPassword("password for %s: ", userId)); // wiped by register
        return "CPNS User " + userId + " registered";
    }

    @Descriptor("Register a CPNS User")
    public String useradd(@Descriptor("User ID") String userId, @Descriptor("password") String password) {
        users.register(UserId.of(userId), password.toCharArray());
        return "CPNS User " + userId + " registered";
    }

    @Descriptor("List entities with their owner and EUKey fingerprint")
    public String entities() {
        return format(entities.list());
    }

    @Descriptor("List the entities of one CPNS User")
    public String entities(@Descriptor("User ID") String userId) {
        return format(entities.listByOwner(UserId.of(userId)));
    }

    @Descriptor("Remove an entity and its EUKey, closing its sessions (to re-enrol a replaced or reset device); "
            + "a PNE first leaves every Service Group, each with a new Group Key")
    public String entityremove(@Descriptor("Entity ID") String entityId) {
        EntityId id = EntityId.of(entityId);
        if (entities.find(id).isEmpty()) {
            return "no entity " + entityId;
        }
        // TS §5.3.2: a PNE that leaves a group must not read what comes after; a removed one is no exception
        GroupRegistry groups = this.groups;
        if (groups == null) {
            return "entity " + entityId + " not removed: the Service Groups component (server-groups) is not running, "
                    + "so it could not leave its groups; try again once it is";
        }
        List<String> left = new ArrayList<>();
        for (ServiceGroup g : groups.groupsOf(id)) {
            try {
                left.add(g.groupId() + " (Group Key epoch " + groups.expel(g.groupId(), id).epoch() + ")");
            } catch (CpnsException e) {
                return "entity " + entityId + " not removed: it could not leave Service Group " + g.groupId() + " (" + e.code() + " "
                        + e.getMessage() + ")" + (left.isEmpty() ? "" : "; it left " + String.join(", ", left)) + "; try again";
            }
        }
        if (!entities.remove(id)) {
            return "no entity " + entityId;
        }
        int closed = endpoint.disconnect(id);
        return "entity " + entityId + " removed" + (left.isEmpty() ? "" : ", out of Service Group(s) " + String.join(", ", left))
                + (closed > 0 ? ", " + closed + " session(s) closed" : "");
    }

    @Descriptor("Live connections")
    public String sessions() {
        StringBuilder s = new StringBuilder(String.format("%-20s %-12s %-24s %-12s %-10s %8s %8s%n",
                "ENTITY", "USER", "REMOTE", "TLS", "SUITE", "IN", "OUT"));
        for (SessionInfo i : endpoint.sessions()) {
            s.append(String.format("%-20s %-12s %-24s %-12s %-10s %8d %8d%n", dash(i.entityId()), dash(i.userId()), i.remote(),
                    i.tlsMode(), dash(i.suite()), i.messagesIn(), i.messagesOut()));
        }
        return s.toString();
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
}
