package io.cpns.api.gateway;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Key Assignment for PNEs without UI, the user's part (seed 001 §7.x.2): the set-top box's own UI
 * application calls this once the user has entered an ID and password. Each call wipes
 * {@code password} before it returns; the password is never stored or logged here.
 * Failures complete the stage with a {@link io.cpns.api.CpnsException} and its code
 * (docs/keyassignment.md §5).
 */
@ProviderType
public interface KeyAssignmentService {
    /** Subscription & Registration (§7.x.2.1): the user's ID, password and subscription information, to the CPNS Server. */
    CompletionStage<Void> register(String userId, char[] password, Map<String, String> subscription);

    /** ID & Password Installation (§7.x.2.2) on a PNE linked here, encrypted with its pre-assigned key (PSK2). */
    CompletionStage<Void> install(String pneId, String userId, char[] password);

    /** Key Assignment Trigger (§7.x.2.3): completes once the PNE holds its EUKey. */
    CompletionStage<Void> trigger(String pneId, String userId, char[] password);
}
