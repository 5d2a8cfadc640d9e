package io.cpns.api.store;

import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Named secrets (EUKey, LocalEUKeys, Group Keys) kept encrypted at rest. Writes are atomic: after
 * a crash a secret is either the old value or the new one, never a mix. The store lives in its own
 * bundle so that updating any bundle that uses it keeps the keys (hot swap).
 *
 * <p>Returned arrays are copies: the caller wipes them ({@code Arrays.fill(k, (byte) 0)}) when done.
 */
@ProviderType
public interface SecretStore {
    /**
     * Aliases are 1..128 characters of {@code [A-Za-z0-9._:@-]}.
     *
     * @throws CorruptSecretException if the secret exists but cannot be read back
     */
    Optional<byte[]> get(String alias);

    /** Stores a copy of {@code secret}, replacing any previous value atomically. */
    void put(String alias, byte[] secret);

    /** @return true if the alias existed */
    boolean delete(String alias);

    /** Aliases starting with {@code prefix}. */
    Set<String> aliases(String prefix);

    /**
     * Sets a secret that no longer reads back aside, so the alias is free and the rest of the store
     * keeps working, while the bytes stay for an operator to inspect or restore.
     *
     * @return where the record now is (for the log and health), or empty if the alias did not exist
     *         or this store cannot keep a copy (then the record is simply deleted)
     */
    default Optional<String> quarantine(String alias) {
        delete(alias);
        return Optional.empty();
    }
}
