package io.cpns.health;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/** Reads an {@code hc.tags} service property: a String, String[] or collection; a String may hold "a,b". */
final class Tags {
    private Tags() {
    }

    static List<String> of(Object value) {
        List<String> raw = new ArrayList<>();
        if (value instanceof String s) {
            raw.add(s);
        } else if (value instanceof String[] a) {
            raw.addAll(Arrays.asList(a));
        } else if (value instanceof Collection<?> c) {
            c.forEach(o -> raw.add(String.valueOf(o)));
        }
        return raw.stream().flatMap(s -> Arrays.stream(s.split(","))).map(String::trim).filter(s -> !s.isEmpty()).distinct().toList();
    }
}
