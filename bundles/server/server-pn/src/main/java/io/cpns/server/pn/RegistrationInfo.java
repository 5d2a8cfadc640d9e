package io.cpns.server.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;
import java.util.Map;

/**
 * Bounds on the PNE Info and PN GW Info the Server keeps from a PN Registration (seed 004 step 4;
 * schema version 9 columns): checked before anything is stored, so a registration is kept whole
 * or refused with {@code INVALID_ARGUMENT}, never cut short.
 */
final class RegistrationInfo {
    static final int MAX_ENTRIES = 64;
    static final int MAX_NAME = 64;
    static final int MAX_VALUE = 1024;

    private RegistrationInfo() {
    }

    /** @throws CpnsException {@code INVALID_ARGUMENT} naming {@code what} if {@code map} is out of bounds */
    static Map<String, String> check(String what, Map<String, String> map) {
        if (map.size() > MAX_ENTRIES) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT, what + ": at most " + MAX_ENTRIES + " entries, not " + map.size());
        }
        map.forEach((name, value) -> {
            if (name.isEmpty() || name.length() > MAX_NAME || value.length() > MAX_VALUE) {
                throw new CpnsException(ErrorCode.INVALID_ARGUMENT, what + ": entry " + Strings.printable(name, MAX_NAME)
                        + " out of bounds (name 1.." + MAX_NAME + ", value up to " + MAX_VALUE + " characters)");
            }
        });
        return map;
    }
}
