package io.cpns.server.endpoint;

import org.osgi.service.component.ComponentServiceObjects;

/**
 * A whiteboard handler obtained on its first request, not when it is bound: handlers depend on
 * services that depend on this component, and getting them during binding is a cycle SCR refuses.
 * Kept once obtained, so a delayed handler component is not activated per request.
 */
final class LazyHandler<S> {
    private final ComponentServiceObjects<S> objects;
    private S service;

    LazyHandler(ComponentServiceObjects<S> objects) {
        this.objects = objects;
    }

    boolean isFor(ComponentServiceObjects<S> other) {
        return objects.getServiceReference().equals(other.getServiceReference());
    }

    /** The handler, or null if its component could not be activated (logged by SCR). */
    synchronized S get() {
        if (service == null) {
            service = objects.getService();
        }
        return service;
    }

    synchronized void release() {
        if (service != null) {
            objects.ungetService(service);
            service = null;
        }
    }
}
