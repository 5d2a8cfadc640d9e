package io.cpns.gw.update;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.gateway.GroupBroker;
import io.cpns.api.gateway.LinkState;
import io.cpns.api.gateway.LinkStatus;
import io.cpns.api.gateway.PneMessenger;
import io.cpns.api.gateway.ServerLink;
import io.cpns.api.health.Health;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GatewayInventory;
import io.cpns.api.message.Message;
import io.cpns.api.message.UpdateStatus;
import io.cpns.api.update.UpdateFailure;
import io.cpns.api.update.UpdateState;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.log.Logger;

/** The outbox (docs/updates.md §3.4): what the Server refuses for good does not hold back what follows. */
class ReporterTest {
    @TempDir
    Path dir;
    private Reporter reporter;

    @AfterEach
    void close() {
        if (reporter != null) {
            reporter.close();
        }
    }

    @Test
    void aStatusTheServerRefusesForGood_isSettled_andTheNextOnesGoThrough() throws Exception {
        UpdateStatus unknownToTheServer = new UpdateStatus("r-gone", 7, UpdateState.COMMITTED, null, null, 1);
        UpdateStatus next = new UpdateStatus("r-2", 8, UpdateState.ROLLED_BACK, UpdateFailure.HEALTH_FAILED, "gw-pn unsatisfied", 2);
        Server server = new Server(s -> s.rolloutId().equals("r-gone")
                ? new CpnsException(ErrorCode.UNKNOWN_ENTITY, "no rollout r-gone") : null);
        History history = new History(dir);
        reporter = reporter(server, history);

        reporter.terminal(unknownToTheServer);
        reporter.terminal(next);

        Wait.until(() -> history.outbox().isEmpty());
        assertEquals(List.of("r-gone", "r-2"), server.statuses.stream().map(UpdateStatus::rolloutId).distinct().toList());
    }

    @Test
    void aStatusTheServerCannotTakeNow_staysInTheOutbox_inOrder() throws Exception {
        UpdateStatus first = new UpdateStatus("r-1", 7, UpdateState.COMMITTED, null, null, 1);
        UpdateStatus second = new UpdateStatus("r-2", 8, UpdateState.FAILED, UpdateFailure.NO_SPACE, null, 2);
        Server server = new Server(s -> new CpnsException(ErrorCode.BUSY, "busy"));
        History history = new History(dir);
        reporter = reporter(server, history);

        reporter.terminal(first);
        reporter.terminal(second);

        Wait.until(() -> server.statuses.size() >= 2);
        assertEquals(List.of(first, second), history.outbox());
        assertEquals(List.of("r-1"), server.statuses.stream().map(UpdateStatus::rolloutId).distinct().toList(), "order kept");
    }

    private Reporter reporter(Server server, History history) {
        Services services = new Services() {
            public Health health() {
                return null;
            }

            public ServerLink link() {
                return server;
            }

            public PneMessenger pnes() {
                return null;
            }

            public GroupBroker broker() {
                return null;
            }
        };
        Logger log = (Logger) java.lang.reflect.Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (p, m, a) -> m.getReturnType() == boolean.class ? false : null);
        return new Reporter(services, history, () -> new GatewayInventory(0, List.of(), true, null, null), Optional::empty, log,
                Duration.ofMillis(50));
    }

    static final class Wait {
        static void until(java.util.function.BooleanSupplier c) throws InterruptedException {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!c.getAsBoolean()) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("not reached within 20 s");
                }
                Thread.sleep(10);
            }
        }
    }

    /** The Server's side of the link: answers each status with an ack, or the error {@code refusal} gives. */
    static final class Server implements ServerLink {
        final List<UpdateStatus> statuses = new CopyOnWriteArrayList<>();
        private final Function<UpdateStatus, CpnsException> refusal;

        Server(Function<UpdateStatus, CpnsException> refusal) {
            this.refusal = refusal;
        }

        @Override
        public CompletionStage<Message> request(Message request, Duration timeout) {
            if (request instanceof UpdateStatus s) {
                statuses.add(s);
                CpnsException e = refusal.apply(s);
                return e == null ? CompletableFuture.completedFuture(new Ack()) : CompletableFuture.failedFuture(e);
            }
            return CompletableFuture.completedFuture(new Ack());
        }

        @Override
        public LinkStatus status() {
            return new LinkStatus(LinkState.AUTHENTICATED, "gw-1", "cpns-server", "modern-v1", java.time.Instant.now(), 1, null, "");
        }

        @Override
        public void reconnect() {
        }

        @Override
        public InetSocketAddress serverAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        @Override
        public EntityId serverId() {
            return EntityId.of("cpns-server");
        }
    }
}
