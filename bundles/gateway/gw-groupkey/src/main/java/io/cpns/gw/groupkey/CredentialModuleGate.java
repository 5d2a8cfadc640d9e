package io.cpns.gw.groupkey;

import io.cpns.api.gateway.ServerLink;
import java.util.List;
import java.util.Optional;
import org.osgi.service.log.Logger;

/**
 * TS §5.3.3.2 condition 2 as a fact, not a setting: {@code credentialModule=true} asks for the
 * exemption, which applies only while the Server link's session was established with a credential
 * module that is present and holds the EUKey ({@link ServerLink#credentialModule()}). The setting
 * alone is refused: one log line each time the outcome changes, and a line in {@code cpns:health}
 * while it is refused.
 */
final class CredentialModuleGate {
    private final boolean requested;
    private final Logger log;
    private Boolean lastApplied; // guarded by this

    CredentialModuleGate(boolean requested, Logger log) {
        this.requested = requested;
        this.log = log;
    }

    /** Whether condition 2 holds now (and the operator asked for the exemption). */
    boolean applies(ServerLink link) {
        if (!requested) {
            return false;
        }
        Optional<String> module = inUse(link);
        report(module);
        return module.isPresent();
    }

    /** The refusal while {@code credentialModule=true} is not backed by a module in use. */
    List<String> problems(ServerLink link) {
        if (!requested) {
            return List.of();
        }
        Optional<String> module = inUse(link);
        report(module);
        return module.isPresent() ? List.of() : List.of(refusal());
    }

    private static Optional<String> inUse(ServerLink link) {
        try {
            return link == null ? Optional.empty() : link.credentialModule();
        } catch (RuntimeException e) { // the link going away under us: not in use
            return Optional.empty();
        }
    }

    private synchronized void report(Optional<String> module) {
        boolean applied = module.isPresent();
        if (lastApplied != null && lastApplied == applied) {
            return;
        }
        lastApplied = applied;
        if (applied) {
            log.info("credentialModule=true: the PN GW's session with the CPNS Server uses credential module {}; messages to a Service "
                    + "Group may go without Group Key protection to members on a secure PAN (TS 5.3.3.2)", module.get());
        } else {
            log.warn(refusal());
        }
    }

    private static String refusal() {
        return "credentialModule=true refused: no credential module is in use with the CPNS Server (install and configure one, e.g. "
                + "cpns.gw.credential.pkcs11, holding the EUKey, and let the link authenticate with it), so every message to a Service "
                + "Group keeps its Group Key protection (TS 5.3.3.2 condition 2)";
    }
}
