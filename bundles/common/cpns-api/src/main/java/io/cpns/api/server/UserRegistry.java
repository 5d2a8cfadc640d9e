package io.cpns.api.server;

import io.cpns.api.UserId;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/** CPNS Users: registered with the Server before any EUKey assignment (TS §5.3.1). */
@ProviderType
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
     * Failed attempts are counted per user and per {@code source}: after a few, further attempts
     * for that user or from that source are refused for a growing time <em>before</em> the
     * password is checked, and only a few checks run at once (each costs the Server an Argon2id
     * computation). Unknown users are counted and answered exactly like wrong passwords.
     *
     * @param source where the attempt comes from, as the caller knows it: a bootstrap connection's
     *        network address (for a PNE's tunnelled bootstrap, its PN GW's address), or the
     *        authenticated PN GW that relays a password ({@code "gw:<entity>"})
     * @throws io.cpns.api.CpnsException {@code AUTH_FAILED} for an unknown user or a wrong password
     *         (the two are not told apart, so user IDs cannot be probed); {@code RATE_LIMITED} when
     *         this user or this source must wait after failed attempts (the password was not
     *         checked); {@code BUSY} when no check could start in time
     */
    void authenticate(UserId user, char[] password, String source);

    List<UserId> list();
}
