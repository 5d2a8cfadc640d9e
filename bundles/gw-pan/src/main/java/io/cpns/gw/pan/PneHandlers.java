package io.cpns.gw.pan;

import io.cpns.api.gateway.PneRequestHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * The {@link PneRequestHandler} whiteboard: one handler per wire name ({@link PneRequestHandler#TYPE}),
 * obtained on its first request (D33). A request whose handler went away a moment ago (its bundle
 * being updated) waits up to {@code handlerWait} for the next one: a hot update drops no request.
 * {@link #find} is called on an adapter's reader thread and may block it that long; the bind
 * methods on SCR's thread.
 */
final class PneHandlers {
    private final Duration handlerWait;
    private final Map<String, LazyHandler<PneRequestHandler>> handlers = new ConcurrentHashMap<>();
    /** When the handler of a type went away (nanoTime): a request within handlerWait of it waits for the next one. */
    private final Map<String, Long> handlerGone = new ConcurrentHashMap<>();
    private final Object handlerCame = new Object();
    private volatile boolean stopping;

    PneHandlers(Duration handlerWait) {
        this.handlerWait = handlerWait;
    }

    void add(ComponentServiceObjects<PneRequestHandler> h, Map<String, Object> props) {
        LazyHandler<PneRequestHandler> old = handlers.put(String.valueOf(props.get(PneRequestHandler.TYPE)), new LazyHandler<>(h));
        if (old != null) {
            old.release();
        }
        synchronized (handlerCame) {
            handlerCame.notifyAll();
        }
    }

    void remove(ComponentServiceObjects<PneRequestHandler> h, Map<String, Object> props) {
        handlers.computeIfPresent(String.valueOf(props.get(PneRequestHandler.TYPE)), (type, lazy) -> {
            if (!lazy.isFor(h)) {
                return lazy;
            }
            lazy.release();
            handlerGone.put(type, System.nanoTime());
            return null;
        });
    }

    /** The handler of {@code type} (a wire name), waiting for one that is being replaced; null if there is none. */
    PneRequestHandler find(String type) {
        LazyHandler<PneRequestHandler> lazy = handlers.get(type);
        PneRequestHandler h = lazy == null ? null : lazy.get();
        if (h == null) {
            // no handler, or the one found is going away with its bundle (SCR unbinds it as this request arrives:
            // getting it gives null): wait for the next one
            LazyHandler<PneRequestHandler> next = await(type, lazy);
            h = next == null ? null : next.get();
        }
        return h;
    }

    /**
     * The handler of {@code type} if it went away a moment ago (its bundle being updated) and comes
     * back within {@code handlerWait} of that; blocks the link's thread meanwhile (that PNE's requests wait, not others').
     *
     * @param going the handler the request found but could not get (SCR was unbinding it: it is released, and its
     *              service unregistered), or null; waited past, for the next one, from now
     */
    private LazyHandler<PneRequestHandler> await(String type, LazyHandler<PneRequestHandler> going) {
        Long gone = handlerGone.get(type);
        if (gone == null && going == null) {
            return null;
        }
        long deadline = (going != null ? System.nanoTime() : gone) + handlerWait.toNanos();
        synchronized (handlerCame) {
            LazyHandler<PneRequestHandler> lazy;
            while (((lazy = handlers.get(type)) == null || lazy == going) && !stopping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(handlerCame, left);
                } catch (InterruptedException x) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return lazy;
        }
    }

    /** The PAN side stops: no request waits any longer. */
    void stop() {
        stopping = true;
        synchronized (handlerCame) {
            handlerCame.notifyAll();
        }
    }
}
