package io.cpns.gw.update;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.dispatch.Failures;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateInventoryReport;
import io.cpns.api.message.UpdateStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Tells the Server where offers stand (docs/updates.md §3.4), on a thread of its own
 * ({@code cpns-gw-update-report}), one request at a time so statuses arrive in order. A terminal
 * status is recorded in the {@link History} before it is sent and sent again after each
 * authentication of the link, and every {@code retry}, until the Server acknowledges it (or
 * refuses it with a typed error a repeat would get again: logged, then settled); the
 * others are sent once, when the link is up. The inventory goes as {@code update.inventory.report}
 * after each authentication and (coalesced) after every change of the framework's bundles.
 */
final class Reporter {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long INVENTORY_DELAY_MS = 1000;
    /** Errors after which the same request may succeed later; any other typed error is the Server's final word. */
    private static final Set<ErrorCode> TRANSIENT = EnumSet.of(ErrorCode.UNAVAILABLE, ErrorCode.TIMEOUT, ErrorCode.BUSY,
            ErrorCode.RATE_LIMITED, ErrorCode.INTERNAL, ErrorCode.NOT_AUTHENTICATED);

    private final Services services;
    private final History history;
    private final Supplier<GatewayInventory> inventory;
    private final Supplier<Optional<UpdateStatus>> current;
    private final Logger log;
    private final ScheduledExecutorService exec = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cpns-gw-update-report");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> pendingInventory; // guarded by this
    private String lastProblem = "";

    /** @param current the status of the offer in progress, if any (sent again after each authentication) */
    Reporter(Services services, History history, Supplier<GatewayInventory> inventory, Supplier<Optional<UpdateStatus>> current,
             Logger log, Duration retry) {
        this.services = services;
        this.history = history;
        this.inventory = inventory;
        this.current = current;
        this.log = log;
        exec.scheduleWithFixedDelay(this::sendOutbox, retry.toMillis(), retry.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Records a terminal status (on the caller's thread: it is on disk when this returns), then sends it. */
    void terminal(UpdateStatus s) throws IOException {
        history.add(s);
        run(this::sendOutbox);
    }

    /** Sends a status that is not terminal, if the link is up. */
    void progress(UpdateStatus s) {
        run(() -> send(s));
    }

    /** The link authenticated: the outbox, the offer in progress, the inventory. */
    void authenticated() {
        run(() -> {
            sendOutbox();
            current.get().ifPresent(this::send);
            sendInventory();
        });
    }

    /** Sends the outbox again (a repeated offer of a rollout that ended here). */
    void flush() {
        run(this::sendOutbox);
    }

    /** The framework's bundles changed: one report a second later, however many changes came meanwhile. */
    synchronized void inventoryChanged() {
        if (pendingInventory != null && !pendingInventory.isDone()) {
            return;
        }
        try {
            pendingInventory = exec.schedule(this::sendInventory, INVENTORY_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    void close() {
        exec.shutdownNow();
    }

    private void sendOutbox() {
        for (UpdateStatus s : history.outbox()) {
            if (!send(s)) {
                return; // the link is down or the Server does not answer: keep the order, try later
            }
        }
    }

    private void sendInventory() {
        request(new UpdateInventoryReport(inventory.get()), "inventory report"); // the next change or authentication sends it again
    }

    /** @return whether the outbox may go on: the Server acknowledged it, or refused it for good */
    private boolean send(UpdateStatus s) {
        Answer a = request(s, "status " + s.state() + " of rollout " + Strings.clip(s.rolloutId()));
        if (a == Answer.LATER) {
            return false;
        }
        if (s.state().terminal()) {
            try {
                history.acked(s); // refused for good: sending it again would hold back every later status
            } catch (IOException e) {
                log.warn("could not record that the Server has the status of rollout {}: {}", Strings.clip(s.rolloutId()), e.toString());
            }
        }
        return true;
    }

    /** How the Server answered a request. */
    private enum Answer {
        ACKED,
        /** Not now (link down, timeout, busy): sent again later. */
        LATER,
        /** A typed error that a repeat would get again (e.g. a rollout the Server does not know). */
        REFUSED
    }

    private Answer request(Message m, String what) {
        ServerLink link = services.link();
        if (link == null || link.status().state() != LinkState.AUTHENTICATED) {
            return Answer.LATER;
        }
        try {
            Message r = link.request(m, TIMEOUT).toCompletableFuture().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (!(r instanceof Ack)) {
                problem("the Server answered the " + what + " with " + r);
                return Answer.LATER;
            }
            lastProblem = "";
            return Answer.ACKED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.LATER;
        } catch (Exception e) {
            Throwable c = Failures.cause(e);
            if (c instanceof CpnsException ce && !TRANSIENT.contains(ce.code())) {
                log.warn("the Server refused the {} for good ({}: {}); it is not sent again", what, ce.code(), Strings.clip(ce.getMessage()));
                return Answer.REFUSED;
            }
            problem("the " + what + " did not reach the Server (sent again later): " + c.getMessage());
            return Answer.LATER;
        }
    }

    /** Once per different problem, not once per retry. */
    private void problem(String line) {
        if (!line.equals(lastProblem)) {
            lastProblem = line;
            log.info(line);
        }
    }

    private void run(Runnable r) {
        try {
            exec.execute(r);
        } catch (RejectedExecutionException e) {
            // closing: the outbox is on disk, sent after the next start
        }
    }
}
