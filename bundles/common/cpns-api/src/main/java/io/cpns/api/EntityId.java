package io.cpns.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Entity ID of a CPNS Entity (CPNS Server, PN GW or PNE). With the User ID it is the basis of
 * authorization (TS §5.3.4). Printable, 1..64 characters, so it can be logged and used as a
 * PSK identity and a file or topic name without escaping.
 */
public record EntityId(String value) implements Comparable<EntityId> {
    private static final Pattern SYNTAX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");

    /** Destination of a discovery query: whichever PN GW hears it. Reserved; no entity may use it. */
    public static final EntityId BROADCAST = new EntityId("cpns.broadcast");

    public EntityId {
        Objects.requireNonNull(value, "entity id");
        if (!SYNTAX.matcher(value).matches()) {
            throw new CpnsException(ErrorCode.INVALID_ARGUMENT,
                    "entity id must match " + SYNTAX.pattern() + ": '" + Strings.printable(value) + "'");
        }
    }

    public static EntityId of(String value) {
        return new EntityId(value);
    }

    @Override
    public int compareTo(EntityId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
