package io.cpns.api.dispatch;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.MessageType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * Message type -&gt; the handler service registered for it (OSGi whiteboard), one per dispatcher
 * (the PN GW's requests from PNEs, its requests from the Server, the Server's requests from
 * sessions). A handler registers once with {@value #TYPE} = the wire names of every type it owns
 * (multi-valued, openHAB's {@code supportsThingType} style); the table holds it as a
 * {@link LazyService}, obtained on its first request (D33), so binding it activates nothing.
 *
 * <p>A request whose type has no handler fails with {@link ErrorCode#UNAVAILABLE}, except that a
 * request whose handler went away less than {@code handlerWait} ago (its bundle being updated:
 * unbind, then bind of the new one) waits for the next one, so a hot update drops no request.
 * {@link #find} may therefore block its caller up to {@code handlerWait}; {@link #add} and
 * {@link #remove} are called on SCR's thread and never block.
 *
 * @param <H> the handler interface
 */
public final class HandlerTable<H> {
    /** Service property: the wire names of the message types a handler owns ({@code String} or {@code String[]}). */
    public static final String TYPE = "cpns.message.type";

    private final String where;
    private final Duration handlerWait;
    private final Map<MessageType, LazyService<H>> handlers = new EnumMap<>(MessageType.class);
    /** When the handler of a type went away (nanoTime). */
    private final Map<MessageType, Long> gone = new EnumMap<>(MessageType.class);
    private boolean stopping;

    /**
     * @param where       names this dispatcher in the UNAVAILABLE reason, e.g. "this PN GW"
     * @param handlerWait how long a request waits for the handler that went away a moment ago; zero: not at all
     */
    public HandlerTable(String where, Duration handlerWait) {
        this.where = where;
        this.handlerWait = handlerWait;
    }

    /**
     * Binds a handler for each type in its {@value #TYPE} property; one it replaces is released.
     *
     * @throws IllegalArgumentException if a type is not a known wire name (the others are bound)
     */
    public void add(ComponentServiceObjects<H> objects, Map<String, ?> props) {
        LazyService<H> lazy = new LazyService<>(objects);
        List<String> unknown = new ArrayList<>();
        List<LazyService<H>> replaced = new ArrayList<>();
        synchronized (this) {
            for (String name : types(props.get(TYPE))) {
                MessageType t = typeOf(name);
                if (t == null) {
                    unknown.add(name);
                    continue;
                }
                LazyService<H> old = handlers.put(t, lazy);
                if (old != null && !replaced.contains(old)) {
                    replaced.add(old);
                }
            }
            notifyAll();
        }
        // released only where no type still refers to it (one registration owns several types)
        for (LazyService<H> old : replaced) {
            if (!refersTo(old)) {
                old.release();
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(objects.getServiceReference() + ": " + TYPE + " names no message type: " + unknown);
        }
    }

    /** Unbinds the handler of {@code objects} from every type it still holds. */
    public void remove(ComponentServiceObjects<H> objects, Map<String, ?> props) {
        LazyService<H> released = null;
        synchronized (this) {
            long now = System.nanoTime();
            for (var i = handlers.entrySet().iterator(); i.hasNext(); ) {
                var e = i.next();
                if (e.getValue().isFor(objects)) {
                    released = e.getValue();
                    gone.put(e.getKey(), now);
                    i.remove();
                }
            }
        }
        if (released != null) {
            released.release();
        }
    }

    /**
     * The handler of {@code type}, waiting up to {@code handlerWait} for one that went away a moment
     * ago (or is going as this request finds it) to come back.
     *
     * @throws CpnsException {@link ErrorCode#UNAVAILABLE} if there is none
     */
    public H find(MessageType type) {
        LazyService<H> lazy;
        synchronized (this) {
            lazy = handlers.get(type);
        }
        H h = lazy == null ? null : lazy.get();
        if (h == null) {
            // none, or the one found is going away with its bundle (SCR unbinds it as this request arrives): wait for the next
            LazyService<H> next = await(type, lazy);
            h = next == null ? null : next.get();
        }
        if (h == null) {
            throw Failures.unavailable(type, where);
        }
        return h;
    }

    private synchronized LazyService<H> await(MessageType type, LazyService<H> going) {
        Long wentAt = gone.get(type);
        if (wentAt == null && going == null) {
            return null;
        }
        long deadline = (going != null ? System.nanoTime() : wentAt) + handlerWait.toNanos();
        LazyService<H> lazy;
        while (((lazy = handlers.get(type)) == null || lazy == going) && !stopping) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return lazy == going ? null : lazy;
    }

    /** The dispatcher stops: no request waits any longer, and every handler obtained is released. */
    public void stop() {
        List<LazyService<H>> all;
        synchronized (this) {
            stopping = true;
            all = new ArrayList<>(handlers.values());
            handlers.clear();
            notifyAll();
        }
        all.stream().distinct().forEach(LazyService::release);
    }

    private synchronized boolean refersTo(LazyService<H> lazy) {
        return handlers.containsValue(lazy);
    }

    private static MessageType typeOf(String wireName) {
        try {
            return MessageType.of(wireName);
        } catch (CpnsException unknown) {
            return null;
        }
    }

    /** The values of a multi-valued service property: a String, String[] or Collection. */
    private static List<String> types(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof String s) {
            out.add(s);
        } else if (value instanceof String[] a) {
            out.addAll(List.of(a));
        } else if (value instanceof Collection<?> c) {
            c.forEach(v -> out.add(String.valueOf(v)));
        }
        return out;
    }
}
