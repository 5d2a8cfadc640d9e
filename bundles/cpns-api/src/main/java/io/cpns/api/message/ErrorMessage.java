package io.cpns.api.message;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;

/** A typed error (docs/protocol.md "Error codes"). {@code detail} is for humans and logs. */
public record ErrorMessage(int code, String detail) implements Message {
    public ErrorMessage {
        detail = detail == null ? "" : detail;
    }

    public static ErrorMessage of(CpnsException e) {
        return new ErrorMessage(e.code().code(), e.getMessage());
    }

    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }

    /**
     * The peer's error as an exception, its code kept: "peer refused (FORBIDDEN): ...". The detail
     * is the peer's text: printable and cut, as it ends up in our log lines.
     */
    public CpnsException toException() {
        return new CpnsException(errorCode(), "peer refused (" + errorCode() + "): " + Strings.printable(detail));
    }
}
