package io.cpns.api.dispatch;

import org.osgi.service.component.ComponentServiceObjects;

/**
 * A whiteboard service obtained on first use, not when it is bound (D33): handlers and listeners
 * are flow components that depend on services that depend on the component dispatching to them,
 * and getting them while binding is a cycle SCR refuses. Kept once obtained, released when unbound.
 */
public final class LazyService<S> {
    private final ComponentServiceObjects<S> objects;
    private S service;
    private boolean released;

    public LazyService(ComponentServiceObjects<S> objects) {
        this.objects = objects;
    }

    /** Whether this holds the same service registration as {@code other}. */
    public boolean isFor(ComponentServiceObjects<S> other) {
        return objects.getServiceReference().equals(other.getServiceReference());
    }

    /**
     * The service, or null if its component could not be activated (SCR logs why) or it was
     * released (unbound: its bundle is going away).
     */
    public synchronized S get() {
        if (released) {
            return null;
        }
        if (service == null) {
            service = objects.getService();
        }
        return service;
    }

    /** Called when the service is unbound: ungets it if it was obtained; {@link #get} gives null from now on. */
    public synchronized void release() {
        released = true;
        if (service != null) {
            S s = service;
            service = null;
            try {
                objects.ungetService(s);
            } catch (IllegalStateException | IllegalArgumentException gone) {
                // its bundle or ours is already stopped: nothing left to release
            }
        }
    }

    /** Removes (and releases) the holder of {@code objects} from a listener list: what an unbind method does. */
    public static <S> void unbind(java.util.Collection<LazyService<S>> bound, ComponentServiceObjects<S> objects) {
        bound.removeIf(lazy -> {
            if (lazy.isFor(objects)) {
                lazy.release();
                return true;
            }
            return false;
        });
    }

    @Override
    public String toString() {
        return String.valueOf(objects.getServiceReference());
    }
}
