package io.cpns.api.health;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A part of the runtime that knows of a problem bundle and component states cannot show: a PAN
 * adapter that could not bind its port, a secret file that no longer decrypts, a store that stays
 * behind the Server. {@code cpns-health} collects every registered contributor into its report; the
 * runtime is not READY while any of them reports a problem.
 *
 * <p>Register it with the service properties {@link HealthChecks#NAME} (what it checks, e.g. "Server link")
 * and {@link HealthChecks#TAGS} ({@code cpns}, {@code readiness}, and {@code liveness} when a restart may
 * cure its problem); without tags it counts for readiness.
 *
 * <p>Called on the caller's thread of {@link Health#report()} (the {@code cpns-health} thread, a
 * shell command, a test): must not block and must be cheap, so keep the state ready and return it.
 */
@ConsumerType
public interface HealthContributor {
    /**
     * One line per current problem: what is wrong, where (component, port, file) and how an
     * operator recovers. Empty when all is well. Never a secret.
     */
    List<String> problems();
}
