package io.cpns.api.server;

import io.cpns.api.UserId;
import java.util.List;

/** CPNS Users: registered with the Server before any EUKey assignment (TS §5.3.1). */
public interface UserRegistry {
    /**
     * Registers a user. The password is stored only as a salted, memory-hard hash and wiped from
     * {@code password} before return.
     *
     * @throws io.cpns.api.CpnsException {@code USER_EXISTS}, {@code INVALID_ARGUMENT} for an empty password
     */
    void register(UserId user, char[] password);

    /**
     * Checks a user's password (constant-time compare; the password is wiped before return).
     *
     * @throws io.cpns.api.CpnsException {@code AUTH_FAILED} for an unknown user or a wrong password
     *         (the two are not told apart, so user IDs cannot be probed)
     */
    void authenticate(UserId user, char[] password);

    List<UserId> list();
}
