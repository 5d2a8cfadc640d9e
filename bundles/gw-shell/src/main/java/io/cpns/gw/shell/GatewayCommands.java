package io.cpns.gw.shell;

import io.cpns.api.CpnsException;
import io.cpns.api.gateway.GatewayEnrolment;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.EntityInfo;
import io.cpns.api.message.EntityInfoRequest;
import io.cpns.api.message.EntityList;
import io.cpns.api.message.EntityListRequest;
import io.cpns.api.message.Message;
import io.cpns.api.message.Ping;
import java.io.Console;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** Operator commands of the PN GW: {@code gw:link|assign|entities|entity|ping|reconnect}. */
@Component(service = GatewayCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=link",
    "osgi.command.function=assign",
    "osgi.command.function=entities",
    "osgi.command.function=entity",
    "osgi.command.function=ping",
    "osgi.command.function=reconnect"})
public class GatewayCommands {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String LINK = "gw-link";

    // optional and dynamic: with gw-link down (a corrupt EUKey, an update) the commands say so (Unavailable) instead of vanishing
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink link;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile GatewayEnrolment enrolment;

    @Descriptor("State of the link to the CPNS Server")
    public String link() {
        ServerLink link = this.link;
        if (link == null) {
            return Unavailable.of("link to the CPNS Server", LINK);
        }
        LinkStatus s = link.status();
        return "gateway   " + s.gatewayId()
                + "\nserver    " + s.server()
                + "\nstate     " + s.state() + " since " + s.since()
                + "\nsuite     " + (s.suite().isEmpty() ? "-" : s.suite())
                + "\nsessions  " + s.sessions()
                + "\nEUKey     " + (s.euKeyFingerprint().isEmpty() ? "none (gw:assign <userId>)" : "fingerprint " + s.euKeyFingerprint())
                + link.credentialModule().map(m -> "\nsession through credential module " + m + " (TS 5.3.3.2)").orElse("")
                + (s.lastError().isEmpty() ? "" : "\nlast error " + s.lastError());
    }

    @Descriptor("Obtain this gateway's EUKey (TS 5.3.1); the password is read from the console without echo")
    public String assign(@Descriptor("CPNS User ID") String userId) {
        if (enrolment == null) {
            return Unavailable.of("EUKey assignment", LINK);
        }
        Console c = System.console();
        if (c == null) {
            throw new IllegalStateException("no console to read the password from: use gw:assign <userId> <password>");
        }
        return assign(userId, c.readPassword("password for %s: ", userId));
    }

    @Descriptor("Obtain this gateway's EUKey (TS 5.3.1)")
    public String assign(@Descriptor("CPNS User ID") String userId, @Descriptor("password") String password) {
        return assign(userId, password.toCharArray());
    }

    private String assign(String userId, char[] password) {
        GatewayEnrolment enrolment = this.enrolment;
        ServerLink link = this.link;
        if (enrolment == null || link == null) {
            java.util.Arrays.fill(password, '\0');
            return Unavailable.of("EUKey assignment", LINK);
        }
        enrolment.assignEuKey(userId, password);
        return "EUKey assigned (fingerprint " + link.status().euKeyFingerprint() + ")";
    }

    @Descriptor("Entities of this gateway's CPNS User, as the Server knows them")
    public String entities() {
        if (link == null) {
            return Unavailable.of("link to the CPNS Server", LINK);
        }
        StringBuilder s = new StringBuilder();
        for (EntityInfo e : ((EntityList) call(new EntityListRequest())).entities()) {
            s.append(String.format("%-24s %-8s %s%n", e.entityId(), e.kind(), e.userId()));
        }
        return s.toString();
    }

    @Descriptor("One entity, if it belongs to this gateway's CPNS User (TS 5.3.4)")
    public String entity(@Descriptor("Entity ID") String entityId) {
        if (link == null) {
            return Unavailable.of("link to the CPNS Server", LINK);
        }
        EntityInfo e = (EntityInfo) call(new EntityInfoRequest(entityId));
        return e.entityId() + " " + e.kind() + " owned by " + e.userId();
    }

    @Descriptor("Round trip of a protected ping to the Server")
    public String ping() {
        if (link == null) {
            return Unavailable.of("link to the CPNS Server", LINK);
        }
        long t0 = System.nanoTime();
        call(new Ping(new byte[0]));
        return String.format("pong from the CPNS Server in %.2f ms", (System.nanoTime() - t0) / 1e6);
    }

    @Descriptor("Drop the connection and reconnect now")
    public String reconnect() {
        ServerLink link = this.link;
        if (link == null) {
            return Unavailable.of("link to the CPNS Server", LINK);
        }
        link.reconnect();
        return "reconnecting";
    }

    private Message call(Message request) {
        ServerLink link = this.link;
        if (link == null) {
            throw new CpnsException(io.cpns.api.ErrorCode.UNAVAILABLE, "bundle " + LINK + " is not running (see cpns:health)");
        }
        try {
            return link.request(request, TIMEOUT).toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof CpnsException c) {
                throw c;
            }
            throw e;
        }
    }
}
