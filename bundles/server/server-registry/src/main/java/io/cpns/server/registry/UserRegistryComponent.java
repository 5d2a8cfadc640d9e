package io.cpns.server.registry;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.FailureLimiter;
import io.cpns.api.LogThrottle;
import io.cpns.api.Strings;
import io.cpns.api.UserId;
import io.cpns.api.server.UserRegistry;
import io.cpns.crypto.Bytes;
import io.cpns.server.store.ServerStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** CPNS Users: registered before any EUKey assignment (TS §5.3.1); passwords kept as Argon2id hashes. */
@Component(configurationPid = "cpns.server.users", immediate = true)
@Designate(ocd = UserRegistryComponent.Config.class)
public class UserRegistryComponent implements UserRegistry {
    @ObjectClassDefinition(name = "CPNS Server users", description = "CPNS User registration and password checks.")
    public @interface Config {
        @AttributeDefinition(description = "Argon2id memory in KiB (RFC 9106 / OWASP: 19456 or more)")
        int argon2MemoryKiB() default 19456;

        @AttributeDefinition(description = "Argon2id iterations")
        int argon2Iterations() default 2;

        @AttributeDefinition(description = "Argon2id lanes")
        int argon2Parallelism() default 1;

        @AttributeDefinition(description = "Shortest password accepted at registration")
        int minPasswordLength() default 8;

        @AttributeDefinition(description = "Password checks (Argon2id, argon2MemoryKiB of heap each) running at once; "
                + "0 = as many as there are processors, but no more than a quarter of the max heap holds")
        int maxConcurrentChecks() default 0;

        @AttributeDefinition(description = "How long an attempt waits for a check to free up before it is refused BUSY (ms)")
        int checkQueueMillis() default 2000;

        @AttributeDefinition(description = "Failed attempts for one CPNS User (known or not) before its attempts must wait")
        int userFailuresBeforeBackoff() default 5;

        @AttributeDefinition(description = "Failed attempts from one source (a bootstrap connection's address, for a PNE's "
                + "tunnel its PN GW's; a PN GW relaying Key Assignment registrations) before its attempts must wait")
        int sourceFailuresBeforeBackoff() default 20;

        @AttributeDefinition(description = "First wait after the free failures (ms); each further failure doubles it. "
                + "Attempts during a wait are refused RATE_LIMITED without being checked")
        int backoffInitialMillis() default 1000;

        @AttributeDefinition(description = "Longest wait (ms); a user or source quiet this long after its wait starts afresh")
        int backoffMaxMillis() default 300000;
    }

    /** Users and sources remembered by each limiter: far above an honest population, a few MiB at most. */
    static final int LIMITER_KEYS = 10_000;

    private final ServerStore store;
    private final Logger log;
    private final PasswordHasher hasher;
    private final int minPasswordLength;
    /** Verified when the user is unknown, so both failures take the same time. */
    private final String decoyHash;
    private final PasswordGate gate;
    /** Refusals are logged per source: an attacker cannot flood the log with them. */
    private final LogThrottle refusals;

    @Activate
    public UserRegistryComponent(@Reference ServerStore store, @Reference(service = LoggerFactory.class) Logger log,
                                 Config config) {
        this(store, log, config, Clock.systemUTC());
    }

    UserRegistryComponent(ServerStore store, Logger log, Config config, Clock clock) {
        if (config.checkQueueMillis() < 0 || config.userFailuresBeforeBackoff() < 0 || config.sourceFailuresBeforeBackoff() < 0
                || config.backoffInitialMillis() < 0 || config.backoffMaxMillis() < config.backoffInitialMillis()) {
            throw new IllegalArgumentException("checkQueueMillis, *FailuresBeforeBackoff, backoffInitialMillis >= 0 "
                    + "and backoffMaxMillis >= backoffInitialMillis");
        }
        this.store = store;
        this.log = log;
        this.hasher = new PasswordHasher(config.argon2MemoryKiB(), config.argon2Iterations(), config.argon2Parallelism());
        this.minPasswordLength = config.minPasswordLength();
        this.decoyHash = hasher.hash("decoy password for unknown users".toCharArray());
        Duration base = Duration.ofMillis(config.backoffInitialMillis());
        Duration max = Duration.ofMillis(config.backoffMaxMillis());
        int permits = PasswordGate.permitsFor(config.maxConcurrentChecks(), Runtime.getRuntime().maxMemory(), config.argon2MemoryKiB(),
                Runtime.getRuntime().availableProcessors());
        this.gate = new PasswordGate(permits, Duration.ofMillis(config.checkQueueMillis()),
                new FailureLimiter(config.userFailuresBeforeBackoff(), base, max, LIMITER_KEYS, clock),
                new FailureLimiter(config.sourceFailuresBeforeBackoff(), base, max, LIMITER_KEYS, clock));
        this.refusals = new LogThrottle(5, Duration.ofMinutes(1), 1000, clock);
        log.info("password checks: at most {} at once (Argon2id {} KiB each, max heap {} MiB), back-off after {} failures per "
                        + "user and {} per source", permits, config.argon2MemoryKiB(), Runtime.getRuntime().maxMemory() >> 20,
                config.userFailuresBeforeBackoff(), config.sourceFailuresBeforeBackoff());
    }

    @Override
    public void register(UserId user, char[] password) {
        try {
            if (password == null || password.length < minPasswordLength) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "password must have at least " + minPasswordLength + " characters");
            }
            char[] pw = password;
            store.insertUser(user, gate.withPermit(() -> hasher.hash(pw)));
            log.info("CPNS User {} registered", user);
        } finally {
            Bytes.wipe(password);
        }
    }

    @Override
    public void authenticate(UserId user, char[] password, String source) {
        try {
            char[] pw = password == null ? new char[0] : password;
            PasswordGate.Verdict v = gate.check(user, source, () -> {
                Optional<String> stored = store.passwordHash(user); // an unknown user's check costs the same: the decoy
                return hasher.verify(pw, stored.orElse(decoyHash)) && stored.isPresent();
            });
            if (v.outcome() == PasswordGate.Outcome.PASSED) {
                return;
            }
            CpnsException refused = switch (v.outcome()) {
                case RATE_LIMITED -> new CpnsException(ErrorCode.RATE_LIMITED,
                        "too many failed attempts; try again in " + seconds(v.backoff()) + " s");
                case BUSY -> new CpnsException(ErrorCode.BUSY, "too many password checks at once; try again shortly");
                default -> new CpnsException(ErrorCode.AUTH_FAILED, "wrong User ID or password");
            };
            LogThrottle.Decision d = refusals.allow(source);
            if (d.log()) {
                String wait = v.backoff().isZero() ? "" : ", next attempt in " + seconds(v.backoff()) + " s";
                log.warn("password attempt for CPNS User {} from {}: {}{}{}", user, Strings.printable(source), v.outcome(), wait, d.suffix());
            }
            throw refused;
        } finally {
            Bytes.wipe(password);
        }
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    @Override
    public List<UserId> list() {
        return store.users();
    }
}
