package io.cpns.gw.shell;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.KeyAssignmentService;
import java.io.Console;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The user's part of Key Assignment for a PNE without UI (seed 001 §7.x.2), at the set-top box's
 * console: {@code gw:kaRegister <userId> [key=value ...]} (Subscription & Registration) and
 * {@code gw:onboard <pneId> <userId>} (ID & Password Installation, then the Key Assignment
 * Trigger). The password is read without echo and never appears in a command line or a log.
 */
@Component(service = KeyAssignmentCommands.class, property = {
    "osgi.command.scope=gw",
    "osgi.command.function=kaRegister",
    "osgi.command.function=onboard"})
public class KeyAssignmentCommands {
    private static final String KA = "gw-keyassign";

    // optional and dynamic: with gw-keyassign down the commands say so (Unavailable) before asking for a password
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile KeyAssignmentService service;

    @Descriptor("Register the CPNS User for Key Assignment of PNEs without UI (seed 001 7.x.2.1); the password is read without echo")
    public String kaRegister(@Descriptor("CPNS User ID") String userId, @Descriptor("subscription information, key=value") String... subscription) {
        Map<String, String> sub = new LinkedHashMap<>();
        for (String kv : subscription) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("subscription information is key=value, not " + kv);
            }
            sub.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        KeyAssignmentService service = this.service;
        if (service == null) {
            return Unavailable.of("Key Assignment", KA);
        }
        await(service.register(userId, password(userId), sub));
        return userId + " registered with the CPNS Server for Key Assignment";
    }

    @Descriptor("Give a PNE without UI its EUKey (seed 001 7.x.2.2-3): installs the ID and password, then triggers the assignment")
    public String onboard(@Descriptor("the PNE's Entity ID") String pneId, @Descriptor("CPNS User ID") String userId) {
        KeyAssignmentService service = this.service;
        if (service == null) {
            return Unavailable.of("Key Assignment", KA);
        }
        char[] password = password(userId);
        try {
            await(service.install(pneId, userId, password.clone()));
            await(service.trigger(pneId, userId, password.clone()));
        } finally {
            java.util.Arrays.fill(password, '\0'); // also when the installation failed
        }
        return pneId + " holds its EUKey";
    }

    private static char[] password(String userId) {
        Console c = System.console();
        if (c == null) {
            throw new IllegalStateException("no console to read the password from without echo: run the gateway in a terminal");
        }
        return c.readPassword("password for %s: ", userId);
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
}
