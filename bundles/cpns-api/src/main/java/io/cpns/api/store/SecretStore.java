package io.cpns.api.store;

import java.util.Optional;
import java.util.Set;

/**
 * Named secrets (EUKey, LocalEUKeys, Group Keys) kept encrypted at rest. Writes are atomic: after
 * a crash a secret is either the old value or the new one, never a mix. The store lives in its own
 * bundle so that updating any bundle that uses it keeps the keys (hot swap).
 *
 * <p>Returned arrays are copies: the caller wipes them ({@code Arrays.fill(k, (byte) 0)}) when done.
 */
public interface SecretStore {
    /** Aliases are 1..128 characters of {@code [A-Za-z0-9._:@-]}. */
    Optional<byte[]> get(String alias);

    /** Stores a copy of {@code secret}, replacing any previous value atomically. */
    void put(String alias, byte[] secret);

    /** @return true if the alias existed */
    boolean delete(String alias);

    /** Aliases starting with {@code prefix}. */
    Set<String> aliases(String prefix);
}
