package io.cpns.api.message;

import java.util.List;
import java.util.Map;

/** Null-safe immutable copies for record components received from the wire. */
final class Maps {
    private Maps() {
    }

    static Map<String, String> of(Map<String, String> m) {
        return m == null ? Map.of() : Map.copyOf(m);
    }

    static <T> List<T> of(List<T> l) {
        return l == null ? List.of() : List.copyOf(l);
    }
}
