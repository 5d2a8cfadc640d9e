package io.cpns.gw.update;

import io.cpns.api.update.UpdateFailure;

/** Applying (or restoring) a set in the running framework failed: INSTALL_FAILED or START_FAILED. */
final class ApplyException extends Exception {
    private static final long serialVersionUID = 1L;
    final UpdateFailure failure;
    final String detail;

    ApplyException(UpdateFailure failure, String detail, Throwable cause) {
        super(failure + ": " + detail, cause);
        this.failure = failure;
        this.detail = detail;
    }
}
