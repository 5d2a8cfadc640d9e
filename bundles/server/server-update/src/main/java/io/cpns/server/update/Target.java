package io.cpns.server.update;

import java.util.List;
import java.util.Objects;

/**
 * Which gateways a rollout is for, resolved once when it starts (later enrolments are not added).
 *
 * @param kind   how to select
 * @param values the owner's User ID ({@link Kind#OWNER}), the Entity IDs ({@link Kind#LIST}) or the label ({@link Kind#LABEL})
 */
public record Target(Kind kind, List<String> values) {
    public enum Kind {
        /** Every PN GW known to the Server. */
        ALL,
        /** The PN GWs of one CPNS User. */
        OWNER,
        /** These PN GWs. */
        LIST,
        /** The PN GWs with a label ({@code server:gwlabel}). */
        LABEL
    }

    public Target {
        Objects.requireNonNull(kind, "kind");
        values = List.copyOf(values);
        if (kind == Kind.ALL != values.isEmpty() || ((kind == Kind.OWNER || kind == Kind.LABEL) && values.size() != 1)) {
            throw new IllegalArgumentException("target " + kind + " takes " + (kind == Kind.ALL ? "no value" : kind == Kind.LIST
                    ? "one or more gateway IDs" : "one value"));
        }
    }

    /**
     * {@code all}, {@code owner:<user>}, {@code label:<label>}, or {@code list:<gw>,<gw>,...}.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static Target parse(String text) {
        String t = text.trim();
        if (t.equals("all")) {
            return new Target(Kind.ALL, List.of());
        }
        int colon = t.indexOf(':');
        if (colon > 0) {
            String kind = t.substring(0, colon);
            String rest = t.substring(colon + 1);
            switch (kind) {
                case "owner":
                    return new Target(Kind.OWNER, List.of(rest));
                case "label":
                    return new Target(Kind.LABEL, List.of(rest));
                case "list":
                    return new Target(Kind.LIST, java.util.Arrays.stream(rest.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList());
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("target '" + text + "': write all, owner:<user>, label:<label> or list:<gw>,<gw>...");
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ALL -> "all";
            case OWNER -> "owner:" + values.get(0);
            case LABEL -> "label:" + values.get(0);
            case LIST -> "list:" + String.join(",", values);
        };
    }
}
