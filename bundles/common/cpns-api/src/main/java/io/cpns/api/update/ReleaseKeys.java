package io.cpns.api.update;

import java.util.List;

/**
 * The root-signed document of the release keys in force (docs/updates.md §2). Rotation and
 * revocation are a new document with a higher {@code keysSeq}: a key it no longer lists is revoked.
 * A gateway keeps the highest {@code keysSeq} it has accepted and refuses a lower one.
 *
 * @param format  document format, 1
 * @param keysSeq monotonic sequence of these documents
 * @param keys    the release keys in force
 */
public record ReleaseKeys(int format, long keysSeq, List<ReleaseKey> keys) {
    public static final int FORMAT = 1;

    public ReleaseKeys {
        keys = keys == null ? List.of() : List.copyOf(keys);
    }
}
