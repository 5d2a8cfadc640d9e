package io.cpns.gw.pan;

import io.cpns.api.gateway.KeyStoreAliases;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.log.Logger;

/**
 * The PSK a PN GW shares with a PNE for their secure session (TS §5.3.3.1.1): its LocalEUKey
 * (seed 004 step 6) if it has one, else its pre-assigned key (seed 004 R01).
 *
 * <p>A record that does not read back (a flipped byte, a truncated write) is set aside in the
 * store's quarantine, logged once and reported to {@code cpns:health} with how to recover, while the
 * file stays there (D56). That PNE then has no such key, as if it had never had one; every
 * other PNE is unaffected. Before, such a PNE was refused silently on every attempt.
 */
final class Keys {
    static final String LOCAL_EUKEY = KeyStoreAliases.LOCAL_EUKEY;
    static final String PRE_ASSIGNED = KeyStoreAliases.PRE_ASSIGNED;

    private record Problem(String line, Path file) {
        boolean current() {
            return Files.exists(file);
        }
    }

    private final SecretStore secrets;
    private final Logger log;
    private final List<Problem> problems = new CopyOnWriteArrayList<>();

    Keys(SecretStore secrets, Logger log) {
        this.secrets = secrets;
        this.log = log;
    }

    /** A copy the caller wipes, or empty. Unknown or malformed IDs simply have no key. */
    Optional<byte[]> pskFor(String pneId) {
        Optional<byte[]> lek = read(LOCAL_EUKEY, pneId);
        return lek.isPresent() ? lek : read(PRE_ASSIGNED, pneId);
    }

    /** The record of one PNE's key of one kind; one that does not read back is quarantined and reported. */
    Optional<byte[]> read(String prefix, String pneId) {
        String alias = prefix + pneId;
        try {
            return secrets.get(alias);
        } catch (CorruptSecretException e) {
            quarantine(alias, prefix, pneId, e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty(); // not an alias (a malformed Entity ID): no key
        }
    }

    /** {@code cpns:health}'s lines: records set aside whose file is still in quarantine. */
    List<String> problems() {
        return problems.stream().filter(Problem::current).map(Problem::line).toList();
    }

    private synchronized void quarantine(String alias, String prefix, String pneId, String reason) {
        Optional<String> where;
        try {
            where = secrets.quarantine(alias);
        } catch (RuntimeException e) {
            log.error("{} of PNE {} (secret {}) does not read back ({}) and could not be set aside: {}", what(prefix), pneId, alias,
                    reason, e.toString());
            return;
        }
        if (where.isEmpty()) {
            return; // another handshake set it aside a moment ago
        }
        Path file = Path.of(where.get());
        Path original = file.getParent().getParent().resolve(alias + ".sec");
        String line = what(prefix) + " of PNE " + pneId + " (secret " + alias + ") does not read back (" + reason + "): moved to "
                + file + ". " + (prefix.equals(LOCAL_EUKEY)
                        ? "That PNE cannot secure its link with it (its pre-assigned key is used if it has one). To recover, put a good "
                        + "copy back as " + original + " (read at its next connection), or expel it (gw:expel " + pneId + ") and "
                        + "reset it so that it joins a PN afresh"
                        : "That PNE cannot secure its link with it. To recover, put a good copy back as " + original
                        + " or set the key printed on the device again (gw:preassign " + pneId + " <key>)")
                + "; once seen to, delete " + file + ".";
        problems.add(new Problem(line, file));
        log.error(line);
    }

    private static String what(String prefix) {
        return prefix.equals(LOCAL_EUKEY) ? "The LocalEUKey" : "The pre-assigned key";
    }
}
