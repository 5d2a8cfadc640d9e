package io.cpns.server.groups;

import io.cpns.api.CpnsException;
import io.cpns.api.EntityId;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyCreate;
import io.cpns.api.message.GroupKeyDelete;
import io.cpns.api.message.Message;
import io.cpns.api.server.ServerEndpoint;
import io.cpns.crypto.Bytes;
import io.cpns.crypto.Randoms;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.osgi.service.log.Logger;

/**
 * Where a group's next Group Key comes from (seed 003 §5.3.2): the Server's own CSKMF in the
 * centralized topology; in the distributed one, the PN GW that is the group's Group Key Manager,
 * asked with {@code group.key.create} and registering the key in its answer. A manager that
 * cannot be reached, or answers with anything but the key asked for, fails the change that
 * needed the key: a membership change never goes ahead under a key nobody created.
 */
final class GroupKeySource {
    static final int KEY_LENGTH = 32;

    private final Supplier<ServerEndpoint> endpoint;
    private final Duration timeout;
    private final Logger log;

    GroupKeySource(Supplier<ServerEndpoint> endpoint, Duration timeout, Logger log) {
        this.endpoint = endpoint;
        this.timeout = timeout;
        this.log = log;
    }

    /** The key of {@code epoch}, created here ({@code manager} null) or by the manager; the caller wipes it. */
    byte[] create(String groupId, long epoch, EntityId manager) {
        if (manager == null) {
            return Randoms.bytes(KEY_LENGTH);
        }
        GroupKey k = (GroupKey) ask(manager, new GroupKeyCreate(groupId, epoch), groupId);
        if (!k.groupId().equals(groupId) || k.epoch() != epoch || k.groupKey().length != KEY_LENGTH) {
            Bytes.wipe(k.groupKey());
            log.warn("Service Group {}: Group Key Manager {} answered {} epoch {} with a {}-byte key, not {} epoch {}", groupId,
                    manager, k.groupId(), k.epoch(), k.groupKey().length, groupId, epoch);
            throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "Group Key Manager " + manager + " answered with another key");
        }
        log.info("Service Group {}: Group Key epoch {} registered by its Group Key Manager {}", groupId, epoch, manager);
        return k.groupKey();
    }

    /** Tells a former manager to forget the group's key; best effort (it may be offline for good). */
    void release(String groupId, EntityId manager) {
        ServerEndpoint ep = endpoint.get();
        if (ep != null && manager != null) {
            ep.request(manager, new GroupKeyDelete(groupId), timeout).whenComplete((r, x) -> {
                if (x != null) {
                    log.info("Service Group {}: former Group Key Manager {} not told to forget its key ({})", groupId, manager, x.toString());
                }
            });
        }
    }

    private Message ask(EntityId manager, Message request, String groupId) {
        ServerEndpoint ep = endpoint.get();
        if (ep == null) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "no endpoint to reach Group Key Manager " + manager);
        }
        try {
            Message m = ep.request(manager, request, timeout).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
            if (!(m instanceof GroupKey)) {
                throw new CpnsException(ErrorCode.UNEXPECTED_MESSAGE, "Group Key Manager " + manager + " answered " + m.getClass().getSimpleName());
            }
            return m;
        } catch (ExecutionException e) {
            CpnsException why = e.getCause() instanceof CpnsException c ? c
                    : new CpnsException(ErrorCode.UNAVAILABLE, String.valueOf(e.getCause()), e.getCause());
            log.warn("Service Group {}: Group Key Manager {} did not create the key: {} {}", groupId, manager, why.code(), why.getMessage());
            // the manager's refusal keeps its code; not reaching it is UNAVAILABLE for the caller
            throw why.code() == ErrorCode.TIMEOUT || why.code() == ErrorCode.UNAVAILABLE
                    ? new CpnsException(ErrorCode.UNAVAILABLE, "Group Key Manager " + manager + " not reachable (" + why.getMessage()
                            + "); nothing changed")
                    : new CpnsException(why.code(), "Group Key Manager " + manager + ": " + why.getMessage());
        } catch (TimeoutException e) {
            throw new CpnsException(ErrorCode.UNAVAILABLE, "Group Key Manager " + manager + " did not answer in " + timeout + "; nothing changed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CpnsException(ErrorCode.UNAVAILABLE, "interrupted waiting for Group Key Manager " + manager);
        }
    }
}
