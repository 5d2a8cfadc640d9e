package io.cpns.testkit;

import java.lang.reflect.Field;

/**
 * What SCR does for a field reference ({@code @Reference private volatile ServerLink server;}):
 * sets the field of a component built with {@code new}, so a test binds and unbinds services as
 * SCR would, without the component growing setters only tests use.
 */
public final class FieldReferences {
    private FieldReferences() {
    }

    /** Sets {@code component.field} to {@code service} ({@code null}: unbound). */
    public static void bind(Object component, String field, Object service) {
        try {
            Field f = find(component.getClass(), field);
            f.setAccessible(true);
            f.set(component, service);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("no reference field " + field + " in " + component.getClass().getName(), e);
        }
    }

    private static Field find(Class<?> type, String field) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(field);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(field);
    }
}
