package io.cpns.itests;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.MessageType;
import io.cpns.api.message.UpdateInventoryReport;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.server.RequestHandler;
import io.cpns.api.update.UpdateState;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The Server's end of {@code update.status} and {@code update.inventory.report} for the tests
 * (the rollout engine is another helper's work): handlers registered in the Server's framework
 * that record what each gateway reports and acknowledge it, or, while {@link #refuse} is set,
 * answer {@code UNAVAILABLE} (a Server that is not taking statuses).
 */
final class UpdateStatuses implements AutoCloseable {
    record Report(String gateway, UpdateStatus status) {
    }

    /** A download, a trial and perhaps a restart of the framework: longer than the other tests' waits. */
    static final java.time.Duration LONG = java.time.Duration.ofSeconds(120);
    final List<Report> statuses = new CopyOnWriteArrayList<>();
    final List<GatewayInventory> inventories = new CopyOnWriteArrayList<>();
    volatile boolean refuse;
    private final List<ServiceRegistration<?>> regs = new ArrayList<>();

    UpdateStatuses(BundleContext ctx) {
        regs.add(register(ctx, MessageType.UPDATE_STATUS.wireName(), (from, req) -> {
            if (refuse) {
                throw new CpnsException(ErrorCode.UNAVAILABLE, "not taking statuses now (test)");
            }
            statuses.add(new Report(from.entity().value(), (UpdateStatus) req.body()));
            return new Ack();
        }));
        regs.add(register(ctx, MessageType.UPDATE_INVENTORY_REPORT.wireName(), (from, req) -> {
            inventories.add(((UpdateInventoryReport) req.body()).inventory());
            return new Ack();
        }));
    }

    private static ServiceRegistration<?> register(BundleContext ctx, String type, RequestHandler h) {
        Dictionary<String, Object> p = new Hashtable<>();
        p.put(RequestHandler.TYPE, type);
        p.put(org.osgi.framework.Constants.SERVICE_RANKING, 1000);
        return ctx.registerService(RequestHandler.class, h, p);
    }

    /** The statuses of a rollout, in the order they arrived. */
    List<UpdateStatus> of(String rollout) {
        return statuses.stream().map(Report::status).filter(s -> s.rolloutId().equals(rollout)).toList();
    }

    /** Waits for the rollout's terminal status (the first; repeats are the outbox at work). */
    UpdateStatus awaitTerminal(String rollout) {
        Osgi.eventually("a terminal status of rollout " + rollout, () -> of(rollout).stream().anyMatch(s -> s.state().terminal()),
                () -> of(rollout).toString(), LONG);
        return of(rollout).stream().filter(s -> s.state().terminal()).findFirst().orElseThrow();
    }

    UpdateStatus awaitState(String rollout, UpdateState state) {
        Osgi.eventually("status " + state + " of rollout " + rollout, () -> of(rollout).stream().anyMatch(s -> s.state() == state),
                () -> of(rollout).toString(), LONG);
        return of(rollout).stream().filter(s -> s.state() == state).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        regs.forEach(r -> {
            try {
                r.unregister();
            } catch (IllegalStateException ignored) {
                // gone
            }
        });
    }
}
