package io.cpns.gw.groupkey;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.store.CorruptSecretException;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.osgi.service.log.Logger;

/**
 * The group stores' records in the secret store ({@code gk.}, {@code gt.}), one per Service Group,
 * so that one bad record or one failed write costs that record, never the component:
 * <ul>
 * <li>a record that does not read back (a flipped byte, a torn write) is set aside
 * ({@link SecretStore#quarantine}), reported, and its group resynced from the Server; the others
 * load as before;</li>
 * <li>a record the store cannot write (a full disk) stays here, in force, and is written again
 * every retry until it is; a restart meanwhile loses nothing the Server cannot give again
 * ({@code group.sync.req}).</li>
 * </ul>
 * Either stays in {@code cpns:health} until a good copy of the record is on disk.
 */
final class Records {
    /** A problem an operator sees until the record is written again. */
    private record Problem(String what, boolean quarantined, String line, Instant since) {
    }

    private final SecretStore secrets;
    private final Logger log;
    private final Duration retry;
    private final Map<String, byte[]> unwritten = new LinkedHashMap<>();
    private final Map<String, Problem> problems = new LinkedHashMap<>();
    private volatile Consumer<String> onQuarantine = alias -> { };

    Records(SecretStore secrets, Logger log, Duration retry) {
        this.secrets = secrets;
        this.log = log;
        this.retry = retry;
    }

    /** Told of each record set aside (by alias): its group is to be resynced. */
    void onQuarantine(Consumer<String> listener) {
        onQuarantine = listener;
    }

    /**
     * The record, decoded; empty if there is none, or it did not read back (then it is quarantined).
     * A record not yet written is read from here.
     */
    <T> Optional<T> read(String alias, String what, Function<byte[], T> decode) {
        byte[] bytes;
        synchronized (this) {
            byte[] held = unwritten.get(alias);
            if (held != null) {
                byte[] copy = held.clone();
                try {
                    return Optional.of(decode.apply(copy));
                } finally {
                    Bytes.wipe(copy);
                }
            }
            try {
                bytes = secrets.get(alias).orElse(null);
            } catch (CpnsException e) {
                if (!unreadable(e)) {
                    throw e;
                }
                quarantine(alias, what, e.getMessage());
                return Optional.empty();
            }
        }
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode.apply(bytes));
        } catch (CpnsException e) { // it decrypts, but is no such record
            synchronized (this) {
                quarantine(alias, what, e.getMessage());
            }
            return Optional.empty();
        } finally {
            Bytes.wipe(bytes);
        }
    }

    /**
     * Writes the record (the caller wipes {@code bytes}); if the store cannot, keeps a copy here and
     * writes it at the next retry.
     *
     * @return whether it is on disk now
     */
    synchronized boolean write(String alias, String what, byte[] bytes) {
        try {
            secrets.put(alias, bytes);
        } catch (RuntimeException e) {
            byte[] old = unwritten.put(alias, bytes.clone());
            if (old != null) {
                Bytes.wipe(old);
                return false; // said already when the first write failed
            }
            String why = rootCause(e);
            log.warn("{} {} not written to the keystore: {}. It is in force here and written again every {} s until it is; "
                    + "cpns:health shows it meanwhile", what, alias, why, retry.toSeconds());
            problems.put(alias, new Problem(what, false, what + " " + alias + " not written to the keystore (" + why + "): in force in memory, "
                    + "written again every " + retry.toSeconds() + " s; free space on the keystore's disk", Instant.now()));
            return false;
        }
        written(alias, what);
        return true;
    }

    synchronized void delete(String alias) {
        byte[] old = unwritten.remove(alias);
        if (old != null) {
            Bytes.wipe(old);
        }
        problems.remove(alias);
        secrets.delete(alias);
    }

    /** On disk or held here. */
    synchronized Set<String> aliases(String prefix) {
        Set<String> all = new TreeSet<>(secrets.aliases(prefix));
        unwritten.keySet().stream().filter(a -> a.startsWith(prefix)).forEach(all::add);
        return all;
    }

    /** Writes what could not be written before; the rest waits for the next retry. */
    synchronized void retry() {
        for (var it = unwritten.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            try {
                secrets.put(e.getKey(), e.getValue());
            } catch (RuntimeException stillNot) {
                continue;
            }
            Bytes.wipe(e.getValue());
            it.remove();
            Problem p = problems.get(e.getKey());
            written(e.getKey(), p == null ? "record" : p.what());
        }
    }

    synchronized List<String> problems() {
        List<String> out = new ArrayList<>();
        problems.values().forEach(p -> out.add("gw-groupkey: " + p.line() + " (since " + p.since() + ")"));
        return out;
    }

    /** Its quarantine, if any, is over: a good copy is on disk. */
    private void written(String alias, String what) {
        Problem p = problems.remove(alias);
        if (p == null) {
            return;
        }
        long after = Duration.between(p.since(), Instant.now()).toSeconds();
        if (p.quarantined()) {
            log.info("{} {}, quarantined {} s ago as unreadable, is resynced from the CPNS Server and on disk again", what, alias, after);
        } else {
            log.info("{} {} written to the keystore, {} s after its first write failed", what, alias, after);
        }
    }

    private void quarantine(String alias, String what, String why) {
        String where;
        try {
            where = secrets.quarantine(alias).map(w -> "moved to " + w).orElse("deleted, this keystore keeps no copy");
        } catch (RuntimeException e) {
            where = "could not be moved aside (" + rootCause(e) + ")";
        }
        String group = alias.substring(alias.indexOf('.') + 1);
        log.warn("{} {} does not read back ({}): quarantined ({}). The other Service Groups are unaffected; {} is resynced from the "
                + "CPNS Server (group.sync.req) now or when the link is next up. If cpns:health keeps showing it, check gw:link",
                what, alias, why, where, group);
        problems.put(alias, new Problem(what, true, what + " " + alias + " was unreadable and is quarantined (" + where + "): waiting for "
                + group + " to be resynced from the CPNS Server (check gw:link)", Instant.now()));
        onQuarantine.accept(alias);
    }

    /** The store says it does not read back; a store of another make may only say INTERNAL. */
    static boolean unreadable(CpnsException e) {
        return e instanceof CorruptSecretException || e.code() == ErrorCode.INTERNAL;
    }

    /** What the operating system said, e.g. "/var/lib/cpns/keystore/gk.sg-1.sec.tmp: No space left on device". */
    static String rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null || m.isBlank() ? c.getClass().getSimpleName() : m;
    }
}
