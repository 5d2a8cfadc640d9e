package io.cpns.api;

/**
 * The one error type of the project: carries the {@link ErrorCode} that goes on the wire. The
 * message must never contain secrets; it is sent to the peer and logged.
 */
public class CpnsException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public CpnsException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public CpnsException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return code + ": " + getMessage();
    }
}
