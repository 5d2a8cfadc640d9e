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
import io.cpns.shell.PasswordReader;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
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
    private static final String LINK = "io.cpns.gw.link";

    // optional and dynamic: with gw-link down (a corrupt EUKey, an update) the commands say so (Unavailable) instead of vanishing
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile ServerLink link;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile GatewayEnrolment enrolment;

    @Descriptor("State of the link to the CPNS Server")
    public void link(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:link");
            return;
        }
        ServerLink link = this.link;
        if (link == null) {
            Print.result(Unavailable.of("link to the CPNS Server", LINK));
            return;
        }
        LinkStatus s = link.status();
        Print.result("gateway   " + s.gatewayId()
                + "\nserver    " + s.server()
                + "\nstate     " + s.state() + " since " + s.since()
                + "\nsuite     " + (s.suite().isEmpty() ? "-" : s.suite())
                + "\nsessions  " + s.sessions()
                + "\nEUKey     " + (s.euKeyFingerprint().isEmpty() ? "none (gw:assign <userId>)" : "fingerprint " + s.euKeyFingerprint())
                + link.credentialModule().map(m -> "\nsession through credential module " + m + " (TS 5.3.3.2)").orElse("")
                + (s.lastError().isEmpty() ? "" : "\nlast error " + s.lastError()));
    }

    @Descriptor("Obtain this gateway's EUKey (TS 5.3.1) with the CPNS User's ID and password; the password is typed at "
            + "the prompt without echo, or read from an owner-only file (--password-file), never given as an argument")
    public void assign(CommandSession session,
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("owner-only file whose first line is the password (unattended use)")
            @Parameter(names = PasswordReader.FILE_OPTION, absentValue = "") String passwordFile,
            @Descriptor("CPNS User ID") String userId) {
        if (help) {
            Usage.print(this, "gw:assign");
            return;
        }
        if (enrolment == null) {
            Print.result(Unavailable.of("EUKey assignment", LINK));
            return;
        }
        Print.result(assign(userId, PasswordReader.read(session::get, passwordFile, "password for " + userId + ": ")));
    }

    @Descriptor("Refused: a password is never a command argument (see gw:assign <userId>)")
    public void assign(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Parameter(names = PasswordReader.FILE_OPTION, absentValue = "") String passwordFile,
            @Descriptor("CPNS User ID") String userId, @Descriptor("refused") String password) {
        throw PasswordReader.refused("gw:assign " + userId);
    }

    private String assign(String userId, char[] password) {
        try {
            GatewayEnrolment enrolment = this.enrolment;
            ServerLink link = this.link;
            if (enrolment == null || link == null) {
                return Unavailable.of("EUKey assignment", LINK);
            }
            enrolment.assignEuKey(userId, password.clone()); // wiped by assignEuKey
            return "EUKey assigned (fingerprint " + link.status().euKeyFingerprint() + ")";
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Descriptor("Entities of this gateway's CPNS User, as the Server knows them")
    public void entities(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:entities");
            return;
        }
        if (link == null) {
            Print.result(Unavailable.of("link to the CPNS Server", LINK));
            return;
        }
        StringBuilder s = new StringBuilder();
        for (EntityInfo e : ((EntityList) call(new EntityListRequest())).entities()) {
            s.append(String.format("%-24s %-8s %s%n", e.entityId(), e.kind(), e.userId()));
        }
        Print.result(s.toString());
    }

    @Descriptor("One entity, if it belongs to this gateway's CPNS User (TS 5.3.4)")
    public void entity(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("Entity ID") String entityId) {
        if (help) {
            Usage.print(this, "gw:entity");
            return;
        }
        if (link == null) {
            Print.result(Unavailable.of("link to the CPNS Server", LINK));
            return;
        }
        EntityInfo e = (EntityInfo) call(new EntityInfoRequest(entityId));
        Print.result(e.entityId() + " " + e.kind() + " owned by " + e.userId());
    }

    @Descriptor("Round trip of a protected ping to the Server")
    public void ping(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:ping");
            return;
        }
        if (link == null) {
            Print.result(Unavailable.of("link to the CPNS Server", LINK));
            return;
        }
        long t0 = System.nanoTime();
        call(new Ping(new byte[0]));
        Print.result(String.format("pong from the CPNS Server in %.2f ms", (System.nanoTime() - t0) / 1e6));
    }

    @Descriptor("Drop the connection and reconnect now")
    public void reconnect(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        if (help) {
            Usage.print(this, "gw:reconnect");
            return;
        }
        ServerLink link = this.link;
        if (link == null) {
            Print.result(Unavailable.of("link to the CPNS Server", LINK));
            return;
        }
        link.reconnect();
        Print.result("reconnecting");
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

    @Descriptor(Usage.SHOW)
    public void entity(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:entity");
    }

    @Descriptor(Usage.SHOW)
    public void assign(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:assign");
    }
}
