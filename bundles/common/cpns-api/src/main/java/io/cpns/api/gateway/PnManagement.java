package io.cpns.api.gateway;

import io.cpns.api.message.SetupType;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/** PN GW initiated PN Establishment (seed 004 §5.2.1.2) and operator actions on PNs. */
@ProviderType
public interface PnManagement {
    /**
     * Establishes a PN with the connected PNEs ({@code ALL}) or the listed ones ({@code INVITE}).
     * Completes with the registered PN, or fails ({@code AUTH_FAILED} when no PNE authenticated).
     */
    CompletionStage<PnRecord> establish(SetupType type, List<String> invitees);

    /**
     * Removes a PNE from every PN, deletes its LocalEUKey, closes its links, tells every
     * {@link PneExpelListener} (its Group Keys and broker access end here at once) and the Server
     * (which removes it from every Service Group with a new Group Key, TS §5.3.2).
     */
    boolean expel(String pneId);
}
