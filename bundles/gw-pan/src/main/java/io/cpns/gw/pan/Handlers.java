package io.cpns.gw.pan;

import io.cpns.api.gateway.PneRequestHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.osgi.service.component.ComponentServiceObjects;

/**
 * The {@link PneRequestHandler}s by message type, and the requests that arrive while the handler of
 * their type is away. A handler that goes (its bundle is being updated: a remote hot update of
 * gw-pn, an operator's {@code update}, FileInstall) usually comes back within a fraction of a
 * second; a request of its type is then held until it is back, for up to {@code wait}, instead of
 * being refused, so no PNE request fails because of a swap (docs/updates.md §4.2). A type that never
 * had a handler here (its bundle is not installed) is refused at once, and so is a request beyond
 * {@value #MAX_HELD} held ones.
 *
 * <p>Called on the links' threads ({@link #dispatch}) and SCR's ({@link #add}, {@link #remove});
 * held requests are handed on on {@code timer}, never on SCR's thread.
 */
final class Handlers {
    /** Most requests held at once, all types together: a flood during a swap is refused, not queued. */
    static final int MAX_HELD = 1000;

    private record Held(Consumer<PneRequestHandler> use, ScheduledFuture<?> expiry) {
    }

    private final ScheduledExecutorService timer;
    private final Duration wait;
    private final Map<String, LazyHandler<PneRequestHandler>> byType = new HashMap<>(); // guarded by this
    private final Set<String> known = new HashSet<>(); // types that had a handler, guarded by this
    private final Map<String, List<Held>> held = new HashMap<>(); // guarded by this
    private int heldCount; // guarded by this

    Handlers(ScheduledExecutorService timer, Duration wait) {
        this.timer = timer;
        this.wait = wait;
    }

    void add(String type, ComponentServiceObjects<PneRequestHandler> objects) {
        List<Held> waiting;
        LazyHandler<PneRequestHandler> h = new LazyHandler<>(objects);
        LazyHandler<PneRequestHandler> old;
        synchronized (this) {
            old = byType.put(type, h);
            known.add(type);
            waiting = take(type);
        }
        if (old != null) {
            old.release();
        }
        for (Held w : waiting) {
            w.expiry().cancel(false);
            hand(w.use(), h);
        }
    }

    void remove(String type, ComponentServiceObjects<PneRequestHandler> objects) {
        LazyHandler<PneRequestHandler> gone = null;
        synchronized (this) {
            LazyHandler<PneRequestHandler> h = byType.get(type);
            if (h != null && h.isFor(objects)) {
                gone = byType.remove(type);
            }
        }
        if (gone != null) {
            gone.release();
        }
    }

    /**
     * Gives {@code use} the handler of {@code type}: now, or once one is back if the type's handler
     * is away, or null (no handler: the caller refuses the request). {@code use} runs on the
     * caller's thread when the handler is there, else on the timer's.
     */
    void dispatch(String type, Consumer<PneRequestHandler> use) {
        LazyHandler<PneRequestHandler> h;
        synchronized (this) {
            h = byType.get(type);
            if (h == null && known.contains(type) && heldCount < MAX_HELD && !wait.isZero()) {
                hold(type, use);
                return;
            }
        }
        use.accept(h == null ? null : h.get());
    }

    /** Every held request gets null (the PAN side is stopping). */
    void close() {
        List<Held> all = new ArrayList<>();
        synchronized (this) {
            new HashSet<>(held.keySet()).forEach(t -> all.addAll(take(t)));
            byType.values().forEach(LazyHandler::release);
            byType.clear();
        }
        all.forEach(w -> {
            w.expiry().cancel(false);
            w.use().accept(null);
        });
    }

    synchronized int held() {
        return heldCount;
    }

    private void hold(String type, Consumer<PneRequestHandler> use) { // holding this
        Held[] self = new Held[1];
        ScheduledFuture<?> expiry;
        try {
            expiry = timer.schedule(() -> {
                boolean mine;
                synchronized (this) {
                    List<Held> l = held.get(type);
                    mine = l != null && l.remove(self[0]);
                    if (mine) {
                        heldCount--;
                    }
                }
                if (mine) {
                    use.accept(null);
                }
            }, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            run(timer, () -> use.accept(null));
            return;
        }
        self[0] = new Held(use, expiry);
        held.computeIfAbsent(type, t -> new ArrayList<>()).add(self[0]);
        heldCount++;
    }

    private List<Held> take(String type) { // holding this
        List<Held> l = held.remove(type);
        if (l == null) {
            return List.of();
        }
        heldCount -= l.size();
        return l;
    }

    private void hand(Consumer<PneRequestHandler> use, LazyHandler<PneRequestHandler> h) {
        run(timer, () -> use.accept(h.get())); // not on SCR's thread: getting the handler may activate its component
    }

    private static void run(Executor e, Runnable r) {
        try {
            e.execute(r);
        } catch (RejectedExecutionException stopping) {
            r.run();
        }
    }
}
