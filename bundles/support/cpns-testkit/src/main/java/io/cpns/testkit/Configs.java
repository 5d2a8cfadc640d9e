package io.cpns.testkit;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/** An instance of a component's configuration annotation: the declared defaults, with overrides. */
public final class Configs {
    private Configs() {
    }

    @SuppressWarnings("unchecked")
    public static <A> A of(Class<A> type, Map<String, Object> overrides) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, m, args) -> {
            if (m.getDeclaringClass() == Object.class || m.getName().equals("annotationType")) {
                return switch (m.getName()) {
                    case "annotationType" -> type;
                    case "toString" -> type.getSimpleName() + overrides;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new IllegalArgumentException("not an annotation member: " + m.getName());
                };
            }
            Object v = overrides.get(m.getName());
            return v != null ? v : defaultOf(m);
        });
    }

    public static <A> A defaults(Class<A> type) {
        return of(type, Map.of());
    }

    private static Object defaultOf(Method m) {
        Object d = m.getDefaultValue();
        if (d == null) {
            throw new IllegalArgumentException(m.getName() + " has no default and no override");
        }
        return d;
    }
}
