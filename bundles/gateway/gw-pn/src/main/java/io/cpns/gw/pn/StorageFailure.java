package io.cpns.gw.pn;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Optional;

/**
 * A write to this PN GW's secret store failed (a full or read-only disk): said in the operating
 * system's words, so neither the log nor the PNE blames the Server ("did not authenticate this
 * PNE", issue 10). The log gets the file; the wire only the reason, e.g. "No space left on device".
 */
final class StorageFailure {
    private StorageFailure() {
    }

    /** The failure as a typed error for the PNE, if {@code t} is one of the store's writes. */
    static Optional<CpnsException> of(Throwable t) {
        Throwable c = t;
        boolean store = false;
        while (c != null) {
            store |= c instanceof UncheckedIOException;
            if (store && c.getCause() == null) {
                String reason = c instanceof FileSystemException f && f.getReason() != null ? f.getReason() : c.getMessage();
                return Optional.of(new CpnsException(ErrorCode.UNAVAILABLE, "the PN GW cannot store keys now: " + reason, t));
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return Optional.empty();
    }

    /** For the log: what the operating system said, with the file. */
    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return "cannot store on this PN GW: " + c.getMessage();
    }
}
