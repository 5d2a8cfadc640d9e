package io.cpns.api;

import java.util.Objects;
import java.util.regex.Pattern;

/** User ID of a CPNS User: the owner of PN GWs and PNEs (TS §5.3.1, §5.3.4). */
public record UserId(String value) implements Comparable<UserId> {
    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");

    public UserId {
        Objects.requireNonNull(value, "user id");
        if (!SYNTAX.matcher(value).matches()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT,
                    "user id must match " + SYNTAX.pattern() + ": '" + Strings.printable(value) + "'");
        }
    }

    public static UserId of(String value) {
        return new UserId(value);
    }

    @Override
    public int compareTo(UserId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
