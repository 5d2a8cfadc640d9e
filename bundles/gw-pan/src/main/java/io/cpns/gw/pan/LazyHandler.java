package io.cpns.gw.pan;

import org.osgi.service.component.ComponentServiceObjects;

/**
 * A whiteboard handler obtained on its first request, not when it is bound: handlers depend on
 * services that depend on this component, and getting them during binding is a cycle SCR refuses.
 * Kept once obtained, so a delayed handler component is not activated per request.
 */
final class LazyHandler<S> {
    private final ComponentServiceObjects<S> objects;
    private S service;
    private boolean released;

    LazyHandler(ComponentServiceObjects<S> objects) {
        this.objects = objects;
    }

    boolean isFor(ComponentServiceObjects<S> other) {
        return objects.getServiceReference().equals(other.getServiceReference());
    }

    /**
     * The handler, or null if its component could not be activated (logged by SCR) or it was
     * released (unbound: a request that found it as it went waits for the next one).
     */
    synchronized S get() {
        if (released) {
            return null;
        }
        if (service == null) {
            service = objects.getService();
        }
        return service;
    }

    synchronized void release() {
        released = true;
        if (service != null) {
            objects.ungetService(service);
            service = null;
        }
    }
}
