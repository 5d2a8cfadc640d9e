package io.cpns.server.store;

import io.cpns.api.EntityId;
import io.cpns.api.UserId;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Key Assignment registrations (seed 001 §7.x.2.1.2, schema version 6): per CPNS User, the
 * password hash of each crypto suite, sealed by the caller, and the subscription information.
 */
@ProviderType
public interface KeyAssignmentStore {
    /** What a Subscription & Registration stored. */
    record Registration(UserId user, Map<String, String> subscription, EntityId gateway, Instant at) {
    }

    /** Replaces the user's registration and every sealed password hash, atomically. */
    void register(UserId user, Map<String, byte[]> sealedHashBySuite, Map<String, String> subscription, EntityId gateway, Instant at);

    Optional<byte[]> sealedPasswordHash(UserId user, String suite);

    Optional<Registration> registration(UserId user);

    /**
     * Deletes every user's password hash of a suite not in {@code kept} (a suite the Server no
     * longer accepts: what it does not use it does not keep, issue 12 §6).
     *
     * @return how many hashes went
     * @since 1.4
     */
    int deletePasswordHashesExcept(Set<String> kept);
}
