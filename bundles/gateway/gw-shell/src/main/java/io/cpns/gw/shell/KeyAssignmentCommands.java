package io.cpns.gw.shell;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.KeyAssignmentService;
import io.cpns.shell.PasswordReader;
import io.cpns.shell.Print;
import io.cpns.shell.Usage;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The user's part of Key Assignment for a PNE without UI (seed 001 §7.x.2), at the set-top box's
 * console: {@code gw:karegister <userId> [key=value ...]} (Subscription & Registration) and
 * {@code gw:onboard <pneId> <userId>} (ID & Password Installation, then the Key Assignment
 * Trigger). The password is typed without echo or read from an owner-only file, never taken from a command line
 * (see {@link PasswordReader}).
 */
@Component(service = KeyAssignmentCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=karegister",
    "osgi.command.function=onboard"})
public class KeyAssignmentCommands {
    private static final String KA = "io.cpns.gw.keyassign";

    // optional and dynamic: with gw-keyassign down the commands say so (Unavailable) before asking for a password
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile KeyAssignmentService service;

    @Descriptor("Register the CPNS User for Key Assignment of PNEs without UI (seed 001 7.x.2.1); the password is typed at "
            + "the prompt without echo, or read from an owner-only file (--password-file), never given as an argument")
    public void karegister(CommandSession session,
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("owner-only file whose first line is the password (unattended use)")
            @Parameter(names = PasswordReader.FILE_OPTION, absentValue = "") String passwordFile,
            @Descriptor("CPNS User ID") String userId,
            @Descriptor("subscription information, key=value") String... subscription) {
        if (help) {
            Usage.print(this, "gw:karegister");
            return;
        }
        Map<String, String> sub = new LinkedHashMap<>();
        for (String kv : subscription) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                // not repeated: a word without '=' may be a password typed as an argument
                throw new IllegalArgumentException("subscription information is key=value; " + PasswordReader.refused(
                        "gw:karegister " + userId).getMessage());
            }
            sub.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        KeyAssignmentService service = this.service;
        if (service == null) {
            Print.result(Unavailable.of("Key Assignment", KA));
            return;
        }
        char[] password = PasswordReader.read(session::get, passwordFile, "password for " + userId + ": ");
        try {
            await(service.register(userId, password.clone(), sub));
        } finally {
            Arrays.fill(password, '\0');
        }
        Print.result(userId + " registered with the CPNS Server for Key Assignment");
    }

    @Descriptor("Give a PNE without UI its EUKey (seed 001 7.x.2.2-3): installs the ID and password, then triggers the "
            + "assignment; the password is typed at the prompt without echo, or read from an owner-only file (--password-file)")
    public void onboard(CommandSession session,
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Descriptor("owner-only file whose first line is the password (unattended use)")
            @Parameter(names = PasswordReader.FILE_OPTION, absentValue = "") String passwordFile,
            @Descriptor("the PNE's Entity ID") String pneId, @Descriptor("CPNS User ID") String userId) {
        if (help) {
            Usage.print(this, "gw:onboard");
            return;
        }
        KeyAssignmentService service = this.service;
        if (service == null) {
            Print.result(Unavailable.of("Key Assignment", KA));
            return;
        }
        char[] password = PasswordReader.read(session::get, passwordFile, "password for " + userId + ": ");
        try {
            await(service.install(pneId, userId, password.clone()));
            await(service.trigger(pneId, userId, password.clone()));
        } finally {
            Arrays.fill(password, '\0'); // also when the installation failed
        }
        Print.result(pneId + " holds its EUKey");
    }

    @Descriptor("Refused: a password is never a command argument (see gw:onboard <pneId> <userId>)")
    public void onboard(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help,
            @Parameter(names = PasswordReader.FILE_OPTION, absentValue = "") String passwordFile,
            @Descriptor("the PNE's Entity ID") String pneId, @Descriptor("CPNS User ID") String userId,
            @Descriptor("refused") String password) {
        throw PasswordReader.refused("gw:onboard " + pneId + " " + userId);
    }

    private static void await(CompletionStage<Void> stage) {
        try {
            stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CpnsException c ? c : new IllegalStateException(String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new CpnsException(ErrorCode.TIMEOUT, "no answer within 60 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CpnsException(ErrorCode.UNAVAILABLE, "interrupted");
        }
    }

    @Descriptor(Usage.SHOW)
    public void karegister(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:karegister");
    }

    @Descriptor(Usage.SHOW)
    public void onboard(
            @Descriptor(Usage.HELP_TEXT) @Parameter(names = {"-h", Usage.HELP}, presentValue = "true", absentValue = "false") boolean help) {
        Usage.print(this, "gw:onboard");
    }
}
