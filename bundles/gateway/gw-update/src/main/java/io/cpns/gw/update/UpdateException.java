package io.cpns.gw.update;

import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;

/**
 * An offer ends before the framework is touched: REFUSED (the checks of docs/updates.md §2.4),
 * FAILED (download, space, the jars' checks) or CANCELLED. Carries what the status says.
 */
final class UpdateException extends Exception {
    private static final long serialVersionUID = 1L;
    final UpdateState state;
    final UpdateFailure failure;
    final String detail;

    private UpdateException(UpdateState state, UpdateFailure failure, String detail) {
        super(state + (failure == null ? "" : " " + failure) + ": " + detail);
        this.state = state;
        this.failure = failure;
        this.detail = detail;
    }

    static UpdateException refused(UpdateFailure f, String detail) {
        return new UpdateException(UpdateState.REFUSED, f, detail);
    }

    static UpdateException failed(UpdateFailure f, String detail) {
        return new UpdateException(UpdateState.FAILED, f, detail);
    }

    static UpdateException cancelled(String detail) {
        return new UpdateException(UpdateState.CANCELLED, null, detail);
    }
}
