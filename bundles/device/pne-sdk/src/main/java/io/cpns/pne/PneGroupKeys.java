package io.cpns.pne;

import io.cpns.api.CpnsException;
import io.cpns.api.ErrorCode;
import io.cpns.api.message.Ack;
import io.cpns.api.message.GroupKey;
import io.cpns.api.message.GroupKeyDelete;
import io.cpns.api.message.GroupKeyDeliver;
import io.cpns.api.message.GroupKeyRequest;
import io.cpns.api.message.GroupMembership;
import io.cpns.api.message.GroupMsg;
import io.cpns.api.message.GroupTree;
import io.cpns.api.message.GroupTreeRequest;
import io.cpns.api.message.Message;
import io.cpns.api.store.SecretStore;
import io.cpns.crypto.Bytes;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The PNE's Group Keys (TS §5.3.2) and messages to its Service Groups (TS §5.3.3.2): keys by
 * unicast, pull or MQTT broadcast ({@link GroupBroadcasts}), kept in the {@link SecretStore} under
 * {@link #PREFIX}; their deletion and the membership check at link-up; sealed group messages
 * ({@link GroupMessages}). Everything from the PN GW is accepted only on a protected link.
 */
final class PneGroupKeys implements AutoCloseable {
    static final String PREFIX = "gk.";
    private static final System.Logger LOG = System.getLogger(PneGroupKeys.class.getName());

    private final String self;
    private final SecretStore keys;
    private final GatewayLink link;
    private final ScheduledExecutorService timers;
    private final GroupBroadcasts broadcasts;
    private final GroupMessages messages;
    private final List<Consumer<PneGroupKey>> keyListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> deleteListeners = new CopyOnWriteArrayList<>();

    PneGroupKeys(String self, SecretStore keys, GatewayLink link, ScheduledExecutorService timers) {
        this.self = self;
        this.keys = keys;
        this.link = link;
        this.timers = timers;
        this.messages = new GroupMessages(self, this::key);
        this.broadcasts = new GroupBroadcasts(self, new BroadcastSink(), timers);
    }

    void onKey(Consumer<PneGroupKey> l) {
        keyListeners.add(l);
    }

    void onDelete(Consumer<String> l) {
        deleteListeners.add(l);
    }

    void onMessage(Consumer<PneGroupMessage> l) {
        messages.onMessage(l);
    }

    boolean followsBroadcast(String groupId) {
        return broadcasts.follows(groupId);
    }

    boolean broadcastConnected() {
        return broadcasts.connected();
    }

    private void requireProtected(String what) {
        if (!link.secured()) {
            throw new CpnsException(ErrorCode.FORBIDDEN, what + " only on a protected link");
        }
    }

    /** {@code group.key.deliver}: kept if newer than the one held, and only from a protected link. */
    Message deliver(GroupKeyDeliver d) {
        try {
            requireProtected("a Group Key is accepted");
            keep(d.groupId(), d.epoch(), d.groupKey());
            return new Ack();
        } finally {
            Bytes.wipe(d.groupKey());
        }
    }

    /**
     * {@code group.key.delete}: the group is gone, or this PNE left it (TS §5.3.2 "delete Group Key").
     * Only from a protected link: on a plain one anybody on the PAN could make this PNE drop its keys.
     */
    Message delete(GroupKeyDelete d) {
        if (!link.secured()) {
            LOG.log(System.Logger.Level.WARNING, "PNE {0}: group.key.delete of {1} ignored: it came on an unprotected link", self,
                    d.groupId());
        }
        requireProtected("a Group Key is deleted");
        deleteGroup(d.groupId());
        return new Ack();
    }

    /**
     * {@code group.membership} at link-up: the groups this PNE still belongs to at its PN GW. Every
     * other group's key goes: it was deleted, or this PNE left it, while its link was down (TS §5.3.2).
     */
    Message membership(GroupMembership m) {
        if (!link.secured()) {
            LOG.log(System.Logger.Level.WARNING, "PNE {0}: group.membership ignored: it came on an unprotected link", self);
        }
        requireProtected("group membership is accepted");
        Set<String> held = new TreeSet<>(broadcasts.followed());
        keys.aliases(PREFIX).forEach(a -> held.add(a.substring(PREFIX.length())));
        held.removeAll(m.groups());
        for (String gone : held) {
            LOG.log(System.Logger.Level.INFO, "PNE {0}: no longer a member of Service Group {1} at its PN GW: its Group Key deleted",
                    self, gone);
            deleteGroup(gone);
        }
        return new Ack();
    }

    /** Forgets everything of a group this PNE is no longer a member of, and tells the listeners. */
    private void deleteGroup(String groupId) {
        broadcasts.leave(groupId);
        messages.forget(groupId);
        boolean held = keys.aliases(PREFIX + groupId).contains(PREFIX + groupId);
        keys.delete(PREFIX + groupId);
        if (held) {
            deleteListeners.forEach(l -> l.accept(groupId));
        }
    }

    /** {@code group.tree.deliver}: this PNE receives the group's Group Key by MQTT broadcast from now on. */
    Message tree(GroupTree t) {
        try {
            requireProtected("a group tree is accepted");
            broadcasts.tree(t);
            return new Ack();
        } finally {
            Bytes.wipe(t.password(), t.individualKey());
        }
    }

    CompletionStage<PneGroupKey> pullTree(String groupId) {
        return link.request(new GroupTreeRequest(groupId)).thenApply(env -> {
            tree((GroupTree) env.body());
            return key(groupId).orElseThrow();
        });
    }

    CompletionStage<PneGroupKey> pull(String groupId) {
        return link.request(new GroupKeyRequest(groupId)).thenApply(env -> {
            GroupKey k = (GroupKey) env.body();
            try {
                keep(k.groupId(), k.epoch(), k.groupKey());
            } finally {
                Bytes.wipe(k.groupKey());
            }
            return key(groupId).orElseThrow();
        });
    }

    /** See {@link PneClient#sendToGroup}: fetches a missing key first, and a stale one once on refusal. */
    CompletionStage<Void> send(String groupId, byte[] payload) {
        Optional<PneGroupKey> held = key(groupId);
        held.ifPresent(k -> Bytes.wipe(k.key()));
        CompletionStage<?> keyed = held.isPresent() ? CompletableFuture.completedFuture(null) : pull(groupId);
        return keyed.thenCompose(k -> sealAndSend(groupId, payload)).exceptionallyCompose(x -> {
            Throwable why = Futures.cause(x);
            if (why instanceof CpnsException c && (c.code() == ErrorCode.UNEXPECTED_MESSAGE || c.code() == ErrorCode.UNKNOWN_GROUP)
                    && key(groupId).isPresent()) { // our key is not the PN GW's current one: fetch it, seal again, once
                return pull(groupId).thenCompose(k -> sealAndSend(groupId, payload));
            }
            return CompletableFuture.failedFuture(why);
        });
    }

    private CompletionStage<Void> sealAndSend(String groupId, byte[] payload) {
        return link.request(messages.seal(groupId, payload)).thenApply(e -> null);
    }

    /** {@code group.msg}: a key this PNE does not hold yet is pulled first (blocks: runs on the PNE's inbound thread). */
    Message message(GroupMsg m) {
        requireProtected("group messages are accepted");
        if (m.sealed() && key(m.groupId()).map(k -> {
            Bytes.wipe(k.key());
            return k.epoch() < m.epoch();
        }).orElse(true)) {
            try { // sealed under a key this PNE does not hold yet (a group delivered on request, or a delivery still on its way): ask
                pull(m.groupId()).toCompletableFuture().join();
            } catch (CompletionException x) {
                LOG.log(System.Logger.Level.INFO, "PNE {0}: Group Key of {1} epoch {2} not obtained: {3}", self, m.groupId(),
                        m.epoch(), Futures.cause(x).getMessage());
            }
        }
        messages.received(m, link.panSecure());
        return new Ack();
    }

    private synchronized void keep(String groupId, long epoch, byte[] key) {
        if (key(groupId).map(k -> {
            Bytes.wipe(k.key());
            return k.epoch() >= epoch;
        }).orElse(false)) {
            return; // an older epoch never replaces a newer one
        }
        byte[] record = Bytes.concat(Bytes.longBE(epoch), key);
        try {
            keys.put(PREFIX + groupId, record);
        } finally {
            Bytes.wipe(record);
        }
        for (Consumer<PneGroupKey> l : keyListeners) {
            l.accept(new PneGroupKey(groupId, epoch, key.clone()));
        }
    }

    Optional<PneGroupKey> key(String groupId) {
        return keys.get(PREFIX + groupId).map(r -> {
            try {
                return new PneGroupKey(groupId, ByteBuffer.wrap(r, 0, 8).getLong(), Arrays.copyOfRange(r, 8, r.length));
            } finally {
                Bytes.wipe(r);
            }
        });
    }

    @Override
    public void close() {
        broadcasts.close();
    }

    private final class BroadcastSink implements GroupBroadcasts.Sink {
        @Override
        public void groupKey(String groupId, long epoch, byte[] key) {
            keep(groupId, epoch, key);
        }

        @Override
        public void removed(String groupId) {
            deleteGroup(groupId);
        }

        @Override
        public void catchUp(String groupId) {
            catchUp(groupId, 1);
        }

        /** UNAVAILABLE (e.g. the PN GW's group bundle is being updated) is tried again, a few times, a second apart. */
        private void catchUp(String groupId, int attempt) {
            pullTree(groupId).whenComplete((k, x) -> {
                if (x == null) {
                    return;
                }
                Throwable why = Futures.cause(x);
                if (why instanceof CpnsException c && c.code() == ErrorCode.UNAVAILABLE && attempt < 5 && broadcasts.follows(groupId)) {
                    timers.schedule(() -> catchUp(groupId, attempt + 1), 1, TimeUnit.SECONDS);
                } else {
                    LOG.log(System.Logger.Level.WARNING, self + ": catch-up of " + groupId + " failed: " + why);
                }
            });
        }
    }
}
