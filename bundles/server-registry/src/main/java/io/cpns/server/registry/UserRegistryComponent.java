package io.cpns.server.registry;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.UserId;
import io.cpns.api.server.UserRegistry;
import io.cpns.crypto.Bytes;
import io.cpns.server.store.ServerStore;
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
    }

    private final ServerStore store;
    private final Logger log;
    private final PasswordHasher hasher;
    private final int minPasswordLength;
    /** Verified when the user is unknown, so both failures take the same time. */
    private final String decoyHash;

    @Activate
    public UserRegistryComponent(@Reference ServerStore store, @Reference(service = LoggerFactory.class) Logger log,
                                 Config config) {
        this.store = store;
        this.log = log;
        this.hasher = new PasswordHasher(config.argon2MemoryKiB(), config.argon2Iterations(), config.argon2Parallelism());
        this.minPasswordLength = config.minPasswordLength();
        this.decoyHash = hasher.hash("decoy password for unknown users".toCharArray());
    }

    @Override
    public void register(UserId user, char[] password) {
        try {
            if (password == null || password.length < minPasswordLength) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, "password must have at least " + minPasswordLength + " characters");
            }
            store.insertUser(user, hasher.hash(password));
            log.info("CPNS User {} registered", user);
        } finally {
            Bytes.wipe(password);
        }
    }

    @Override
    public void authenticate(UserId user, char[] password) {
        try {
            Optional<String> stored = store.passwordHash(user);
            boolean ok = hasher.verify(password == null ? new char[0] : password, stored.orElse(decoyHash));
            if (!ok || stored.isEmpty()) {
                log.warn("authentication of CPNS User {} failed", user);
                throw new CpnsException(ErrorCode.AUTH_FAILED, "wrong User ID or password");
            }
        } finally {
            Bytes.wipe(password);
        }
    }

    @Override
    public List<UserId> list() {
        return store.users();
    }
}
