package io.cpns.keystore;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The master key file is gone while secrets sealed under it remain. A new key would make each of
 * them undecryptable without a word, so the store refuses to open and says how to recover.
 */
public class MissingMasterKeyException extends IOException {
    private static final long serialVersionUID = 1L;

    public MissingMasterKeyException(Path masterKeyFile, Path directory, int secrets) {
        super("master key " + masterKeyFile + " is missing, but " + directory + " holds " + secrets
                + " secret(s) sealed under it: refusing to create a new one (it would make them all undecryptable). "
                + "Restore the master key from a backup (or point cpns.keystore masterKeyFile at it), "
                + "or set initialise=true in cpns.keystore to start over: the old secrets move to "
                + directory.resolve("quarantine") + " and this device must be enrolled again");
    }
}
