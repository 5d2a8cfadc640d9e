package io.cpns.api.message;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.Strings;

/**
 * A typed error (docs/protocol.md "Error codes"). {@code detail} is for humans and logs; lone
 * UTF-16 surrogates in it (a peer's text quoted verbatim) become {@code ?}, so every error can be
 * encoded and reaches its peer.
 */
public record ErrorMessage(int code, String detail) implements Message {
    public ErrorMessage {
        detail = detail == null ? "" : wellFormed(detail);
    }

    public static ErrorMessage of(CpnsException e) {
        return new ErrorMessage(e.code().code(), e.getMessage());
    }

    public ErrorCode errorCode() {
        return ErrorCode.of(code);
    }

    /**
     * The peer's error as an exception, its code kept: "peer refused (FORBIDDEN): ...". The
     * detail is the peer's text: control characters become {@code ?} and it is cut at 160
     * characters, so logging the exception can neither forge a line nor flood the log.
     */
    public CpnsException toException() {
        return new CpnsException(errorCode(), "peer refused (" + errorCode() + "): " + Strings.printable(detail, 160));
    }

    private static String wellFormed(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                if (b != null) {
                    b.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (b == null) {
                    b = new StringBuilder(s.length()).append(s, 0, i);
                }
                b.append('?');
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
