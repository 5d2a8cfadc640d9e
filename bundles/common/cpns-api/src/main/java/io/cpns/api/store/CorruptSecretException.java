package io.cpns.api.store;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;

/**
 * A secret exists but cannot be read back (bad header, does not decrypt: a flipped bit, a torn
 * disk, a file from another master key). Distinct from {@link CpnsException} in general so a
 * component can set the one record aside ({@link SecretStore#quarantine}) and keep the others
 * working. The message names the alias and the file, never the content.
 */
public class CorruptSecretException extends CpnsException {
    private static final long serialVersionUID = 1L;
    private final String alias;

    public CorruptSecretException(String alias, String message) {
        super(ErrorCode.INTERNAL, message);
        this.alias = alias;
    }

    public String alias() {
        return alias;
    }
}
