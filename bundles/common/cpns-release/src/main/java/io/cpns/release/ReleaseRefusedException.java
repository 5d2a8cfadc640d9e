package io.cpns.release;

import io.cpns.api.update.UpdateFailure;
import java.util.Objects;

/**
 * A release, a keys document or a bundle refused: which check failed ({@link #failure()}, what the
 * gateway reports) and a short detail an operator reads in the status and the log line. The detail
 * is ours, never a library's text; strings taken from the input are quoted and cut.
 */
public class ReleaseRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final UpdateFailure failure;
    private final String detail;

    public ReleaseRefusedException(UpdateFailure failure, String detail) {
        super(failure + ": " + detail);
        this.failure = Objects.requireNonNull(failure, "failure");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    public UpdateFailure failure() {
        return failure;
    }

    public String detail() {
        return detail;
    }
}
